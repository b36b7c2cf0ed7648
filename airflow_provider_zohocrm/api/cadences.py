"""Hook methods for Zoho CRM cadences (seed page 004): list them, un-enroll records at any scale."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.cadences_validation import DEFAULT_MAX_WORKERS, check_max_workers
from airflow_provider_zohocrm.api.unenroll import UnenrollProgress, unenroll, unenroll_path
from airflow_provider_zohocrm.validation import validate_module

if TYPE_CHECKING:
    from airflow_provider_zohocrm.api.unenroll_checkpoint import Checkpoint
    from airflow_provider_zohocrm.connection import ZohoCRMConnectionSettings
    from airflow_provider_zohocrm.transport import ZohoTransport

log = logging.getLogger(__name__)

CADENCES_PATH = "settings/automation/cadences"
PER_PAGE = 200
_DEFAULT_POOL_SIZE = 10  # requests' connections kept per host


class CadencesAPI:
    """Mixin of ``ZohoCRMHook``: calls for cadences (seed page 004)."""

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, retry: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError  # provided by ZohoCRMHook

    if TYPE_CHECKING:  # provided by ZohoCRMHook

        @property
        def settings(self) -> ZohoCRMConnectionSettings: ...

        @property
        def transport(self) -> ZohoTransport: ...

    def get_cadences(self) -> list[dict[str, Any]]:
        """Every cadence of the org (all pages; 204 → ``[]``)."""
        cadences: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.request("GET", CADENCES_PATH, params={"page": page, "per_page": PER_PAGE})
            items = answer.get("cadences") or []
            cadences.extend(item for item in items if isinstance(item, dict))
            if not items or not (answer.get("info") or {}).get("more_records"):
                return cadences
            page += 1

    def unenroll_from_cadences(
        self,
        module: str,
        record_ids: Iterable[str],
        cadence_ids: Sequence[str],
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        progress: Callable[[UnenrollProgress], None] | None = None,
        checkpoint: Checkpoint | None = None,
    ) -> dict[str, Any]:
        """Un-enroll every record from every cadence: ceil(R/100) * ceil(C/5) calls, ``max_workers`` at a time.

        ``record_ids`` may be a list or any iterable (read lazily). Threads are capped to the
        connection's ``max_concurrency``. Returns counts and the kept failures; see
        :mod:`airflow_provider_zohocrm.api.unenroll` for the exact semantics.

        ``checkpoint`` (e.g. ``FileCheckpoint(path)`` from
        :mod:`airflow_provider_zohocrm.api.unenroll_checkpoint`) records each answered batch, so
        that calling again with the same ids after a crash sends only the rest; delete it when done.
        """
        module = validate_module(module, "module")
        workers = check_max_workers(max_workers)
        path = unenroll_path(module)

        def send(body: dict[str, Any]) -> dict[str, Any]:
            return self.request("POST", path, json=body)

        return unenroll(
            send,
            module,
            record_ids,
            cadence_ids,
            max_workers=workers,
            progress=progress,
            prepare=self._prepare_unenroll,
            checkpoint=checkpoint,
        )

    def _prepare_unenroll(self, workers: int) -> int:
        """Runs once before the first un-enroll call; returns the number of threads to use.

        Reads the connection, builds the session and gets the access token here, so that the
        threads share one of each from their first call instead of racing to build them, and a
        connection that cannot authenticate fails before any API request. Threads are capped to
        the connection's ``max_concurrency``: the transport lets no more calls of one credential
        run at once, and threads beyond it would only queue on the slots (a GIL hand-off each).
        More than requests' default 10 pooled connections per host get a wider pool, so no
        connection is thrown away after each call.
        """
        limit = self.settings.max_concurrency
        if 0 < limit < workers:
            log.info("max_workers %d capped to the connection's max_concurrency %d", workers, limit)
            workers = limit
        transport = self.transport
        if workers > _DEFAULT_POOL_SIZE:
            from requests.adapters import HTTPAdapter

            for prefix in ("https://", "http://"):
                transport.session.mount(prefix, HTTPAdapter(pool_connections=_DEFAULT_POOL_SIZE, pool_maxsize=workers))
        transport.tokens.get()
        return workers

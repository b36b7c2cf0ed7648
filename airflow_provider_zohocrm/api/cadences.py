"""Zoho CRM cadences: list them, and Un-enroll Records from Cadences at any scale.

The batching, concurrency, checkpoints and result of an un-enroll live in
:mod:`airflow_provider_zohocrm.unenroll`; this family gives that engine the client's transport.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.base import APIFamily, list_items
from airflow_provider_zohocrm.unenroll.batching import DEFAULT_MAX_WORKERS, unenroll_path

if TYPE_CHECKING:
    from airflow_provider_zohocrm.unenroll.checkpoint import Checkpoint
    from airflow_provider_zohocrm.unenroll.engine import UnenrollProgress

log = logging.getLogger(__name__)

CADENCES_PATH = "settings/automation/cadences"
_DEFAULT_POOL_SIZE = 10  # requests' connections kept per host


class CadencesAPI(APIFamily):
    """``client.cadences``: list cadences, un-enroll records from them."""

    def list_all(self) -> list[dict[str, Any]]:
        """Every cadence of the org (all pages; 204 → ``[]``).

        Zoho's list shows ``type`` as a display label (``"Manual enrollment"``, ``"Custom view"``);
        a single cadence's GET shows ``manual_enrollment`` / ``custom_view``
        (see :func:`~airflow_provider_zohocrm.operators.cadences.is_manual_enrollment`).
        """
        return self.all_pages(CADENCES_PATH, "cadences")

    def unenroll(
        self,
        module: str,
        record_ids: Iterable[Any],
        cadence_ids: Iterable[Any],
        *,
        max_workers: int = DEFAULT_MAX_WORKERS,
        progress: Callable[[UnenrollProgress], None] | None = None,
        checkpoint: Checkpoint | None = None,
    ) -> dict[str, Any]:
        """Un-enroll every record from every cadence: ceil(R/100) * ceil(C/5) calls, ``max_workers`` at a time.

        ``record_ids`` may be a list or any iterable (read lazily). The inputs are validated once,
        by the engine, before any request. Threads are capped to the connection's
        ``max_concurrency``. Returns counts and the kept failures; see
        :mod:`airflow_provider_zohocrm.unenroll.engine` for the exact semantics.

        ``checkpoint`` (a :class:`~airflow_provider_zohocrm.unenroll.checkpoint.Checkpoint`, e.g.
        ``FileCheckpoint(path)``) records each answered batch, so that calling again with the same
        ids after a crash sends only the rest; delete it when done.
        """
        from airflow_provider_zohocrm.unenroll.engine import unenroll

        def send(body: dict[str, Any]) -> dict[str, Any]:
            # Runs only after the engine validated module. Un-enrolling twice is harmless: the transport may retry it.
            path = unenroll_path(module)
            answer = self.transport.request("POST", path, json=body)
            list_items(answer, "data", f"POST {path}")  # another shape than Zoho's: a typed error for the call
            return answer

        return unenroll(
            send,
            module,
            record_ids,
            cadence_ids,
            max_workers=max_workers,
            progress=progress,
            prepare=self.prepare,
            checkpoint=checkpoint,
        )

    def prepare(self, workers: int) -> int:
        """Runs once before the first un-enroll call; returns the number of threads to use.

        Builds the session and gets the access token here, so that the threads share one of each
        from their first call instead of racing to build them, and a connection that cannot
        authenticate fails before any API request. Threads are capped to the connection's
        ``max_concurrency``: the transport lets no more calls of one credential run at once, and
        threads beyond it would only queue on the slots. More than requests' default 10 pooled
        connections per host get a wider pool, so no connection is thrown away after each call.
        """
        transport = self.transport
        limit = transport.settings.max_concurrency
        if 0 < limit < workers:
            log.info("max_workers %d capped to the connection's max_concurrency %d", workers, limit)
            workers = limit
        if workers > _DEFAULT_POOL_SIZE:
            from requests.adapters import HTTPAdapter

            for prefix in ("https://", "http://"):
                transport.session.mount(prefix, HTTPAdapter(pool_connections=_DEFAULT_POOL_SIZE, pool_maxsize=workers))
        transport.tokens.get()
        return workers

"""Hook methods for Zoho CRM cadences (seed page 004): list them, un-enroll records at any scale."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from airflow_provider_zohocrm.api.unenroll import (
    DEFAULT_MAX_WORKERS,
    UnenrollProgress,
    check_max_workers,
    unenroll,
    unenroll_path,
)
from airflow_provider_zohocrm.validation import validate_module

CADENCES_PATH = "settings/automation/cadences"
PER_PAGE = 200
_DEFAULT_POOL_SIZE = 10  # requests' connections kept per host


class CadencesAPI:
    """Mixin of ``ZohoCRMHook``: calls for cadences (seed page 004)."""

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, retry: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError  # provided by ZohoCRMHook

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
    ) -> dict[str, Any]:
        """Un-enroll every record from every cadence: ceil(R/100) * ceil(C/5) calls, ``max_workers`` at a time.

        ``record_ids`` may be a list or any iterable (read lazily). Returns counts and the kept
        failures; see :mod:`airflow_provider_zohocrm.api.unenroll` for the exact semantics.
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
            before_threads=lambda: self._widen_connection_pool(workers),
        )

    def _widen_connection_pool(self, workers: int) -> None:
        """Keep one pooled connection per worker when more than requests' default 10 run at once."""
        get_conn = getattr(self, "get_conn", None)
        if workers <= _DEFAULT_POOL_SIZE or get_conn is None:
            return
        from requests.adapters import HTTPAdapter

        session = get_conn()
        for prefix in ("https://", "http://"):
            session.mount(prefix, HTTPAdapter(pool_connections=_DEFAULT_POOL_SIZE, pool_maxsize=workers))

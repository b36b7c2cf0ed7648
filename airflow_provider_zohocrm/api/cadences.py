"""Hook methods for Zoho CRM cadences (seed page 004)."""

from __future__ import annotations

from typing import Any


class CadencesAPI:
    """Mixin of ``ZohoCRMHook``: calls for cadences (seed page 004)."""

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, retry: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError  # provided by ZohoCRMHook

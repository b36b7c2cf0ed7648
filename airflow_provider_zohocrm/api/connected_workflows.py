"""Hook methods for Zoho CRM connected workflows (seed pages 000, 001)."""

from __future__ import annotations

from typing import Any


class ConnectedWorkflowsAPI:
    """Mixin of ``ZohoCRMHook``: calls for connected workflows (seed pages 000, 001)."""

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, retry: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError  # provided by ZohoCRMHook

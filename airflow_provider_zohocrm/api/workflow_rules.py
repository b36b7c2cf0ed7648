"""Hook methods for Zoho CRM workflow rules (seed pages 002, 003)."""

from __future__ import annotations

from typing import Any


class WorkflowRulesAPI:
    """Mixin of ``ZohoCRMHook``: calls for workflow rules (seed pages 002, 003)."""

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, retry: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError  # provided by ZohoCRMHook

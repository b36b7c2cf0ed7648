"""Hook methods for Zoho CRM connected workflows (seed pages 000, 001).

One method per call, plus ``ensure_connected_workflow``: the create that is safe to re-run and to
retry after a lost response (it adopts the workflow a lost POST created instead of posting again).
"""

from __future__ import annotations

import logging
from typing import Any

from airflow_provider_zohocrm import retry
from airflow_provider_zohocrm.api.connected_workflows_validation import (
    create_body,
    same_module,
    validate_primary_module,
)
from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMNotFoundError, ZohoCRMValidationError
from airflow_provider_zohocrm.validation import validate_id

log = logging.getLogger(__name__)

PATH = "settings/connected_workflows"
KEY = "connected_workflows"
PER_PAGE = 200
STATUSES = ("active", "inactive", "draft")
IF_EXISTS = ("reuse", "fail")
# A POST whose answer was lost is followed by a re-list; posting again is the last resort, and Zoho's
# unique names turn a repeated create into DUPLICATE_DATA, which is adopted too. The POSTs follow the
# connection's ``max_attempts`` like every other call; this is the budget without a connection.
CREATE_ATTEMPTS = 3


class ConnectedWorkflowsAPI:
    """Mixin of ``ZohoCRMHook``: calls for connected workflows (seed pages 000, 001)."""

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, retry: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError  # provided by ZohoCRMHook

    def create_connected_workflow(
        self, name: str, primary_module: str | dict[str, str], description: str | None = None
    ) -> str:
        """Create a connected workflow (as a draft) and return its id.

        Sent once (``retry=False``): a blind retry of a create could run twice. Use
        :meth:`ensure_connected_workflow` for a create that survives lost answers and re-runs.
        """
        body = create_body(name, primary_module, description)
        answer = self.request("POST", PATH, json=body, retry=False)
        return _created_id(answer)

    def get_connected_workflows(self) -> list[dict[str, Any]]:
        """Every connected workflow of the org (all pages; an empty org answers 204 → ``[]``)."""
        workflows: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.request("GET", PATH, params={"page": page, "per_page": PER_PAGE})
            items = answer.get(KEY) or []
            workflows.extend(item for item in items if isinstance(item, dict))
            if not items or not (answer.get("info") or {}).get("more_records"):
                return workflows
            page += 1

    def get_connected_workflow(self, connected_workflow_id: str) -> dict[str, Any]:
        """One connected workflow, with its ``status`` (``active``, ``inactive`` or ``draft``)."""
        workflow_id = validate_id(connected_workflow_id, "connected_workflow_id")
        items = self.request("GET", f"{PATH}/{workflow_id}").get(KEY) or []
        if not items or not isinstance(items[0], dict):
            raise ZohoCRMNotFoundError(
                f"Zoho CRM returned no connected workflow {workflow_id}",
                details={"param_name": "connected_workflow_id"},
                hint="Check the id: list the org's connected workflows with get_connected_workflows()",
            )
        return items[0]

    def activate_connected_workflow(self, connected_workflow_id: str) -> dict[str, Any]:
        """Publish a draft or re-activate an inactive workflow; returns Zoho's result item."""
        return self._set_connected_workflow_state(connected_workflow_id, "activate")

    def deactivate_connected_workflow(self, connected_workflow_id: str) -> dict[str, Any]:
        """Deactivate an active workflow; returns Zoho's result item."""
        return self._set_connected_workflow_state(connected_workflow_id, "deactivate")

    def find_connected_workflow(self, name: str, primary_module: str | dict[str, str] | None = None) -> dict[str, Any]:
        """The workflow called ``name`` (case-insensitive, as Zoho compares names), or ``{}``.

        With ``primary_module``, a workflow of that name on another module raises DUPLICATE_DATA:
        Zoho's names are unique in the org, so it can never be created as asked.
        """
        wanted = validate_primary_module(primary_module) if primary_module is not None else None
        return existing_workflow(self.get_connected_workflows(), name, wanted)

    def ensure_connected_workflow(
        self,
        name: str,
        primary_module: str | dict[str, str],
        description: str | None = None,
        *,
        if_exists: str = "reuse",
    ) -> dict[str, Any]:
        """Create the workflow unless it exists; ``{"id", "name", "status", "changed"}``.

        Re-run safe: an existing workflow of this name and module is returned (``if_exists="reuse"``)
        or refused (``"fail"``). A POST that fails without a usable answer (connection error, 5xx)
        is followed by a re-list, and the workflow it created, if any, is adopted.
        """
        existing, body = self.plan_connected_workflow(name, primary_module, description, if_exists=if_exists)
        if existing is not None:
            return existing
        return self.create_or_adopt_connected_workflow(body, if_exists=if_exists)

    def plan_connected_workflow(
        self,
        name: str,
        primary_module: str | dict[str, str],
        description: str | None = None,
        *,
        if_exists: str = "reuse",
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """Validate, list, and decide: ``(result of the existing workflow, body)`` or ``(None, body to POST)``.

        Raises before any write what the create would run into: the name taken on another module
        (DUPLICATE_DATA), the module already holding a workflow (LIMIT_EXCEEDED: one per module),
        or the workflow existing with ``if_exists="fail"``.
        """
        body = create_body(name, primary_module, description)
        if if_exists not in IF_EXISTS:
            raise ZohoCRMValidationError(
                f"if_exists must be one of {IF_EXISTS}; got {if_exists!r}", details={"json_path": "if_exists"}
            )
        item = body[KEY][0]
        workflows = self.get_connected_workflows()
        existing = existing_workflow(workflows, item["name"], item["primary_module"])
        if existing:
            return _adopt(existing, if_exists, created_now=False), body
        check_module_free(workflows, item["primary_module"])
        return None, body

    def create_or_adopt_connected_workflow(self, body: dict[str, Any], *, if_exists: str = "reuse") -> dict[str, Any]:
        """POST ``body`` (from :meth:`plan_connected_workflow`) so that it takes effect at most once.

        No usable answer (connection error, 429, 5xx): re-list and adopt the workflow if the POST
        made it, else post again (at most the connection's ``max_attempts`` times). DUPLICATE_DATA or
        LIMIT_EXCEEDED for our own name (a concurrent run won): adopt it, or raise for ``"fail"``.
        """
        item = body[KEY][0]
        attempts = self._create_attempts()
        for attempt in range(1, attempts + 1):
            try:
                workflow_id = _created_id(self.request("POST", PATH, json=body, retry=False))
            except ZohoCRMError as exc:
                if retry.is_retryable(exc):
                    # No usable answer: the POST may or may not have run. Look before posting again.
                    log.warning(
                        "Create of connected workflow %r got no usable answer (%s); re-listing", item["name"], exc
                    )
                    found = self.find_connected_workflow(item["name"], item["primary_module"])
                    if found:
                        return _adopt(found, "reuse", created_now=True)
                    if attempt == attempts:
                        raise
                    _wait(attempt, exc)
                    continue
                if exc.code not in ("DUPLICATE_DATA", "LIMIT_EXCEEDED"):
                    raise
                # Created meanwhile (a concurrent run, or our own earlier POST whose answer was lost).
                found = self.find_connected_workflow(item["name"], item["primary_module"])
                if not found:
                    raise
                return _adopt(found, if_exists, created_now=False)
            return {"id": workflow_id, "name": item["name"], "status": "draft", "changed": True}
        raise AssertionError("unreachable")  # pragma: no cover

    def _create_attempts(self) -> int:
        """The connection's retry budget (``max_attempts``), which the hook gives every other call."""
        value = getattr(getattr(self, "settings", None), "max_attempts", None)
        return value if isinstance(value, int) and value > 0 else CREATE_ATTEMPTS

    def _set_connected_workflow_state(self, connected_workflow_id: str, action: str) -> dict[str, Any]:
        workflow_id = validate_id(connected_workflow_id, "connected_workflow_id")
        # Idempotent by state (Zoho answers SUCCESS again), so the transport may retry it.
        answer = self.request("PUT", f"{PATH}/{workflow_id}/actions/{action}")
        items = answer.get(KEY) or []
        return items[0] if items and isinstance(items[0], dict) else answer


def existing_workflow(workflows: list[dict[str, Any]], name: str, module: dict[str, str] | None) -> dict[str, Any]:
    """The listed workflow called ``name`` (or ``{}``); on another module than ``module``: DUPLICATE_DATA."""
    match = next((w for w in workflows if _same_name(w, name)), {})
    if match and module and not same_module(module, match.get("primary_module")):
        raise ZohoCRMValidationError(
            f"a connected workflow named {name!r} already exists on module "
            f"{_module_label(match.get('primary_module'))} (id {match.get('id')})",
            code="DUPLICATE_DATA",
            details={"json_path": "name", "id": match.get("id")},
            hint="Connected workflow names are unique in the org: choose another name",
        )
    return match


def check_module_free(workflows: list[dict[str, Any]], primary_module: dict[str, str]) -> None:
    """Zoho allows one connected workflow per primary module: refuse a second before sending it."""
    taken = next((w for w in workflows if same_module(primary_module, w.get("primary_module"))), None)
    if taken is not None:
        raise ZohoCRMValidationError(
            f"module {_module_label(primary_module)} already has the connected workflow "
            f"{taken.get('name')!r} (id {taken.get('id')}); Zoho allows one per primary module",
            code="LIMIT_EXCEEDED",
            details={"json_path": "primary_module", "id": taken.get("id")},
            hint="Reuse that workflow (use its name) or choose another primary module",
        )


def _adopt(workflow: dict[str, Any], if_exists: str, *, created_now: bool) -> dict[str, Any]:
    if if_exists == "fail" and not created_now:
        raise ZohoCRMValidationError(
            f"the connected workflow {workflow.get('name')!r} already exists (id {workflow.get('id')})",
            code="DUPLICATE_DATA",
            details={"json_path": "name", "id": workflow.get("id")},
            hint="Pass if_exists='reuse' to accept the existing workflow",
        )
    return {
        "id": str(workflow.get("id")),
        "name": workflow.get("name"),
        "status": workflow.get("status"),
        "changed": created_now,
    }


def _created_id(answer: dict[str, Any]) -> str:
    items = answer.get(KEY) or []
    item = items[0] if items and isinstance(items[0], dict) else {}
    workflow_id = (item.get("details") or {}).get("id")
    if item.get("status") != "success" or not workflow_id:
        raise ZohoCRMError(
            f"Zoho CRM did not confirm the create: {item.get('code') or 'no result'} {item.get('message') or ''}",
            code=item.get("code"),
            details=item.get("details") or {},
            hint="List the connected workflows to see whether it was created",
        )
    return str(workflow_id)


def _same_name(workflow: dict[str, Any], name: str) -> bool:
    return str(workflow.get("name") or "").casefold() == name.casefold()


def _module_label(module: Any) -> str:
    if not isinstance(module, dict):
        return "?"
    return str(module.get("api_name") or module.get("id") or "?")


def _wait(attempt: int, exc: BaseException) -> None:
    retry._sleep(retry.RetryPolicy().wait_seconds(attempt, exc))

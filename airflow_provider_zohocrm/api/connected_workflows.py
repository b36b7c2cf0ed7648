"""Zoho CRM connected workflows: Create Connected Workflow, activate, and Deactivate Connected Workflow.

One method per call, plus ``ensure``: the create that is safe to re-run and to retry after a
lost response (it adopts the workflow a lost POST created instead of posting again). A POST whose
answer was lost is followed by a re-list; posting again is the last resort, and Zoho's unique
names turn a repeated create into DUPLICATE_DATA, which is adopted too.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow_provider_zohocrm import retry
from airflow_provider_zohocrm.api.base import APIFamily, first_item
from airflow_provider_zohocrm.api.connected_workflows_validation import (
    create_body,
    same_module,
    validate_name,
    validate_primary_module,
)
from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMValidationError
from airflow_provider_zohocrm.plan import PlannedRequest, planned
from airflow_provider_zohocrm.validation import check_planned_request, invalid, preview, validate_id

log = logging.getLogger(__name__)

PATH = "settings/connected_workflows"
KEY = "connected_workflows"
STATUSES = ("draft", "active", "inactive")  # a draft until published, then active or inactive
IF_EXISTS = ("reuse", "fail")
ACTIONS = ("activate", "deactivate")


def create_request(name: str, primary_module: str | dict[str, str], description: str | None = None) -> PlannedRequest:
    """POST of a new connected workflow (a draft), validated against Create Connected Workflow's rules."""
    body = create_body(name, primary_module, description)
    return planned("POST", PATH, f"create connected workflow {body[KEY][0]['name']!r}", body=body)


def state_request(connected_workflow_id: str, action: str, summary: str | None = None) -> PlannedRequest:
    """PUT of ``activate`` or ``deactivate`` for one workflow (idempotent by state, so retried)."""
    workflow_id = validate_id(connected_workflow_id, "connected_workflow_id")
    if action not in ACTIONS:
        raise ZohoCRMValidationError(
            f"action must be one of {ACTIONS}; got {preview(action)}", details={"json_path": "action"}
        )
    return planned(
        "PUT", f"{PATH}/{workflow_id}/actions/{action}", summary or f"{action} connected workflow {workflow_id}"
    )


class ConnectedWorkflowsAPI(APIFamily):
    """``client.connected_workflows``: list, read, create (safely), activate and deactivate."""

    def create(self, name: str, primary_module: str | dict[str, str], description: str | None = None) -> str:
        """Create a connected workflow (as a draft) and return its id.

        Sent once: a blind retry of a create could run twice. Use :meth:`ensure` for a create
        that survives lost answers and re-runs.
        """
        return _created_id(self.send(create_request(name, primary_module, description), KEY))

    def list_all(self) -> list[dict[str, Any]]:
        """Every connected workflow of the org (all pages; an empty org answers 204 → ``[]``)."""
        return self.all_pages(PATH, KEY)

    def get(self, connected_workflow_id: str) -> dict[str, Any]:
        """One connected workflow, with its ``status`` (``active``, ``inactive`` or ``draft``)."""
        workflow_id = validate_id(connected_workflow_id, "connected_workflow_id")
        return first_item(
            self.transport.request("GET", f"{PATH}/{workflow_id}"),
            KEY,
            f"connected workflow {workflow_id}",
            hint="Check the id: list the org's connected workflows with client.connected_workflows.list_all()",
        )

    def activate(self, connected_workflow_id: str) -> dict[str, Any]:
        """Publish a draft or re-activate an inactive workflow; returns Zoho's result item.

        Already active (Zoho answers ``ALREADY_ACTIVATED``, e.g. to a retry whose first attempt
        took effect): success, the item carries that code (``api.base.is_already_in_state``).
        """
        return self.send_state(state_request(connected_workflow_id, "activate"))

    def deactivate(self, connected_workflow_id: str) -> dict[str, Any]:
        """Deactivate an active workflow; returns Zoho's result item (``ALREADY_DEACTIVATED``: success too)."""
        return self.send_state(state_request(connected_workflow_id, "deactivate"))

    def send_state(self, request: PlannedRequest) -> dict[str, Any]:
        """Send a :func:`state_request`; Zoho's result item (``{}`` for an empty 2xx answer).

        An "already in that state" answer is a success item with Zoho's code (see ``api.base``).
        """
        items = self.send(request, KEY)
        return items[0] if items else {}

    def find(self, name: str, primary_module: str | dict[str, str] | None = None) -> dict[str, Any]:
        """The workflow called ``name`` (case-insensitive, as Zoho compares names), or ``{}``.

        With ``primary_module``, a workflow of that name on another module raises DUPLICATE_DATA:
        Zoho's names are unique in the org, so it can never be created as asked.
        """
        name = validate_name(name)
        wanted = validate_primary_module(primary_module) if primary_module is not None else None
        return existing_workflow(self.list_all(), name, wanted)

    def ensure(
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
        existing, request = self.plan_create(name, primary_module, description, if_exists=if_exists)
        if existing is not None:
            return existing
        return self.create_or_adopt(request, if_exists=if_exists)

    def plan_create(
        self,
        name: str,
        primary_module: str | dict[str, str],
        description: str | None = None,
        *,
        if_exists: str = "reuse",
    ) -> tuple[dict[str, Any] | None, PlannedRequest]:
        """Validate, list, and decide: ``(result of the existing workflow, request)`` or ``(None, request to send)``.

        Raises before any write what the create would run into: the name taken on another module
        (DUPLICATE_DATA), the module already holding a workflow (LIMIT_EXCEEDED: one per module),
        or the workflow existing with ``if_exists="fail"``.
        """
        request = create_request(name, primary_module, description)
        _check_if_exists(if_exists)
        item = request["json"][KEY][0]
        workflows = self.list_all()
        existing = existing_workflow(workflows, item["name"], item["primary_module"])
        if existing:
            return _adopt(existing, if_exists, created_now=False), request
        check_module_free(workflows, item["primary_module"])
        return None, request

    def create_or_adopt(self, request: PlannedRequest, *, if_exists: str = "reuse") -> dict[str, Any]:
        """Send a create (from :meth:`plan_create`) so that it takes effect at most once.

        No usable answer (connection error, 429, 5xx): re-list and adopt the workflow if the POST
        made it, else post again (at most the connection's ``max_attempts`` times, paced by its
        retry policy). DUPLICATE_DATA or LIMIT_EXCEEDED for our own name (a concurrent run won):
        adopt it, or raise for ``"fail"``. A request not built by :func:`create_request` is refused unsent.
        """
        _check_if_exists(if_exists)
        item = _create_item(request)
        policy = self.transport.policy
        for attempt in range(1, policy.max_attempts + 1):
            try:
                workflow_id = _created_id(self.send(request, KEY))
            except ZohoCRMError as exc:
                if retry.is_retryable(exc):
                    # No usable answer: the POST may or may not have run. Look before posting again.
                    log.warning(
                        "Create of connected workflow %r got no usable answer (%s); re-listing", item["name"], exc
                    )
                    found = self.find(item["name"], item["primary_module"])
                    if found:
                        return _adopt(found, "reuse", created_now=True)
                    if attempt == policy.max_attempts:
                        raise
                    policy.pause(attempt, exc)
                    continue
                if exc.code not in ("DUPLICATE_DATA", "LIMIT_EXCEEDED"):
                    raise
                # Created meanwhile (a concurrent run, or our own earlier POST whose answer was lost).
                found = self.find(item["name"], item["primary_module"])
                if not found:
                    raise
                return _adopt(found, if_exists, created_now=False)
            return {"id": workflow_id, "name": item["name"], "status": "draft", "changed": True}
        raise AssertionError("unreachable")  # pragma: no cover


def _check_if_exists(if_exists: Any) -> None:
    if not isinstance(if_exists, str) or if_exists not in IF_EXISTS:
        raise invalid("if_exists", f"must be one of {', '.join(IF_EXISTS)}; got {preview(if_exists)}")


def _create_item(request: Any) -> dict[str, Any]:
    """The workflow a planned create posts, checked as :func:`create_request` checks it."""
    check_planned_request(request)
    body = request["json"]
    items = body.get(KEY) if isinstance(body, dict) else None
    if (
        request["method"].upper() != "POST"
        or request["path"] != PATH
        or not isinstance(items, list)
        or len(items) != 1
        or not isinstance(items[0], dict)
    ):
        raise invalid(
            "request",
            f"must be the POST {PATH} of one connected workflow; got {preview(request)}",
            "Pass the request plan_create returns",
        )
    return create_body(items[0].get("name"), items[0].get("primary_module"), items[0].get("description"))[KEY][0]


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


def _created_id(items: list[dict[str, Any]]) -> str:
    item = items[0] if items else {}
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

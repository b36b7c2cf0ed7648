"""Operators for connected workflows (Create / Deactivate Connected Workflow): create, activate, deactivate.

Each reads the current state first and writes only when something must change, so a re-run (or
an Airflow retry) after success is a no-op that still succeeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.operators.base import ZohoCRMBaseOperator

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_zohocrm.plan import PlannedRequest


class CreateConnectedWorkflowOperator(ZohoCRMBaseOperator):
    """Create a connected workflow (a draft) unless one with this name and module exists.

    :param name: unique name, at most 50 characters of the documented set.
    :param primary_module: a module API name, or ``{"api_name": ..., "id": ...}`` (one or both).
    :param description: optional, at most 500 characters.
    :param if_exists: ``"reuse"`` (default) returns the existing workflow's id; ``"fail"`` raises.

    Returns ``{"id", "name", "status", "changed"}``. A create whose answer is lost (connection
    reset, 5xx) is resolved by re-listing and adopting the workflow it made: never two workflows.
    """

    template_fields: Sequence[str] = (
        *ZohoCRMBaseOperator.template_fields,
        "name",
        "primary_module",
        "description",
        "if_exists",
    )

    def __init__(
        self,
        *,
        name: str,
        primary_module: str | dict[str, str],
        description: str | None = None,
        if_exists: str = "reuse",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.primary_module = primary_module
        self.description = description
        self.if_exists = if_exists

    def execute(self, context: Context) -> dict[str, Any]:
        workflows = self.hook.client.connected_workflows
        # Validates every input before its first request (a list), then decides.
        existing, request = workflows.plan_create(
            self.name, self.primary_module, self.description, if_exists=self.if_exists
        )
        plan = [] if existing else [request]
        self.log_plan(plan)
        if self.dry_run_enabled:
            return {"dry_run": True, "plan": plan, **_state(existing, self.name, would_change=bool(plan))}
        if existing is not None:
            self.log.info("Connected workflow %r exists already (id %s): nothing to create", self.name, existing["id"])
            return existing
        result = workflows.create_or_adopt(request, if_exists=self.if_exists)
        self.log.info("Connected workflow %r: id %s, status %s", result["name"], result["id"], result["status"])
        return result


class _ConnectedWorkflowStatusOperator(ZohoCRMBaseOperator):
    """Read the workflow's status, then PUT the action only if the status is not the wanted one."""

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "connected_workflow_id")
    action = ""
    wanted = ""

    def __init__(self, *, connected_workflow_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.connected_workflow_id = connected_workflow_id

    def needs_write(self, status: Any) -> bool:
        raise NotImplementedError

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.api.connected_workflows import state_request

        client = self.hook.client
        current = client.connected_workflows.get(self.connected_workflow_id)
        workflow_id = str(self.connected_workflow_id)
        status = current.get("status")
        plan: list[PlannedRequest] = []
        if self.needs_write(status):
            summary = f"{self.action} {current.get('name')!r} (now {status})"
            plan.append(state_request(workflow_id, self.action, summary))
        state = {"id": workflow_id, "name": current.get("name"), "status": status}
        done = self.result_without_write(
            plan, state, f"Connected workflow {workflow_id} is {status} already: nothing to do"
        )
        if done is not None:
            return done
        from airflow_provider_zohocrm.api.base import is_already_in_state

        answer = client.connected_workflows.send_state(plan[0])
        if is_already_in_state(answer):
            # Zoho found it in the wanted state: our PUT was retried after its first attempt took
            # effect, or someone changed it since the read. Either way it went from ``status`` to
            # the wanted state while this task ran.
            self.log.info(
                "Connected workflow %s: Zoho answered %s; it is %s now", workflow_id, answer["code"], self.wanted
            )
        self.log.info("Connected workflow %s: %s -> %s", workflow_id, status, self.wanted)
        return {**state, "status": self.wanted, "changed": True}


class ActivateConnectedWorkflowOperator(_ConnectedWorkflowStatusOperator):
    """Activate (publish) a connected workflow; already active: success without a write.

    :param connected_workflow_id: the workflow's id. Returns ``{"id", "name", "status", "changed"}``.
    """

    action = "activate"
    wanted = "active"

    def needs_write(self, status: Any) -> bool:
        return status != "active"


class DeactivateConnectedWorkflowOperator(_ConnectedWorkflowStatusOperator):
    """Deactivate a connected workflow; already inactive, or a never-published draft: no write.

    A draft does not run, so it is already in the wanted state (Zoho refuses to deactivate one).

    :param connected_workflow_id: the workflow's id. Returns ``{"id", "name", "status", "changed"}``.
    """

    action = "deactivate"
    wanted = "inactive"

    def needs_write(self, status: Any) -> bool:
        return status not in ("inactive", "draft")


def _state(existing: dict[str, Any] | None, name: str, *, would_change: bool) -> dict[str, Any]:
    found = existing or {}
    return {
        "id": found.get("id"),
        "name": found.get("name", name),
        "status": found.get("status"),
        "changed": False,
        "would_change": would_change,
    }

"""One write of a pause or restore: the request it sends, the change it makes, the hook call that makes it.

The requests come from the same builders the single-object operators use, so a plan shows exactly
what the hook sends; the change (``before`` -> ``after``) is what the task returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.api.connected_workflows import PATH as WORKFLOWS_PATH
from airflow_provider_zohocrm.api.reorder import minimal_moves
from airflow_provider_zohocrm.api.workflow_rules import reorder_request, status_request
from airflow_provider_zohocrm.plan import PlannedRequest, planned


@dataclass(frozen=True)
class Action:
    request: PlannedRequest
    change: dict[str, Any]
    method: str  # the ZohoCRMHook method that sends ``request``
    kwargs: dict[str, Any]

    def run(self, hook: Any) -> Any:
        return getattr(hook, self.method)(**self.kwargs)


def rule_status(module: str, rule: dict[str, Any], active: bool, *, delete_schedule_action: bool = False) -> Action:
    """Activate or deactivate ``rule`` (a document entry of ``module``)."""
    rule_id = rule["id"]
    return Action(
        status_request(rule_id, active, delete_schedule_action=delete_schedule_action),
        _change("workflow_rule", rule, module, before=_state(not active), after=_state(active)),
        "set_workflow_rule_status",
        {"rule_id": rule_id, "active": active, "delete_schedule_action": delete_schedule_action},
    )


def workflow_status(workflow: dict[str, Any], active: bool) -> Action:
    """Activate or deactivate a connected workflow (a document entry; its ``status`` is the current one)."""
    verb = "activate" if active else "deactivate"
    summary = f"{verb} connected workflow {workflow['name']!r} (now {workflow['status']})"
    return Action(
        planned("PUT", f"{WORKFLOWS_PATH}/{workflow['id']}/actions/{verb}", summary),
        _change("connected_workflow", workflow, workflow.get("primary_module"), workflow["status"], _state(active)),
        f"{verb}_connected_workflow",
        {"connected_workflow_id": workflow["id"]},
    )


def reorder(module: str, current: list[str], target: list[str]) -> Action:
    """Move the fewest rules of ``module`` to turn the execution order ``current`` into ``target``."""
    moves = minimal_moves(current, target)
    return Action(
        reorder_request(module, moves),
        {"kind": "execution_order", "module": module, "moves": moves, "before": current, "after": target},
        "reorder_workflow_rules",
        {"module": module, "positions": moves},
    )


def _change(kind: str, entry: dict[str, Any], module: Any, before: str, after: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": entry["id"],
        "name": entry.get("name"),
        "module": module,
        "before": before,
        "after": after,
    }


def _state(active: bool) -> str:
    return "active" if active else "inactive"

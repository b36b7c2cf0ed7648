"""One write of a pause or restore: the request it sends and the change it makes.

The requests come from the same builders the single-object operators use, and the client sends
exactly that request, so a plan shows what goes out; the change (``before`` -> ``after``) is what
the task returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.connected_workflows import state_request
from airflow_provider_zohocrm.api.reorder import apply_positions, reorder_steps
from airflow_provider_zohocrm.api.workflow_rules import reorder_request, status_request

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.plan import PlannedRequest


@dataclass(frozen=True)
class Action:
    request: PlannedRequest
    change: dict[str, Any]

    def run(self, client: ZohoCRMClient) -> list[dict[str, Any]]:
        return client.send(self.request)


def rule_status(module: str, rule: dict[str, Any], active: bool, *, delete_schedule_action: bool = False) -> Action:
    """Activate or deactivate ``rule`` (a document entry of ``module``)."""
    rule_id = rule["id"]
    return Action(
        status_request(rule_id, active, delete_schedule_action=delete_schedule_action),
        _change("workflow_rule", rule, module, before=_state(not active), after=_state(active)),
    )


def workflow_status(workflow: dict[str, Any], active: bool) -> Action:
    """Activate or deactivate a connected workflow (a document entry; its ``status`` is the current one)."""
    verb = "activate" if active else "deactivate"
    summary = f"{verb} connected workflow {workflow['name']!r} (now {workflow['status']})"
    return Action(
        state_request(workflow["id"], verb, summary),
        _change("connected_workflow", workflow, workflow.get("primary_module"), workflow["status"], _state(active)),
    )


def reorder(module: str, current: list[str], target: list[str]) -> list[Action]:
    """Move the fewest rules of ``module`` to turn the execution order ``current`` into ``target``.

    One action per request: Zoho takes at most 10 moves per request, so more are split into steps,
    each planned on the order the one before leaves (its change's ``before``) and to be sent in order.
    A change's ``moves`` are its request's; ``step``/``steps`` say which of how many.
    """
    steps = reorder_steps(current, target)
    changes: list[Action] = []
    before = list(current)
    for number, moves in enumerate(steps, start=1):
        after = apply_positions(before, {move["id"]: move["module_specific_sequence"] for move in moves})
        change: dict[str, Any] = {
            "kind": "execution_order",
            "module": module,
            "moves": moves,
            "before": before,
            "after": after,
        }
        if len(steps) > 1:
            change.update(step=number, steps=len(steps))
        changes.append(Action(reorder_request(module, moves, step=(number, len(steps))), change))
        before = after
    return changes


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

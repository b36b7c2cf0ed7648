"""The pause plan: deactivate what the snapshot shows active and the selection names, if it still is.

The live state decides whether to write, so a re-run (or an Airflow retry) writes only what is
still active. Rules the snapshot shows inactive are never touched: restore would never turn them on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.automation import actions
from airflow_provider_zohocrm.automation.document import rules_of, workflows_of
from airflow_provider_zohocrm.automation.selection import Selection


@dataclass(frozen=True)
class PausePlan:
    """The deactivations to send, and the selected active objects that need none (with the reason)."""

    actions: list[actions.Action]
    unchanged: list[dict[str, Any]]


def pause_reads(snapshot: dict[str, Any], selection: Selection) -> tuple[list[str], bool]:
    """What a pause must read: the modules with a selected active rule, and whether connected workflows."""
    modules = [
        module
        for module in snapshot["modules"]
        if any(rule["active"] and rule["id"] in selection.rule_ids for rule in rules_of(snapshot, module))
    ]
    workflows = any(w["status"] == "active" and w["id"] in selection.workflow_ids for w in workflows_of(snapshot))
    return modules, workflows


def plan_pause(
    snapshot: dict[str, Any], live: dict[str, Any], selection: Selection, *, delete_schedule_action: bool
) -> PausePlan:
    """Deactivations for the selected objects active in ``snapshot``, judged against ``live``."""
    plan = PausePlan([], [])
    for module in snapshot["modules"]:
        now = {rule["id"]: rule for rule in rules_of(live, module)}
        for rule in rules_of(snapshot, module):
            if rule["id"] not in selection.rule_ids or not rule["active"]:
                continue
            current = now.get(rule["id"])
            if current is not None and current["active"]:
                action = actions.rule_status(module, current, False, delete_schedule_action=delete_schedule_action)
                plan.actions.append(action)
            else:
                plan.unchanged.append(
                    _unchanged("workflow_rule", rule, module, None if current is None else "inactive")
                )
    now_workflows = {workflow["id"]: workflow for workflow in workflows_of(live)}
    for workflow in workflows_of(snapshot):
        if workflow["id"] not in selection.workflow_ids or workflow["status"] != "active":
            continue
        current = now_workflows.get(workflow["id"])
        if current is not None and current["status"] == "active":
            plan.actions.append(actions.workflow_status(current, False))
        else:
            status = None if current is None else current["status"]
            plan.unchanged.append(_unchanged("connected_workflow", workflow, workflow["primary_module"], status))
    return plan


def _unchanged(kind: str, entry: dict[str, Any], module: Any, status: str | None) -> dict[str, Any]:
    reason = f"{status} already" if status else "deleted since the snapshot"
    return {"kind": kind, "id": entry["id"], "name": entry.get("name"), "module": module, "reason": reason}

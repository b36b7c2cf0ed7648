"""The restore plan: back to the snapshot's statuses and execution order, touching only what differs.

Restore never writes a drifted object (see :mod:`.drift`): created and edited rules keep their
status and their slot in the execution order, and the rules the snapshot knows fill the other slots
in the snapshot's order. Statuses go back only for objects that are inactive now and active in the
snapshot (anything else differing is drift), so restore only ever activates and reorders.

A drift *blocks* the restore (``"blocks_restore": true``) when a restore ignoring it would have
written the object: an edited rule whose status differs from the snapshot or that the snapshot's
order would move, an edited connected workflow whose status differs. Created and deleted objects
never block. ``on_drift="fail"`` refuses the whole restore on any drift, blocking or not; with
``"warn"`` the flag tells which drifted objects the restore left differing from the snapshot.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.automation import actions
from airflow_provider_zohocrm.automation.document import rules_of, workflows_of
from airflow_provider_zohocrm.automation.drift import CREATED, EDITED, detect_drift


@dataclass(frozen=True)
class RestorePlan:
    """The writes to send (reorders, then activations) and the drift found, each marked ``blocks_restore``."""

    actions: list[actions.Action]
    drift: list[dict[str, Any]]

    @property
    def blocking(self) -> list[dict[str, Any]]:
        return [entry for entry in self.drift if entry["blocks_restore"]]


def plan_restore(snapshot: dict[str, Any], live: dict[str, Any]) -> RestorePlan:
    """What brings ``live`` back to ``snapshot`` without overwriting drift."""
    drift = detect_drift(snapshot, live)
    created, edited = (_ids(drift, "workflow_rule", change) for change in (CREATED, EDITED))
    planned: list[actions.Action] = []
    blocked: set[tuple[str, str]] = set()
    for module in snapshot["modules"]:
        planned += _module_actions(module, rules_of(snapshot, module), rules_of(live, module), created, edited, blocked)
    edited_workflows = _ids(drift, "connected_workflow", EDITED)
    planned += _workflow_actions(workflows_of(snapshot), workflows_of(live), edited_workflows, blocked)
    for entry in drift:
        entry["blocks_restore"] = (entry["kind"], entry["id"]) in blocked
    return RestorePlan(planned, drift)


def restored_order(current: list[str], saved: list[str], pinned: Collection[str]) -> list[str]:
    """``current`` with the slots of the known, unpinned rules refilled in the snapshot's (``saved``) order."""
    present = set(current)
    known = [rule_id for rule_id in saved if rule_id in present and rule_id not in pinned]
    refill = iter(known)
    movable = set(known)
    return [next(refill) if rule_id in movable else rule_id for rule_id in current]


def _ids(drift: list[dict[str, Any]], kind: str, change: str) -> set[str]:
    return {entry["id"] for entry in drift if entry["kind"] == kind and entry["change"] == change}


def _module_actions(
    module: str,
    saved: list[dict[str, Any]],
    now: list[dict[str, Any]],
    created: set[str],
    edited: set[str],
    blocked: set[tuple[str, str]],
) -> list[actions.Action]:
    current = [rule["id"] for rule in now]
    saved_order = [rule["id"] for rule in saved]
    target = restored_order(current, saved_order, created | edited)
    blind = restored_order(current, saved_order, created)  # where a restore ignoring the edits would put them
    planned = actions.reorder(module, current, target)
    live = {rule["id"]: (index, rule) for index, rule in enumerate(now)}
    for rule in saved:
        index, current_rule = live.get(rule["id"], (-1, None))
        if current_rule is None:
            continue
        differs = current_rule["active"] != rule["active"]
        if rule["id"] in edited:
            if differs or blind[index] != rule["id"]:
                blocked.add(("workflow_rule", rule["id"]))
        elif differs:
            planned.append(actions.rule_status(module, current_rule, rule["active"]))
    return planned


def _workflow_actions(
    saved: list[dict[str, Any]], now: list[dict[str, Any]], edited: set[str], blocked: set[tuple[str, str]]
) -> list[actions.Action]:
    live = {workflow["id"]: workflow for workflow in now}
    planned = []
    for workflow in saved:
        current = live.get(workflow["id"])
        if current is None or current["status"] == workflow["status"]:
            continue
        if workflow["id"] in edited:
            blocked.add(("connected_workflow", workflow["id"]))
        else:  # active in the snapshot, inactive now: anything else is drift
            planned.append(actions.workflow_status(current, True))
    return planned

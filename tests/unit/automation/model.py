"""Builders of snapshot documents and a model of Zoho that applies planned actions (for pure tests)."""

from __future__ import annotations

import copy
from typing import Any

from airflow_provider_zohocrm.api.reorder import apply_positions
from airflow_provider_zohocrm.automation.actions import Action
from airflow_provider_zohocrm.automation.document import build_document

TAKEN_AT = "2026-01-01T06:00:00+00:00"
T0 = "2025-01-01T00:00:00+00:00"
T1 = "2026-01-01T06:05:00+00:00"


def rule(rule_id: str, active: bool = True, name: str | None = None, modified_time: str = T0) -> dict[str, Any]:
    """A rule as Zoho lists it (summary form)."""
    return {
        "id": rule_id,
        "name": name or f"Rule {rule_id}",
        "status": {"active": active},
        "modified_time": modified_time,
    }


def workflow(
    workflow_id: str, status: str = "active", name: str | None = None, module: str = "Leads", modified_time: str = T0
) -> dict[str, Any]:
    """A connected workflow as Zoho lists it."""
    return {
        "id": workflow_id,
        "name": name or f"Workflow {workflow_id}",
        "status": status,
        "primary_module": {"api_name": module, "id": "4876876000000002175"},
        "modified_time": modified_time,
    }


def doc(rules: dict[str, list[dict[str, Any]]], workflows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return build_document(rules, workflows, TAKEN_AT)


# Two Leads rules (one active) and one connected workflow: for tests that only pass a document around.
SMALL_SNAPSHOT = doc({"Leads": [rule("11"), rule("12", active=False)]}, [workflow("91")])


def method(action: Action) -> str:
    """The hook method that makes the same write as ``action.request`` (for readable assertions)."""
    path = action.request["path"]
    if path.endswith("/actions/reorder"):
        return "reorder_workflow_rules"
    if path.startswith("settings/connected_workflows/"):
        return f"{path.rsplit('/', 1)[1]}_connected_workflow"
    return "set_workflow_rule_status"


def kwargs(action: Action) -> dict[str, Any]:
    """The arguments that hook method would take, read back from the planned request."""
    request = action.request
    name = method(action)
    if name == "reorder_workflow_rules":
        return {"module": request["params"]["module"], "positions": request["json"]["reorder"]["workflow_rules"]}
    if name == "set_workflow_rule_status":
        item = request["json"]["workflow_rules"][0]
        return {
            "rule_id": item["id"],
            "active": item["status"]["active"],
            "delete_schedule_action": item["status"].get("delete_schedule_action", False),
        }
    return {"connected_workflow_id": request["path"].split("/")[2]}


def apply(document: dict[str, Any], actions: list[Action], stamp: str = T1) -> dict[str, Any]:
    """``document`` after Zoho carried out the requests of ``actions``; every status write stamps ``modified_time``."""
    result = copy.deepcopy(document)
    for action in actions:
        name, args = method(action), kwargs(action)
        if name == "reorder_workflow_rules":
            _reorder(result, args["module"], args["positions"])
        elif name == "set_workflow_rule_status":
            entry = _find(result, args["rule_id"])
            entry.update(active=args["active"], modified_time=stamp)
        else:
            entry = next(w for w in result["connected_workflows"] if w["id"] == args["connected_workflow_id"])
            entry.update(status="active" if name.startswith("activate") else "inactive", modified_time=stamp)
    return result


def _reorder(document: dict[str, Any], module: str, positions: list[dict[str, Any]]) -> None:
    rules = document["modules"][module]["workflow_rules"]
    by_id = {entry["id"]: entry for entry in rules}
    order = apply_positions(
        [entry["id"] for entry in rules], {p["id"]: p["module_specific_sequence"] for p in positions}
    )
    document["modules"][module]["workflow_rules"] = [
        {**by_id[rule_id], "position": n} for n, rule_id in enumerate(order, 1)
    ]


def _find(document: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for section in document["modules"].values() for r in section["workflow_rules"] if r["id"] == rule_id)


def state(document: dict[str, Any]) -> dict[str, Any]:
    """What pause and restore manage: statuses and orders (no timestamps)."""
    return {
        "rules": {m: [(r["id"], r["active"]) for r in s["workflow_rules"]] for m, s in document["modules"].items()},
        "workflows": {w["id"]: w["status"] for w in document["connected_workflows"] or []},
    }

"""Differences between files and a live state, and between a plan's expectations and Zoho after an apply."""

from __future__ import annotations

import copy
from typing import Any

from airflow_provider_zohocrm.as_code.files import AutomationFiles, check_rules_document, check_workflows_document
from airflow_provider_zohocrm.as_code.live import LiveState
from airflow_provider_zohocrm.as_code.normalize import live_rule, live_workflow
from airflow_provider_zohocrm.as_code.verify import expected_differences, state_differences

from .model import RULE_A, RULE_B, RULE_C, WORKFLOW, leads, raw_rule, raw_workflow


def live(rules: list[dict[str, Any]] | None = None, status: str = "active") -> LiveState:
    return LiveState(
        rules={"Leads": leads() if rules is None else rules},
        workflows=[raw_workflow(WORKFLOW, "Lead Qualification", "Leads", status)],
    )


def files(edit: Any = None, edit_flows: Any = None) -> AutomationFiles:
    rules = [live_rule(rule) for rule in leads()]
    flows = [live_workflow(raw_workflow(WORKFLOW, "Lead Qualification", "Leads", "active"))]
    if edit:
        edit(rules)
    if edit_flows:
        edit_flows(flows)
    return AutomationFiles(
        "automation",
        {"Leads": check_rules_document({"rules": rules}, "Leads")},
        check_workflows_document({"connected_workflows": flows}),
    )


def test_live_equal_to_the_files_has_no_difference() -> None:
    assert state_differences(files(), live()) == []


def test_each_difference_names_kind_module_id_name_and_field_path() -> None:
    changed = leads()
    changed[1]["name"] = "Renamed in the CRM"
    changed[2]["status"]["active"] = True
    changed[2]["conditions"][0]["scheduled_actions"][0]["execute_after"]["unit"] = 9
    assert state_differences(files(), live(changed, status="inactive")) == [
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": RULE_B,
            "name": "Tag trade-show leads",
            "path": "name",
            "expected": "Tag trade-show leads",
            "actual": "Renamed in the CRM",
        },
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": RULE_C,
            "name": "Nurture cold leads",
            "path": "active",
            "expected": False,
            "actual": True,
        },
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": RULE_C,
            "name": "Nurture cold leads",
            "path": "conditions[0].scheduled_actions[0].execute_after.unit",
            "expected": 3,
            "actual": 9,
        },
        {
            "kind": "connected_workflow",
            "module": "Leads",
            "id": WORKFLOW,
            "name": "Lead Qualification",
            "path": "status",
            "expected": "active",
            "actual": "inactive",
        },
    ]


def test_a_rule_out_of_order_is_named_with_both_positions() -> None:
    moved = leads()
    moved.insert(0, moved.pop())
    assert state_differences(files(), live(moved)) == [
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": RULE_C,
            "name": "Nurture cold leads",
            "path": "position",
            "expected": 3,
            "actual": 1,
        }
    ]


def test_rules_zoho_lacks_are_missing_and_unmanaged_ones_are_no_difference() -> None:
    extra = [*leads(), raw_rule("4876876000099990001", "Someone else's rule")]
    found = state_differences(files(), live([extra[1], extra[3], extra[2]]))
    assert found == [
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": RULE_A,
            "name": "Assign web leads",
            "path": "",
            "expected": "exists",
            "actual": "missing",
        }
    ]


def test_a_connected_workflow_zoho_lacks_is_missing() -> None:
    def add(flows: list[dict[str, Any]]) -> None:
        flows.append({"name": "Deals flow", "primary_module": "Deals", "status": "draft"})

    assert state_differences(files(edit_flows=add), live())[-1] == {
        "kind": "connected_workflow",
        "module": "Deals",
        "id": None,
        "name": "Deals flow",
        "path": "",
        "expected": "exists",
        "actual": "missing",
    }


def test_expectations_of_a_plan_are_checked_with_the_ids_the_creations_got() -> None:
    created = raw_rule("4876876000099990001", "Created")
    new = copy.deepcopy(live_rule(created))
    del new["id"]
    expected = {
        "workflow_rules": {
            "Leads": {
                "order": ["new:Leads:1", RULE_A, RULE_B, RULE_C],
                "rules": [{**new, "ref": "new:Leads:1"}, {**live_rule(leads()[1]), "active": False}],
            }
        },
        "connected_workflows": [{"id": WORKFLOW, "name": "Lead Qualification", "status": "active"}],
    }
    refs = {"new:Leads:1": created["id"]}
    state = live([created, *leads()])
    found = expected_differences(expected, refs, state)
    assert [(d["id"], d["path"], d["expected"], d["actual"]) for d in found] == [(RULE_B, "active", False, True)]
    late = expected_differences(expected, refs, live([*leads(), created]))
    assert [(d["id"], d["path"]) for d in late] == [(RULE_B, "active"), (created["id"], "position")]
    lost = expected_differences(expected, {}, state)
    assert lost[0]["path"] == ""
    assert lost[0]["actual"] == "missing"

"""The plan, built from files and a live state without any request; its data form and its rendering."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from airflow_provider_zohocrm.api.reorder import apply_positions
from airflow_provider_zohocrm.as_code.files import AutomationFiles, check_rules_document, check_workflows_document
from airflow_provider_zohocrm.as_code.live import LiveState
from airflow_provider_zohocrm.as_code.normalize import live_rule, live_workflow
from airflow_provider_zohocrm.as_code.plan import Plan, build_plan
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

from .model import RULE_A, RULE_B, RULE_C, WORKFLOW, leads, raw_rule, raw_workflow

VENDOR = "4876876000019209035"


def workflows() -> list[dict[str, Any]]:
    return [
        raw_workflow(WORKFLOW, "Lead Qualification", "Leads", "active"),
        raw_workflow(VENDOR, "Vendor Review", "Vendors", "draft"),
    ]


def state(rules: list[dict[str, Any]] | None = None, flows: list[dict[str, Any]] | None = None) -> LiveState:
    return LiveState(
        rules={"Leads": leads() if rules is None else rules}, workflows=workflows() if flows is None else flows
    )


def files_of(live: LiveState, edit: Any = None, edit_flows: Any = None) -> AutomationFiles:
    """The files an export of ``live`` writes, edited by ``edit(rules)`` / ``edit_flows(workflows)``."""
    rules = [live_rule(rule) for rule in live.rules["Leads"]]
    flows = [live_workflow(workflow) for workflow in live.workflows]
    if edit is not None:
        edit(rules)
    if edit_flows is not None:
        edit_flows(flows)
    return AutomationFiles(
        directory="automation",
        rules={"Leads": check_rules_document(json.loads(json.dumps({"rules": rules})), "Leads")},
        workflows=check_workflows_document({"connected_workflows": flows}),
    )


def plan_for(edit: Any = None, edit_flows: Any = None, live: LiveState | None = None) -> Plan:
    live = live or state()
    return build_plan(files_of(live, edit, edit_flows), live)


def actions(plan: Plan) -> list[tuple[str, str | None]]:
    return [(step["action"], step["id"]) for step in plan.steps]


def test_files_equal_to_zoho_plan_nothing() -> None:
    live = state()
    plan = plan_for(live=live)
    assert plan.steps == []
    assert not plan.has_changes
    assert plan.fingerprint == live.fingerprint
    assert plan.expected == {}
    assert plan.modules == ["Leads"]
    assert "nothing to change" in plan.render()


def test_steps_go_deactivations_updates_creations_reorders_then_activations() -> None:
    def edit(rules: list[dict[str, Any]]) -> None:
        rules[0]["active"] = False
        rules[2]["active"] = True
        rules[1]["description"] = "New words"
        new = copy.deepcopy(rules[1])
        del new["id"]
        for condition in new["conditions"]:
            del condition["id"]
            del condition["scheduled_actions"][0]["id"]
            del condition["instant_actions"]["actions"][1]["id"]
        new["name"] = "New rule"
        new["active"] = False
        rules.append(new)
        rules.insert(0, rules.pop(2))

    def edit_flows(flows: list[dict[str, Any]]) -> None:
        flows[0]["status"] = "inactive"
        flows[1]["status"] = "active"

    plan = plan_for(edit, edit_flows)
    assert actions(plan) == [
        ("set_rule_status", RULE_A),
        ("set_workflow_status", WORKFLOW),
        ("update_rule", RULE_B),
        ("create_rule", None),
        ("set_rule_status", None),
        ("reorder_rules", None),
        ("set_rule_status", RULE_C),
        ("set_workflow_status", VENDOR),
    ]
    create, deferred, reorder = plan.steps[3:6]
    assert create["request"]["method"] == "POST"
    assert deferred["request"] is None
    assert deferred["ref"] == create["ref"] == "new:Leads:1"
    # the new rule is created last, which is where the file has it: the reorder needs no new id
    assert reorder["request"]["json"] == {
        "reorder": {"workflow_rules": [{"id": RULE_C, "module_specific_sequence": 1}]}
    }
    assert plan.modules_changed() == ["Leads", "Vendors"]
    assert plan.expected["workflow_rules"]["Leads"]["order"] == [RULE_C, RULE_A, RULE_B, "new:Leads:1"]
    touched = {rule.get("id") or rule.get("ref") for rule in plan.expected["workflow_rules"]["Leads"]["rules"]}
    assert touched == {RULE_A, RULE_B, RULE_C, "new:Leads:1"}
    assert [w["id"] for w in plan.expected["connected_workflows"]] == [WORKFLOW, VENDOR]


def test_a_reorder_moving_a_rule_still_to_create_is_built_when_applied() -> None:
    def edit(rules: list[dict[str, Any]]) -> None:
        new = copy.deepcopy(rules[0])
        del new["id"]
        for condition in new["conditions"]:
            del condition["id"]
            del condition["scheduled_actions"][0]["id"]
            del condition["instant_actions"]["actions"][1]["id"]
        new["name"] = "First"
        rules.insert(0, new)

    plan = plan_for(edit)
    assert actions(plan) == [("create_rule", None), ("reorder_rules", None)]
    reorder = plan.steps[1]
    assert reorder["request"] is None
    assert reorder["order"] == ["new:Leads:1", RULE_A, RULE_B, RULE_C]
    assert reorder["changes"] == [{"path": "position", "id": None, "name": "First", "before": 4, "after": 1}]
    assert "[request built when applied]" in plan.render()


def test_a_long_reorder_goes_in_requests_of_at_most_10_that_give_the_order() -> None:
    rules = [raw_rule(str(4876876000020000000 + n), f"Rule {n}") for n in range(25)]
    live = state(rules)
    plan = plan_for(lambda items: items.reverse(), live=live)
    assert {step["action"] for step in plan.steps} == {"reorder_rules"}
    order = [rule["id"] for rule in rules]
    for step in plan.steps:
        moves = step["request"]["json"]["reorder"]["workflow_rules"]
        assert len(moves) <= 10
        order = apply_positions(order, {m["id"]: m["module_specific_sequence"] for m in moves})
    assert order == [rule["id"] for rule in reversed(rules)]


def test_unmanaged_rules_are_reported_and_keep_their_slot() -> None:
    plan = plan_for(lambda rules: (rules.pop(1), rules.reverse()))
    assert plan.unmanaged == [
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": RULE_B,
            "name": "Tag trade-show leads",
            "position": 2,
            "active": True,
        }
    ]
    moves = plan.steps[0]["request"]["json"]["reorder"]["workflow_rules"]
    order = apply_positions([RULE_A, RULE_B, RULE_C], {m["id"]: m["module_specific_sequence"] for m in moves})
    assert order == [RULE_C, RULE_B, RULE_A]
    assert all(step["action"] == "reorder_rules" for step in plan.steps)


def test_a_rule_whose_id_is_not_live_is_matched_by_its_name() -> None:
    plan = plan_for(lambda rules: rules[0].update(id="1234"))
    assert plan.steps == []
    twin = leads()
    twin[1]["name"] = twin[0]["name"]
    with pytest.raises(ZohoCRMValidationError, match="matches 2 live rules") as caught:
        plan_for(lambda rules: (rules[0].update(id="1234"), rules.pop(1)), live=state(twin))
    assert caught.value.json_path == "rules[0].id"


def test_a_key_no_api_call_changes_is_refused_naming_file_rule_and_path() -> None:
    live = state()
    files = files_of(live, lambda rules: rules[1].update(colour="red"))
    with pytest.raises(ZohoCRMValidationError) as caught:
        build_plan(files, live)
    assert caught.value.details == {
        "file": "workflow_rules/Leads.yaml",
        "rule": "'Tag trade-show leads' (rules[1])",
        "json_path": "rules[1].colour",
    }


def test_an_update_zoho_would_refuse_is_refused_at_plan_time() -> None:
    def edit(rules: list[dict[str, Any]]) -> None:
        rules[0]["execute_when"]["details"]["trigger_module"] = {"api_name": "Contacts"}

    with pytest.raises(ZohoCRMValidationError, match="cannot be changed") as caught:
        plan_for(edit)
    assert caught.value.details["rule"] == "'Assign web leads' (rules[0])"


@pytest.mark.parametrize(
    ("edit_flows", "words"),
    [
        (lambda flows: flows[0].update(status="draft"), "cannot become a draft again"),
        (lambda flows: flows[1].update(status="inactive"), "a draft cannot be deactivated"),
        (lambda flows: flows[0].update(description="Other words"), "no API call changes"),
        (lambda flows: flows[0].update(id=None, name="Lead qualification", primary_module="Deals"), "no API call"),
        (
            lambda flows: flows.append({"name": "Second", "primary_module": "Leads", "status": "draft"}),
            "one per primary module",
        ),
        (
            lambda flows: flows.append({"name": "New", "primary_module": "Deals", "status": "inactive"}),
            "created as a draft",
        ),
    ],
)
def test_connected_workflow_changes_no_api_call_makes_are_refused(edit_flows: Any, words: str) -> None:
    with pytest.raises(ZohoCRMValidationError, match=words) as caught:
        plan_for(edit_flows=edit_flows)
    assert caught.value.details["file"] == "connected_workflows.yaml"


def test_a_new_connected_workflow_is_created_then_published() -> None:
    plan = plan_for(
        edit_flows=lambda flows: flows.append({"name": "Deals flow", "primary_module": "Deals", "status": "active"})
    )
    assert actions(plan) == [("create_workflow", None), ("set_workflow_status", None)]
    assert plan.steps[0]["request"]["json"] == {
        "connected_workflows": [{"name": "Deals flow", "primary_module": {"api_name": "Deals"}}]
    }
    assert plan.steps[1]["ref"] == plan.steps[0]["ref"]
    assert plan.modules_changed() == ["Deals"]


def test_the_plan_round_trips_through_json() -> None:
    plan = plan_for(lambda rules: (rules[0].update(active=False), rules.reverse()))
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["format"] == 1
    again = Plan.from_dict(data)
    assert again.to_dict() == plan.to_dict()
    assert again.render() == plan.render()


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda d: d.update(format=2), "plan.format"),
        (lambda d: d.update(fingerprint="abc"), "plan.fingerprint"),
        (lambda d: d.update(modules=["Le ads"]), "plan.modules[0]"),
        (lambda d: d.update(extra=1), "plan.extra"),
        (lambda d: d["steps"][0].update(action="delete_rule"), "plan.steps[0].action"),
        (lambda d: d["steps"][0].update(id="x"), "plan.steps[0].id"),
        (lambda d: d["steps"][0]["request"].update(method="DELETE"), "plan.steps[0].request"),
        (
            lambda d: d["steps"][0]["request"].update(path="settings/connected_workflows/1/actions/activate"),
            "plan.steps[0].request",
        ),
        (lambda d: d["steps"][0].update(request=None), "plan.steps[0].ref"),
        (lambda d: d["steps"][1].update(order=["x"]), "plan.steps[1].order"),
        (lambda d: d["steps"][0].update(changes="all"), "plan.steps[0].changes"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_key(edit: Any, path: str) -> None:
    plan = plan_for(lambda rules: (rules[0].update(active=False), rules.reverse()))
    data = copy.deepcopy(plan.to_dict())
    data["steps"][1]["request"] = None
    data["steps"][1]["order"] = [RULE_C, RULE_B, RULE_A]
    Plan.from_dict(copy.deepcopy(data))  # a deferred reorder with its order is fine
    edit(data)
    with pytest.raises(ZohoCRMValidationError) as caught:
        Plan.from_dict(data)
    assert caught.value.json_path == path
    with pytest.raises(ZohoCRMValidationError, match="must be a plan"):
        Plan.from_dict([])


def test_the_rendered_plan_names_rules_paths_and_values() -> None:
    def edit(rules: list[dict[str, Any]]) -> None:
        rules[2]["conditions"][0]["scheduled_actions"][0]["execute_after"]["unit"] = 5
        rules[1]["name"] = "Tag show leads"
        rules.pop(0)

    text = plan_for(edit).render()
    assert "Leads:" in text
    assert "~ update 'Tag show leads' (4876876000011037080):" in text
    assert 'name: "Tag trade-show leads" -> "Tag show leads"' in text
    assert "conditions[0].scheduled_actions[0].execute_after.unit: 3 -> 5" in text
    assert "Unmanaged" in text
    assert "'Assign web leads'" in text.split("Unmanaged")[1]

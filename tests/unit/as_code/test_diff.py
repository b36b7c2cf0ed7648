"""Field-level differences and the update bodies that remove them (what Update Workflow Rule merges)."""

from __future__ import annotations

import copy
from typing import Any

from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update
from airflow_provider_zohocrm.as_code.diff import NO_CRITERIA, create_body, differences, pair, rule_diff
from airflow_provider_zohocrm.as_code.normalize import file_rule, live_rule

from .model import RULE_A, raw_rule

RAW = raw_rule(RULE_A, "Assign web leads")
COND = "4876876000010880008"
GROUP = "4876876000010880009"
TAGS = "4876876000010880007"
NOTIFY = "4876876000000329001"


def have() -> dict[str, Any]:
    return live_rule(RAW)


def edited(edit: Any) -> dict[str, Any]:
    want = copy.deepcopy(have())
    edit(want)
    return file_rule(want)


def test_equal_rules_differ_in_nothing() -> None:
    diff = rule_diff(have(), have())
    assert diff.changes == []
    assert diff.body == {}


def test_a_rename_sends_only_the_name() -> None:
    diff = rule_diff(edited(lambda r: r.update(name="Assign all leads")), have())
    assert diff.body == {"name": "Assign all leads"}
    assert diff.changes == [{"path": "name", "before": "Assign web leads", "after": "Assign all leads"}]


def test_a_delay_change_patches_one_group_by_id_and_validates_against_the_rule() -> None:
    def edit(rule: dict[str, Any]) -> None:
        rule["conditions"][0]["scheduled_actions"][0]["execute_after"]["unit"] = 5

    diff = rule_diff(edited(edit), have())
    assert diff.body == {
        "conditions": [
            {"id": COND, "scheduled_actions": [{"id": GROUP, "execute_after": {"period": "business_days", "unit": 5}}]}
        ]
    }
    assert diff.changes == [{"path": "conditions[0].scheduled_actions[0].execute_after.unit", "before": 3, "after": 5}]
    validate_rule_update(diff.body, RAW)


def test_what_the_file_leaves_out_at_the_top_is_left_as_zoho_has_it() -> None:
    diff = rule_diff(edited(lambda r: [r.pop("description"), r.pop("lock"), r.pop("execute_when")]), have())
    assert diff.body == {}


def test_null_in_a_file_asks_for_none() -> None:
    diff = rule_diff(edited(lambda r: r.update(description=None)), have())
    assert diff.body == {"description": None}
    removed = rule_diff(edited(lambda r: r["conditions"][0].update(scheduled_actions=None)), have())
    assert removed.body == {"conditions": [{"id": COND, "scheduled_actions": [{"id": GROUP, "_delete": None}]}]}
    assert removed.changes[0]["path"] == f"conditions[0].scheduled_actions[id={GROUP}]"
    assert removed.changes[0]["after"] is None


def test_ids_and_defaults_zoho_adds_are_not_differences() -> None:
    def edit(rule: dict[str, Any]) -> None:
        criteria = rule["conditions"][0]["criteria_details"]
        del criteria["relational_criteria"]
        del criteria["criteria"]["field"]["id"]
        del rule["conditions"][0]["instant_actions"]["actions"][0]["related_details"]

    assert rule_diff(edited(edit), have()).body == {}


def test_actions_are_matched_by_id_type_and_name_whatever_their_order() -> None:
    def edit(rule: dict[str, Any]) -> None:
        rule["conditions"][0]["instant_actions"]["actions"].reverse()
        rule["conditions"][0]["instant_actions"]["actions"][0].pop("id")  # the inline tag action, found by name

    assert rule_diff(edited(edit), have()).body == {}


def test_actions_added_removed_and_patched() -> None:
    def edit(rule: dict[str, Any]) -> None:
        actions = rule["conditions"][0]["instant_actions"]["actions"]
        actions[1]["details"]["over_write"] = True  # patched inline action
        del actions[0]  # associate action removed
        actions.append({"id": "4876876000000329005", "type": "email_notifications"})  # associate added
        actions.append({"id": "999", "type": "add_tags", "name": "Hot", "details": {"tags": []}})  # inline added

    diff = rule_diff(edited(edit), have())
    patched = copy.deepcopy(RAW["conditions"][0]["instant_actions"]["actions"][1]["details"])
    patched["over_write"] = True
    assert diff.body == {
        "conditions": [
            {
                "id": COND,
                "instant_actions": {
                    "actions": [
                        {"id": NOTIFY, "type": "email_notifications", "_delete": None},
                        {"id": TAGS, "type": "add_tags", "details": patched},
                        {"id": "4876876000000329005", "type": "email_notifications"},
                        {"type": "add_tags", "name": "Hot", "details": {"tags": []}},  # inline: Zoho gives the id
                    ]
                },
            }
        ]
    }
    paths = [change["path"] for change in diff.changes]
    assert paths == [
        f"conditions[0].instant_actions.actions[id={NOTIFY}]",
        "conditions[0].instant_actions.actions[0].details.over_write",
        "conditions[0].instant_actions.actions[1]",
        "conditions[0].instant_actions.actions[2]",
    ]
    validate_rule_update(diff.body, RAW)


def test_conditions_removed_added_and_renumbered() -> None:
    def edit(rule: dict[str, Any]) -> None:
        added = copy.deepcopy(rule["conditions"][0])
        added["criteria_details"] = None
        rule["conditions"][0]["sequence_number"] = 2
        rule["conditions"].insert(0, added)
        added["sequence_number"] = 1
        del added["id"]

    diff = rule_diff(edited(edit), have())
    entries = diff.body["conditions"]
    assert entries[0] == {"id": COND, "sequence_number": 2}
    assert "id" not in entries[1]
    assert entries[1]["sequence_number"] == 1
    assert "id" not in entries[1]["scheduled_actions"][0]
    assert [action.get("id") for action in entries[1]["instant_actions"]["actions"]] == [NOTIFY, None]
    validate_rule_update(diff.body, RAW)
    gone = rule_diff(edited(lambda r: r["conditions"][0].update(id="1")), have())  # no such condition: by number
    assert gone.body == {}


def test_criteria_null_is_sent_as_the_shape_zoho_answers_for_all_records() -> None:
    diff = rule_diff(edited(lambda r: r["conditions"][0].update(criteria_details=None)), have())
    assert diff.body["conditions"][0]["criteria_details"] == NO_CRITERIA


def test_a_key_no_update_can_change_is_reported_as_unsupported() -> None:
    diff = rule_diff({**have(), "colour": "red"}, {**have(), "colour": "blue"})
    assert diff.unsupported == ["colour"]
    assert diff.body == {}
    assert diff.changes == [{"path": "colour", "before": "blue", "after": "red"}]


def test_leaf_differences_name_the_deepest_path() -> None:
    assert differences({"a": {"b": [1, {"c": 2}]}}, {"a": {"b": [1, {"c": 3}]}, "z": 0}, "x") == [
        {"path": "x.a.b[1].c", "before": 3, "after": 2}
    ]
    assert differences([1], [1, 2], "l") == [{"path": "l", "before": [1, 2], "after": [1]}]
    assert differences(None, {"a": None, "b": []}, "e") == []


def test_pairing_uses_each_key_in_turn() -> None:
    want = [{"id": "2", "n": 1}, {"n": 5}, {"n": 9}]
    have_items = [{"id": "1", "n": 9}, {"id": "2", "n": 2}, {"id": "3", "n": 4}]
    pairs, added, removed = pair(want, have_items, [lambda i, _: i.get("id"), lambda i, _: i.get("n")])
    assert pairs == [(0, 1), (2, 0)]
    assert added == [1]
    assert removed == [2]


def test_a_create_body_has_every_condition_new() -> None:
    body = create_body(edited(lambda r: r.pop("id")), "Leads")
    assert body["module"] == {"api_name": "Leads"}
    assert "active" not in body
    condition = body["conditions"][0]
    assert "id" not in condition
    assert "id" not in condition["scheduled_actions"][0]
    assert [action.get("id") for action in condition["instant_actions"]["actions"]] == [NOTIFY, None]
    assert body["lock"] == {"message": None, "status": False}


def test_references_naming_the_same_module_or_field_are_zohos_whatever_their_ids() -> None:
    def other_org(rule: dict[str, Any]) -> None:
        rule["execute_when"]["details"]["trigger_module"]["id"] = "111"
        rule["conditions"][0]["criteria_details"]["criteria"]["field"]["id"] = "222"
        rule["conditions"][0]["instant_actions"]["actions"][1]["details"]["module"]["id"] = "333"

    assert rule_diff(edited(other_org), have()).body == {}

    def and_renamed(rule: dict[str, Any]) -> None:
        other_org(rule)
        rule["execute_when"]["type"] = "edit"
        rule["conditions"][0]["instant_actions"]["actions"][1]["details"]["over_write"] = True

    body = rule_diff(edited(and_renamed), have()).body
    assert body["execute_when"]["details"]["trigger_module"] == {"api_name": "Leads", "id": "4876876000000002175"}
    sent = body["conditions"][0]["instant_actions"]["actions"][0]["details"]
    assert sent["module"] == {"api_name": "Leads", "id": "4876876000000002175"}
    validate_rule_update(body, RAW)
    moved = rule_diff(
        edited(lambda r: r["execute_when"]["details"].update(trigger_module={"api_name": "Deals"})), have()
    )
    assert moved.body["execute_when"]["details"]["trigger_module"] == {"api_name": "Deals"}


def test_a_create_body_leaves_out_a_trigger_module_naming_the_rules_module() -> None:
    body = create_body(edited(lambda r: r.pop("id")), "Leads")
    assert body["execute_when"] == {"type": "create_or_edit", "details": {"repeat": False}}
    other = create_body(edited(lambda r: r.pop("id")), "Contacts")
    assert other["execute_when"]["details"]["trigger_module"]["api_name"] == "Leads"

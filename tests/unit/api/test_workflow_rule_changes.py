"""What part of an update a rule already shows: the basis of safe re-runs."""

from __future__ import annotations

import copy

import pytest

from airflow_provider_zohocrm.api.workflow_rule_changes import condition_applied, matches, pending_update

from .samples import FIRST_CONDITION, SECOND_CONDITION, condition, leaf, new_condition, rule, scheduled_group


@pytest.mark.parametrize(
    ("given", "have", "expected"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, True),
        ({"a": 1}, {"a": 2}, False),
        ({"a": None}, {}, True),
        ({"a": None}, {"a": []}, True),
        ({"a": ""}, {"a": None}, True),
        (None, {"x": None, "y": {"z": None}}, True),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ([1], [1, 2], False),
        (True, 1, False),
        ("1", 1, False),
    ],
)
def test_matches(given, have, expected):
    assert matches(given, have) is expected


def test_unchanged_scalars_are_not_pending():
    current = rule()
    update = {"id": current["id"], "module": "Leads", "name": current["name"], "description": None}
    assert pending_update(update, current) == {}
    assert pending_update({"name": "Other"}, current) == {"name": "Other"}


def test_status_compares_only_the_state():
    assert pending_update({"status": {"active": True}}, rule(active=True)) == {}
    inactive = rule(active=False)
    assert pending_update({"status": {"active": False, "delete_schedule_action": True}}, inactive) == {}
    assert pending_update({"status": {"active": True}}, inactive) == {"status": {"active": True}}


def test_trigger_and_lock():
    current = rule(trigger="edit")
    assert pending_update({"execute_when": {"type": "edit", "details": {"repeat": False}}}, current) == {}
    assert pending_update({"execute_when": {"details": {"repeat": True}}}, current)
    current["lock"] = {"status": True, "locked_by": {"id": "1"}, "message": "audit"}
    assert pending_update({"lock": {"status": True, "message": "audit"}}, current) == {}
    assert pending_update({"lock": {"status": False}}, current)


def test_only_unapplied_condition_entries_are_pending():
    current = rule()
    update = {
        "conditions": [
            {"id": "4876876000099999999", "_delete": None},  # gone already
            {"id": FIRST_CONDITION, "sequence_number": 1},  # already so
            {"id": SECOND_CONDITION, "sequence_number": 1},  # a change
        ]
    }
    assert pending_update(update, current) == {"conditions": [update["conditions"][2]]}


def test_added_condition_is_applied_once_present():
    entry = new_condition(3, scheduled_actions=None)
    current = rule()
    assert not condition_applied(entry, current["conditions"])
    stored = copy.deepcopy(entry)
    stored.update(id="5", criteria_details={**entry["criteria_details"], "relational_criteria": None})
    stored["instant_actions"]["actions"][0]["name"] = "Follow up"
    assert condition_applied(entry, [*current["conditions"], stored])
    stored["sequence_number"] = 4
    assert not condition_applied(entry, [*current["conditions"], stored])


def test_action_patches():
    current = rule()
    add = {"id": FIRST_CONDITION, "instant_actions": {"actions": [{"id": "4876876000000329703", "type": "tasks"}]}}
    assert condition_applied(add, current["conditions"])  # that task is there
    other = {"id": FIRST_CONDITION, "instant_actions": {"actions": [{"id": "42", "type": "tasks"}]}}
    assert not condition_applied(other, current["conditions"])
    drop = {"id": FIRST_CONDITION, "instant_actions": {"actions": [{"id": "42", "_delete": None}]}}
    assert condition_applied(drop, current["conditions"])
    clear = {"id": FIRST_CONDITION, "instant_actions": None}
    assert not condition_applied(clear, current["conditions"])


def test_scheduled_action_patches():
    group = scheduled_group()
    current = rule(conditions=[condition(FIRST_CONDITION, 1, leaf("A"), scheduled=[group])])
    same = {"id": FIRST_CONDITION, "scheduled_actions": [scheduled_group(None)]}
    assert condition_applied(same, current["conditions"])
    longer = {"id": FIRST_CONDITION, "scheduled_actions": [scheduled_group(None, unit=4)]}
    assert not condition_applied(longer, current["conditions"])
    remove = {"id": FIRST_CONDITION, "scheduled_actions": [{"id": group["id"], "_delete": None}]}
    assert not condition_applied(remove, current["conditions"])
    assert not condition_applied({"id": FIRST_CONDITION, "scheduled_actions": None}, current["conditions"])


def test_criteria_alias_compares_with_criteria_details():
    current = rule()
    same = {"id": FIRST_CONDITION, "criteria": leaf("Annual_Revenue", "1000000")}
    assert condition_applied(same, current["conditions"])
    assert not condition_applied({**same, "criteria": leaf("Annual_Revenue", "5")}, current["conditions"])


@pytest.mark.parametrize(
    ("sent", "stored"), [("b_days", "business_days"), ("b_hours", "business_hours"), ("hrs", "hours")]
)
def test_a_delay_sent_under_the_update_pages_name_matches_its_published_name(sent, stored):
    current = rule(conditions=[condition(FIRST_CONDITION, 1, None, scheduled=[scheduled_group("77", stored, 2)])])
    same = {"conditions": [{"id": FIRST_CONDITION, "scheduled_actions": [scheduled_group("77", sent, 2)]}]}
    assert pending_update(same, current) == {}
    longer = {"conditions": [{"id": FIRST_CONDITION, "scheduled_actions": [scheduled_group("77", sent, 3)]}]}
    assert pending_update(longer, current) == longer
    other = {"conditions": [{"id": FIRST_CONDITION, "scheduled_actions": [scheduled_group("77", "days", 2)]}]}
    assert pending_update(other, current) == other

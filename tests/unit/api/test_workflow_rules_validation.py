"""Client-side checks of workflow-rule updates (page 002), each naming the JSON path it rejects."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm.api.workflow_rules_validation import (
    KNOWN_TRIGGERS,
    NAME_FORBIDDEN,
    count_criteria_fields,
    trigger_categories,
    validate_rule_update,
)
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

from .samples import (
    DOC_ACTIVATE,
    DOC_ADD_AND_REMOVE_ACTIONS,
    DOC_ADD_AND_REMOVE_CONDITIONS,
    DOC_UPDATE_CRITERIA,
    DOC_UPDATE_NAME_AND_TRIGGER,
    FIRST_CONDITION,
    SECOND_CONDITION,
    condition,
    group,
    leaf,
    new_condition,
    rule,
    scheduled_group,
)


def rejects(update: Any, current: dict[str, Any] | None = None, *, path: str, match: str | None = None) -> None:
    with pytest.raises(ZohoCRMValidationError, match=match) as info:
        validate_rule_update(update, current)
    assert info.value.json_path == path
    assert info.value.hint


def leaves(n: int) -> dict[str, Any]:
    """A criteria tree with ``n`` leaves, nested two levels deep."""
    items = [leaf(f"F{i}") for i in range(n)]
    return group(group(*items[: n // 2]), *items[n // 2 :], operator="OR")


# --- page 002's samples pass ------------------------------------------------------------------------------


def test_doc_samples_pass_against_matching_rules():
    validate_rule_update(DOC_UPDATE_NAME_AND_TRIGGER, rule())
    validate_rule_update(DOC_ADD_AND_REMOVE_CONDITIONS, rule())
    validate_rule_update(DOC_UPDATE_CRITERIA, rule())
    validate_rule_update(DOC_ACTIVATE, rule(rule_id="4876876000011150005"))
    contact = rule(conditions=[condition("4876876000015005002", 1, None)])
    validate_rule_update(DOC_ADD_AND_REMOVE_ACTIONS, contact)


def test_inputs_are_not_modified():
    update = copy.deepcopy(DOC_ADD_AND_REMOVE_CONDITIONS)
    current = rule()
    before = copy.deepcopy(current)
    validate_rule_update(update, current)
    assert update == DOC_ADD_AND_REMOVE_CONDITIONS
    assert current == before


# --- shape of the update ----------------------------------------------------------------------------------


@pytest.mark.parametrize("update", [None, [], "name", 3])
def test_rule_must_be_an_object(update):
    rejects(update, path="rule", match="JSON object")


def test_unknown_keys_are_named():
    rejects({"name": "ok", "colour": "red"}, path="rule.colour", match="unknown key")


def test_an_update_must_change_something():
    rejects({"id": "4876876000015014033"}, rule(), path="rule", match="nothing to update")


def test_param_prefixes_every_path():
    with pytest.raises(ZohoCRMValidationError) as info:
        validate_rule_update({"name": "a#b"}, None, param="payload")
    assert info.value.json_path == "payload.name"


def test_body_id_must_be_the_rule_being_updated():
    rejects({"id": "123", "name": "x"}, rule(), path="rule.id", match="not the rule being updated")
    rejects({"id": "12a", "name": "x"}, rule(), path="rule.id")


# --- name and description ---------------------------------------------------------------------------------


def test_name_length_limit_is_100():
    validate_rule_update({"name": "n" * 100})
    rejects({"name": "n" * 101}, path="rule.name", match="101 characters")


@pytest.mark.parametrize("char", list(NAME_FORBIDDEN))
def test_name_forbidden_characters(char):
    rejects({"name": f"Rule {char} one"}, path="rule.name", match="must not contain")


@pytest.mark.parametrize("name", ["", "   ", None, 5])
def test_name_must_be_text(name):
    rejects({"name": name}, path="rule.name")


@given(st.text(max_size=120))
def test_name_property(name):
    ok = bool(name.strip()) and len(name) <= 100 and not set(name) & set(NAME_FORBIDDEN)
    if ok:
        validate_rule_update({"name": name})
    else:
        rejects({"name": name}, path="rule.name")


def test_description_is_text_or_null():
    validate_rule_update({"description": None})
    validate_rule_update({"description": "why"})
    rejects({"description": 7}, path="rule.description")


# --- lock and status ------------------------------------------------------------------------------------


def test_lock_needs_a_message_when_locking():
    validate_rule_update({"lock": {"status": False}})
    validate_rule_update({"lock": {"status": True, "message": "audit"}})
    rejects({"lock": {"status": True}}, path="rule.lock.message")
    rejects({"lock": {"status": True, "message": " "}}, path="rule.lock.message")
    rejects({"lock": {"message": "x"}}, path="rule.lock.status")


def test_status_values():
    validate_rule_update({"status": {"active": False, "delete_schedule_action": True}})
    rejects({"status": {"active": "yes"}}, path="rule.status.active")
    rejects({"status": {"active": False, "delete_schedule_action": 1}}, path="rule.status.delete_schedule_action")
    rejects({"status": {"active": True, "delete_schedule_action": True}}, path="rule.status.delete_schedule_action")


# --- module and trigger -----------------------------------------------------------------------------------


def test_module_cannot_change():
    validate_rule_update({"module": "Leads", "name": "x"}, rule())
    validate_rule_update({"module": {"api_name": "Leads", "id": "4876876000000002175"}, "name": "x"}, rule())
    rejects({"module": "Contacts", "name": "x"}, rule(), path="rule.module", match="cannot be changed")
    rejects({"module": {"id": "1"}, "name": "x"}, rule(), path="rule.module")
    rejects({"module": 5, "name": "x"}, path="rule.module")


def test_trigger_module_cannot_change():
    same = {"execute_when": {"details": {"trigger_module": {"api_name": "Leads"}}}}
    validate_rule_update(same, rule())
    other = {"execute_when": {"details": {"trigger_module": {"api_name": "Deals"}}}}
    rejects(other, rule(), path="rule.execute_when.details.trigger_module", match="cannot be changed")


@pytest.mark.parametrize(
    ("current", "new", "ok"),
    [
        ("create", "edit", True),
        ("create", "delete", True),
        ("create_or_edit", "field_update", True),
        ("score_increase", "score_update", True),
        ("create", "score_update", False),
        ("date_or_datetime", "edit", False),
        ("create", "reschedule", False),  # an Appointments trigger on a Leads rule
        ("create", "recommendation", False),
    ],
)
def test_trigger_stays_in_its_category(current, new, ok):
    update = {"execute_when": {"type": new}}
    if ok:
        validate_rule_update(update, rule(trigger=current))
    else:
        rejects(update, rule(trigger=current), path="rule.execute_when.type", match="stays in its category")


def test_module_specific_categories():
    calls = {"api_name": "Calls", "id": "1"}
    validate_rule_update({"execute_when": {"type": "missed_call"}}, rule(trigger="delete", module=calls))
    appointments = {"api_name": "Appointments__s", "id": "2"}
    validate_rule_update({"execute_when": {"type": "cancel"}}, rule(trigger="create", module=appointments))
    rejects(
        {"execute_when": {"type": "edit"}}, rule(trigger="create", module=appointments), path="rule.execute_when.type"
    )
    assert trigger_categories("create", "Leads") == ["Record action"]
    assert trigger_categories("anyaction", "Leads") == ["Calls module", "Appointments module"]


def test_unknown_trigger_type():
    rejects({"execute_when": {"type": "on_a_whim"}}, path="rule.execute_when.type", match="not a trigger type")
    # Sending back a type our table does not know is not a change.
    validate_rule_update({"execute_when": {"type": "notes_added"}, "name": "x"}, rule(trigger="notes_added"))


def test_trigger_keys():
    rejects({"execute_when": {"typ": "edit"}}, path="rule.execute_when.typ")
    rejects({"execute_when": {"type": "edit", "details": []}}, path="rule.execute_when.details")


def test_trigger_criteria_limit_is_5_fields():
    update = {"execute_when": {"type": "field_update", "details": {"criteria": leaves(5)}}}
    validate_rule_update(update, rule())
    update["execute_when"]["details"]["criteria"] = leaves(6)
    rejects(update, rule(), path="rule.execute_when.details.criteria", match="at most 5")


def test_section_ids_limit_is_10():
    update = {"execute_when": {"type": "section_update", "details": {"section_ids": list(range(10))}}}
    validate_rule_update(update, rule())
    update["execute_when"]["details"]["section_ids"] = list(range(11))
    rejects(update, rule(), path="rule.execute_when.details.section_ids", match="11 sections")


# --- repeat -----------------------------------------------------------------------------------------------


def test_repeat_only_for_edit_triggers():
    rejects({"execute_when": {"type": "create", "details": {"repeat": True}}}, path="rule.execute_when.details.repeat")
    rejects(
        {"execute_when": {"details": {"repeat": False}}},
        rule(trigger="create", details={}),
        path="rule.execute_when.details.repeat",
        match="not supported",
    )
    rejects({"execute_when": {"details": {"repeat": "yes"}}}, path="rule.execute_when.details.repeat")
    validate_rule_update({"execute_when": {"type": "edit", "details": {"repeat": True}}}, rule(trigger="create"))


def test_no_scheduled_actions_with_repeat():
    with_schedule = rule(conditions=[condition(FIRST_CONDITION, 1, None, scheduled=[scheduled_group()])])
    rejects(
        DOC_UPDATE_NAME_AND_TRIGGER,
        with_schedule,
        path="rule.execute_when.details.repeat",
        match="scheduled actions are not supported",
    )
    # The same request is fine when it also drops the schedule.
    drop = {**DOC_UPDATE_NAME_AND_TRIGGER, "conditions": [{"id": FIRST_CONDITION, "scheduled_actions": None}]}
    validate_rule_update(drop, with_schedule)


def test_no_scheduled_actions_added_while_repeating():
    repeating = rule(details={"trigger_module": {"api_name": "Leads"}, "repeat": True})
    add = {"conditions": [{"id": FIRST_CONDITION, "scheduled_actions": [scheduled_group(None)]}]}
    rejects(add, repeating, path="rule.conditions[0].scheduled_actions", match="repeat is true")
    # A trigger type that cannot repeat drops the current repeat, so the schedule is fine then.
    validate_rule_update({**add, "execute_when": {"type": "create"}}, repeating)
    # Without the current rule the request alone shows the conflict.
    rejects(
        {
            "execute_when": {"details": {"repeat": True}},
            "conditions": [new_condition(1, scheduled_actions=[scheduled_group(None)])],
        },
        path="rule.conditions[0].scheduled_actions",
    )


# --- conditions: sequence numbers and counts --------------------------------------------------------------


def test_adding_a_condition_at_the_end():
    validate_rule_update({"conditions": [new_condition(3)]}, rule())


def test_adding_a_condition_that_repeats_a_number():
    rejects(
        {"conditions": [new_condition(1)]},
        rule(),
        path="rule.conditions[0].sequence_number",
        match=r"numbered \[1, 1, 2\]",
    )


def test_adding_a_condition_past_the_end():
    rejects({"conditions": [new_condition(4)]}, rule(), path="rule.conditions[0].sequence_number")


def test_swapping_two_conditions():
    swap = {
        "conditions": [{"id": FIRST_CONDITION, "sequence_number": 2}, {"id": SECOND_CONDITION, "sequence_number": 1}]
    }
    validate_rule_update(swap, rule())


def test_removal_that_leaves_a_gap():
    rejects(
        {"conditions": [{"id": FIRST_CONDITION, "_delete": None}]},
        rule(),
        path="rule.conditions",
        match=r"numbered \[2\]",
    )
    fixed = {"conditions": [{"id": FIRST_CONDITION, "_delete": None}, {"id": SECOND_CONDITION, "sequence_number": 1}]}
    validate_rule_update(fixed, rule())


def test_removing_an_already_removed_condition_is_done():
    one = rule(conditions=[condition(SECOND_CONDITION, 1, None)])
    validate_rule_update({"conditions": [{"id": FIRST_CONDITION, "_delete": None}]}, one)


def test_new_condition_needs_a_number():
    entry = new_condition(1)
    del entry["sequence_number"]
    rejects({"conditions": [entry]}, path="rule.conditions[0].sequence_number", match="required")


@pytest.mark.parametrize("number", [0, -1, "1", 1.0, True])
def test_sequence_number_type(number):
    rejects({"conditions": [new_condition(number)]}, path="rule.conditions[0].sequence_number")


def test_condition_ids():
    rejects(
        {"conditions": [{"id": "999", "sequence_number": 1}]},
        rule(),
        path="rule.conditions[0].id",
        match="has no condition 999",
    )
    rejects({"conditions": [{"id": "x1", "sequence_number": 1}]}, path="rule.conditions[0].id")
    twice = {"conditions": [{"id": FIRST_CONDITION, "sequence_number": 1}, {"id": FIRST_CONDITION, "_delete": None}]}
    rejects(twice, rule(), path="rule.conditions[1].id", match="twice")


def test_delete_marker_must_be_null_and_name_an_id():
    rejects({"conditions": [{"id": FIRST_CONDITION, "_delete": True}]}, path="rule.conditions[0]._delete")
    rejects({"conditions": [{"_delete": None}]}, path="rule.conditions[0].id")


def test_at_most_10_conditions():
    nine = rule(conditions=[condition(str(100 + i), i, leaf(f"F{i}")) for i in range(1, 10)])
    validate_rule_update({"conditions": [new_condition(10)]}, nine)
    rejects({"conditions": [new_condition(10), new_condition(11)]}, nine, path="rule.conditions", match="11 conditions")
    rejects({"conditions": [new_condition(i) for i in range(1, 12)]}, path="rule.conditions")


def test_without_current_repeats_among_the_request_still_show():
    rejects({"conditions": [new_condition(1), new_condition(1)]}, path="rule.conditions[0].sequence_number")
    validate_rule_update({"conditions": [new_condition(2), {"id": FIRST_CONDITION}]})


def test_rerun_of_an_applied_addition_passes():
    added = new_condition(3)
    current = rule()
    current["conditions"].append({**copy.deepcopy(added), "id": "4876876000016000001"})
    validate_rule_update({"conditions": [added]}, current)


@given(
    existing=st.integers(min_value=0, max_value=5),
    numbers=st.lists(st.integers(min_value=-1, max_value=8), min_size=1, max_size=5),
)
def test_sequence_property(existing, numbers):
    """New conditions on a rule numbered 1..k pass exactly when all numbers together are 1..k+m."""
    current = rule(conditions=[condition(str(100 + i), i, leaf(f"Old{i}")) for i in range(1, existing + 1)])
    update = {"conditions": [new_condition(n, leaf(f"New{i}")) for i, n in enumerate(numbers)]}
    ok = sorted(list(range(1, existing + 1)) + numbers) == list(range(1, existing + len(numbers) + 1))
    if ok:
        validate_rule_update(update, current)
    else:
        with pytest.raises(ZohoCRMValidationError, match=r"numbered|integer from 1") as info:
            validate_rule_update(update, current)
        assert info.value.json_path.startswith("rule.conditions")


# --- criteria ----------------------------------------------------------------------------------------------


def test_condition_criteria_limit_is_25_fields_counting_nested_groups():
    validate_rule_update({"conditions": [new_condition(3, leaves(25))]}, rule())
    rejects(
        {"conditions": [new_condition(3, leaves(26))]},
        rule(),
        path="rule.conditions[0].criteria_details.criteria",
        match="26 fields",
    )
    alias = {"conditions": [{"id": SECOND_CONDITION, "criteria": leaves(26)}]}
    rejects(alias, rule(), path="rule.conditions[0].criteria", match="at most 25")


def test_criteria_shape():
    rejects({"conditions": [new_condition(1, "Industry = x")]}, path="rule.conditions[0].criteria_details.criteria")
    rejects(
        {"conditions": [new_condition(1, {"group": "a"})]}, path="rule.conditions[0].criteria_details.criteria.group"
    )


criteria_trees = st.recursive(
    st.builds(lambda name: leaf(name), st.text(min_size=1, max_size=3)),
    lambda children: st.lists(children, max_size=4).map(lambda items: group(*items)),
    max_leaves=40,
)


def _leaf_count(tree: dict[str, Any]) -> int:
    return sum(map(_leaf_count, tree["group"])) if "group" in tree else 1


@given(criteria_trees)
def test_criteria_field_count_property(tree):
    count = _leaf_count(tree)
    assert count_criteria_fields(tree, "c") == count
    update = {"conditions": [new_condition(1, tree)]}
    if count <= 25:
        validate_rule_update(update)
    else:
        rejects(update, path="rule.conditions[0].criteria_details.criteria", match="at most 25")


# --- actions and schedules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["fortnights", "B_DAYS", "Hours", "", None, 3])
def test_schedule_period_values(period):
    update = {"conditions": [new_condition(3, scheduled_actions=[scheduled_group(None, period=period)])]}
    rejects(update, rule(), path="rule.conditions[0].scheduled_actions[0].execute_after.period")


@pytest.mark.parametrize(
    "period",
    [
        "minutes",
        "hours",
        "days",
        "weeks",
        "months",
        "years",
        "business_hours",
        "business_days",
        "b_days",
        "b_hours",
        "hrs",
    ],
)
def test_schedule_periods_documented(period):
    """Zoho's definitions' periods and the Update Workflow Rule page's both pass (Zoho decides)."""
    validate_rule_update({"conditions": [new_condition(3, scheduled_actions=[scheduled_group(None, period)])]}, rule())


@pytest.mark.parametrize("unit", [0, 1, 2000])
def test_schedule_unit_from_zero(unit):
    update = {"conditions": [new_condition(1, scheduled_actions=[scheduled_group("77", "business_hours", unit)])]}
    validate_rule_update(update)


@pytest.mark.parametrize("unit", [-1, -2, "3", 1.5, True, None])
def test_schedule_unit_is_an_integer_from_zero(unit):
    update = {"conditions": [new_condition(1, scheduled_actions=[scheduled_group("77", unit=unit)])]}
    rejects(update, path="rule.conditions[0].scheduled_actions[0].execute_after.unit")


def test_new_schedule_needs_delay_and_actions():
    entry = scheduled_group(None)
    del entry["execute_after"]
    rejects(
        {"conditions": [new_condition(1, scheduled_actions=[entry])]},
        path="rule.conditions[0].scheduled_actions[0].execute_after",
    )


def test_convert_is_not_a_scheduled_action():
    entry = scheduled_group(None)
    entry["actions"] = [{"type": "convert", "details": {}}]
    rejects(
        {"conditions": [new_condition(1, scheduled_actions=[entry])]},
        path="rule.conditions[0].scheduled_actions[0].actions[0].type",
        match="convert",
    )
    instant = new_condition(1)
    instant["instant_actions"]["actions"] = [{"type": "convert", "details": {}}]
    validate_rule_update({"conditions": [instant]})


def test_actions_need_a_type():
    entry = new_condition(1)
    entry["instant_actions"]["actions"] = [{"id": "4876876000000329765"}]
    rejects({"conditions": [entry]}, path="rule.conditions[0].instant_actions.actions[0].type")


def test_action_delete_marker():
    entry = {"id": FIRST_CONDITION, "instant_actions": {"actions": [{"id": "5", "_delete": False}]}}
    rejects({"conditions": [entry]}, path="rule.conditions[0].instant_actions.actions[0]._delete")
    entry["instant_actions"]["actions"] = [{"type": "tasks", "_delete": None}]
    rejects({"conditions": [entry]}, path="rule.conditions[0].instant_actions.actions[0].id")
    group_delete = {"id": FIRST_CONDITION, "scheduled_actions": [{"id": "7", "_delete": 0}]}
    rejects({"conditions": [group_delete]}, path="rule.conditions[0].scheduled_actions[0]._delete")


def test_every_documented_trigger_is_known():
    assert {"create", "edit", "missed_call", "mail_sent_notopened", "tw_send_message"} <= KNOWN_TRIGGERS


def _deep_criteria(depth: int) -> dict[str, Any]:
    criteria: dict[str, Any] = {"field": {"api_name": "Lead_Status"}, "comparator": "equal", "value": "x"}
    for _ in range(depth):
        criteria = {"group_operator": "AND", "group": [criteria]}
    return criteria


@pytest.mark.parametrize(
    ("rule", "where"),
    [
        ({"conditions": [{"id": [], "_delete": None}]}, "rule.conditions[0].id"),
        ({"conditions": [{"id": "../../x", "_delete": None}]}, "rule.conditions[0].id"),
        (
            {"conditions": [{"id": "4876876000000001", "scheduled_actions": [{"id": [], "_delete": None}]}]},
            "rule.conditions[0].scheduled_actions[0].id",
        ),
        ({"conditions": [{"sequence_number": float("nan")}]}, "rule.conditions[0].sequence_number"),
        ({"conditions": [{"sequence_number": 10**5000}]}, "rule.conditions[0].sequence_number"),
        ({"conditions": [{"sequence_number": 1, "criteria": _deep_criteria(3000)}]}, "rule"),
    ],
)
def test_removal_ids_numbers_and_nesting_are_checked_first(rule: dict[str, Any], where: str) -> None:
    with pytest.raises(ZohoCRMValidationError) as caught:
        validate_rule_update(rule, None)
    assert caught.value.json_path == where

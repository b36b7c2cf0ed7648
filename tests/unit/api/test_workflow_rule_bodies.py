"""Rule bodies as Zoho sends them (nulls, missing and extra keys, odd types): read, never a crash.

Validation and the re-run check read the current rule; a body Zoho shaped differently than our samples
must leave them answering (passing, or a typed ``ZohoCRMError``), not raising ``AttributeError``.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_zohocrm.api.workflow_rule_changes import pending_update
from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update
from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMValidationError

from .samples import (
    DOC_ADD_AND_REMOVE_CONDITIONS,
    DOC_UPDATE_CRITERIA,
    DOC_UPDATE_NAME_AND_TRIGGER,
    FIRST_CONDITION,
    LEADS,
    SECOND_CONDITION,
    condition,
    leaf,
    new_condition,
    rule,
    scheduled_group,
)


def zoho_shaped() -> dict[str, Any]:
    """A rule in the shape of Zoho's own GET example: nulls where it shows them, keys our samples lack."""
    current = rule(details={"trigger_module": dict(LEADS)}, trigger="create")  # no repeat key on create
    current.update(
        created_time="2025-12-01T11:09:10+05:30",
        modified_time="2025-12-01T11:15:03+05:30",
        last_executed_time=None,
        editable=True,
        deletable=True,
        source="crm",
        deprecated=False,
        category="default",
    )
    first, second = current["conditions"]
    first["instant_actions"]["actions"].append({"id": "4876876000000330101", "name": "Hook", "type": "webhooks"})
    second["scheduled_actions"] = [
        {
            "id": "4876876000011150015",
            "execute_after": {"period": "business_hours", "unit": 1},
            "actions": [{"id": "4876876000000329701", "name": "Task", "type": "tasks", "related_details": None}],
        }
    ]
    return current


UPDATES = [
    DOC_UPDATE_NAME_AND_TRIGGER,
    DOC_ADD_AND_REMOVE_CONDITIONS,
    DOC_UPDATE_CRITERIA,
    {"name": "Renamed", "description": None},
    {"status": {"active": False, "delete_schedule_action": True}},
    {"execute_when": {"type": "edit", "details": {"repeat": False}}},
    {"execute_when": {"details": {"trigger_module": {"api_name": "Leads"}}}},
    {"module": {"api_name": "Leads"}, "name": "Same module"},
    {"lock": {"status": True, "message": "Quarter close"}},
    {"conditions": [new_condition(3, scheduled_actions=[scheduled_group(None, "business_days", 0)])]},
    {"conditions": [{"id": SECOND_CONDITION, "scheduled_actions": [{"id": "4876876000011150015", "_delete": None}]}]},
    {
        "conditions": [
            {"id": FIRST_CONDITION, "instant_actions": {"actions": [{"id": "4876876000000329703", "_delete": None}]}}
        ]
    },
    {"conditions": [{"id": FIRST_CONDITION, "criteria": leaf("Industry", "Retail")}]},
]

# What Zoho might put where our samples have something else.
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=3),
    st.just([]),
    st.just({}),
    st.lists(st.one_of(st.none(), st.text(max_size=2), st.integers()), max_size=2),
    st.dictionaries(st.sampled_from(["id", "type", "actions", "x"]), st.one_of(st.none(), st.text(max_size=2))),
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*path, index))
    return found


@st.composite
def odd_rules(draw: st.DrawFn) -> dict[str, Any]:
    """The Zoho-shaped rule with a few nodes nulled, dropped, given an extra key or replaced by another type."""
    current = zoho_shaped()
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(current)
        path = draw(st.sampled_from(paths))
        parent = current
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "drop", "extra"]))
        if action == "drop" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "extra" and isinstance(parent, dict):
            parent[f"added_{len(parent)}"] = draw(ODD)
        else:
            parent[path[-1]] = draw(ODD)
    return current


def test_zohos_shape_passes_every_documented_update():
    current = zoho_shaped()
    for update in UPDATES:
        if update is DOC_UPDATE_NAME_AND_TRIGGER:  # repeat: true beside the scheduled actions is refused
            with pytest.raises(ZohoCRMValidationError, match="repeat is true"):
                validate_rule_update(copy.deepcopy(update), current)
            continue
        validate_rule_update(copy.deepcopy(update), current)
        assert isinstance(pending_update(copy.deepcopy(update), current), dict)


def test_a_rule_with_null_conditions_and_actions_reads_as_empty():
    current = zoho_shaped()
    current["conditions"][0].update(instant_actions=None, scheduled_actions=None, criteria_details=None)
    current["execute_when"]["details"] = None
    current["status"] = None
    update = {"conditions": [{"id": FIRST_CONDITION, "instant_actions": {"actions": [leaf_action()]}}]}
    validate_rule_update(update, current)
    assert pending_update(update, current) == update
    assert pending_update({"status": {"active": True}}, current) == {"status": {"active": True}}


def leaf_action() -> dict[str, Any]:
    return {"id": "4876876000000329765", "type": "tasks"}


@settings(max_examples=200, deadline=None)
@given(current=odd_rules(), update=st.sampled_from(UPDATES))
def test_odd_current_rules_never_crash_validation_or_the_rerun_check(current, update):
    for check in (validate_rule_update, pending_update):
        # A typed answer is fine (e.g. a condition id the odd rule no longer shows); anything else fails.
        with contextlib.suppress(ZohoCRMError):
            check(copy.deepcopy(update), current)


def test_conditions_of_a_rule_as_zoho_lists_them_count_for_sequence_numbers():
    current = zoho_shaped()
    current["conditions"].append(condition("4876876000015013099", 3, None))
    validate_rule_update({"conditions": [new_condition(4)]}, current)

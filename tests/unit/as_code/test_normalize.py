"""The canonical form of rules and workflows, and the fingerprint of a live state."""

from __future__ import annotations

import copy

from airflow_provider_zohocrm.as_code.normalize import file_rule, fingerprint, live_rule, live_workflow, ordered

from .model import RULE_A, WORKFLOW, leads, raw_rule, raw_workflow


def test_a_live_rule_loses_what_zoho_stamps_or_decides() -> None:
    rule = live_rule(raw_rule(RULE_A, "Assign", active=False))
    assert list(rule) == ["id", "name", "active", "description", "execute_when", "conditions", "lock"]
    assert rule["active"] is False
    assert rule["lock"] == {"message": None, "status": False}  # locked_by is Zoho's


def test_keys_come_in_one_order_whatever_order_zoho_used() -> None:
    raw = raw_rule(RULE_A, "Assign")
    shuffled = dict(reversed(list(copy.deepcopy(raw).items())))
    shuffled["conditions"][0] = dict(reversed(list(shuffled["conditions"][0].items())))
    assert list(live_rule(shuffled)) == list(live_rule(raw))
    assert list(live_rule(shuffled)["conditions"][0]) == [
        "id",
        "sequence_number",
        "criteria_details",
        "instant_actions",
        "scheduled_actions",
    ]
    assert list(ordered({"id": 1, "api_name": "x", "b": 2, "a": 3})) == ["api_name", "id", "a", "b"]


def test_the_update_page_names_of_delays_and_its_criteria_shape_read_as_zoho_answers() -> None:
    rule = live_rule(raw_rule(RULE_A, "Assign"))
    edited = copy.deepcopy(rule)
    condition = edited["conditions"][0]
    condition["scheduled_actions"][0]["execute_after"]["period"] = "b_days"
    condition["criteria"] = condition["criteria_details"].pop("criteria")
    assert file_rule(edited) == rule


def test_a_live_workflow_keeps_the_file_keys() -> None:
    assert live_workflow(raw_workflow(WORKFLOW, "Q", "Leads", "inactive")) == {
        "id": WORKFLOW,
        "name": "Q",
        "primary_module": "Leads",
        "status": "inactive",
        "description": "About Q",
    }


def test_the_fingerprint_ignores_volatile_fields_and_sees_everything_else() -> None:
    def digest(rules: list) -> str:
        return fingerprint({"Leads": [live_rule(rule) for rule in rules]}, [])

    base = digest(leads())
    touched = leads()
    touched[0]["modified_time"] = "2030-01-01T00:00:00+00:00"
    touched[0]["last_executed_time"] = "2030-01-01T00:00:00+00:00"
    assert digest(touched) == base
    renamed = leads()
    renamed[0]["name"] = "Other"
    assert digest(renamed) != base
    assert digest(list(reversed(leads()))) != base
    delayed = leads()
    delayed[0]["conditions"][0]["scheduled_actions"][0]["execute_after"]["unit"] = 4
    assert digest(delayed) != base
    assert fingerprint({"Leads": []}, []) != fingerprint(
        {"Leads": []}, [live_workflow(raw_workflow(WORKFLOW, "Q", "Leads", "active"))]
    )

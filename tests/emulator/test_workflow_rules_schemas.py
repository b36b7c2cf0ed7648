"""The emulator's workflow-rule answers have the shapes of Zoho's definitions (tests/schemas/workflow_rule*.json).

Every answer is read over HTTP: list (summaries, inner details, an empty page), get (every seeded rule and
rules changed through the API), update, activate, deactivate, reorder and the reorder cap's error.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from emulator_client import Api
from schemas.check import assert_matches, schema

RULES = "settings/automation/workflow_rules"
REORDER = f"{RULES}/actions/reorder"
COLD_LEADS = "4876876000011150005"  # Leads, inactive, a scheduled action
ESCALATE = "4876876000015014033"  # Leads, active, two conditions
EMAIL = {"id": "4876876000000329001", "type": "email_notifications"}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def leads_order(api: Api) -> list[str]:
    return [rule["id"] for rule in ok(api.get(RULES, params={"module": "Leads"}))["workflow_rules"]]


def add_leads_rule(api: Api, n: int) -> str:
    criteria = {"comparator": "equal", "field": {"api_name": "Lead_Source"}, "type": "value", "value": f"S{n}"}
    rule = {
        "name": f"Extra {n}",
        "module": {"api_name": "Leads"},
        "execute_when": {"type": "create"},
        "conditions": [
            {"sequence_number": 1, "criteria_details": {"criteria": criteria}, "instant_actions": {"actions": [EMAIL]}}
        ],
    }
    return str(ok(api.post(RULES, json={"workflow_rules": [rule]}), 201)["workflow_rules"][0]["details"]["id"])


@pytest.mark.parametrize(
    "params",
    [{}, {"module": "Leads"}, {"module": "Deals", "include_inner_details": "true"}, {"per_page": "5", "page": "2"}],
)
def test_lists_match(api: Api, params: dict[str, str]) -> None:
    body = ok(api.get(RULES, params=params))
    assert body["workflow_rules"]
    assert_matches("workflow_rules_list", body)


def test_an_empty_list_is_200_with_info(api: Api) -> None:
    no_match = json.dumps({"field": {"api_name": "name"}, "comparator": "contains", "value": "no such rule"})
    response = api.get(RULES, params={"filter": no_match})
    assert response.status_code == 200
    body = response.json()
    assert body["workflow_rules"] == []
    assert_matches("workflow_rules_list", body)


def test_every_seeded_rule_matches_when_read_one_by_one(api: Api) -> None:
    ids = [rule["id"] for rule in ok(api.get(RULES))["workflow_rules"]]
    assert len(ids) == 22
    for rule_id in ids:
        assert_matches("workflow_rule", ok(api.get(f"{RULES}/{rule_id}")))


def test_update_activate_deactivate_and_what_they_leave_match(api: Api) -> None:
    assert_matches(
        "workflow_rules_update", ok(api.put(f"{RULES}/{ESCALATE}", json={"workflow_rules": [{"name": "Renamed"}]}))
    )
    activate = {"workflow_rules": [{"id": COLD_LEADS, "status": {"active": True}}]}
    assert_matches("workflow_rules_update", ok(api.put(f"{RULES}/{COLD_LEADS}", json=activate)))
    deactivate = {"workflow_rules": [{"id": COLD_LEADS, "status": {"active": False, "delete_schedule_action": True}}]}
    assert_matches("workflow_rules_update", ok(api.put(f"{RULES}/{COLD_LEADS}", json=deactivate)))
    # A condition with scheduled actions only (no instant_actions key then), a delay sent under the update
    # page's name, a description cleared, a lock: the rule still reads back in Zoho's shape.
    scheduled_only = {
        "sequence_number": 3,
        "criteria_details": {"criteria": None},
        "scheduled_actions": [{"execute_after": {"period": "b_hours", "unit": 0}, "actions": [EMAIL]}],
    }
    change = {"description": None, "lock": {"status": True, "message": "Audit"}, "conditions": [scheduled_only]}
    assert_matches("workflow_rules_update", ok(api.put(f"{RULES}/{ESCALATE}", json={"workflow_rules": [change]})))
    for rule_id in (ESCALATE, COLD_LEADS):
        assert_matches("workflow_rule", ok(api.get(f"{RULES}/{rule_id}")))
    added = ok(api.get(f"{RULES}/{ESCALATE}"))["workflow_rules"][0]["conditions"][2]
    assert "instant_actions" not in added
    assert added["scheduled_actions"][0]["execute_after"] == {"period": "business_hours", "unit": 0}
    assert_matches(
        "workflow_rules_list", ok(api.get(RULES, params={"module": "Leads", "include_inner_details": "true"}))
    )


def test_a_created_rule_matches(api: Api) -> None:
    rule_id = add_leads_rule(api, 0)
    assert_matches("workflow_rule", ok(api.get(f"{RULES}/{rule_id}")))


def test_an_update_refused_per_item_matches(api: Api) -> None:
    response = api.put(f"{RULES}/{ESCALATE}", json={"workflow_rules": [{"name": "50% (new)"}]})
    assert response.status_code == 400
    assert_matches("workflow_rules_update", response.json())


def test_reorder_answers_match(api: Api) -> None:
    order = leads_order(api)
    moves = {"reorder": {"workflow_rules": [{"id": order[-1], "module_specific_sequence": 1}]}}
    body = ok(api.put(REORDER, params={"module": "Leads"}, json=moves))
    assert [item["details"]["id"] for item in body["reorder"]] == [order[-1]]
    assert_matches("workflow_rules_reorder", body)
    assert_matches(
        "workflow_rules_reorder", ok(api.put(REORDER, params={"module": "Leads"}, json=moves))
    )  # nothing moved


def test_the_reorder_cap_is_zohos_wrapped_error(api: Api) -> None:
    for n in range(3):
        add_leads_rule(api, n)
    order = leads_order(api)
    items = [{"id": rule_id, "module_specific_sequence": n} for n, rule_id in enumerate(order[:11][::-1], start=1)]
    response = api.put(REORDER, params={"module": "Leads"}, json={"reorder": {"workflow_rules": items}})
    assert response.status_code == 400
    body = response.json()
    assert_matches("workflow_rules_reorder", body)
    [error] = body["reorder"]
    assert (error["code"], error["details"]) == (
        "INVALID_DATA",
        {"api_name": "workflow_rules", "json_path": "$.reorder.workflow_rules", "maximum_length": 10},
    )
    assert leads_order(api) == order


# The schemas are checks that can fail: shapes Zoho's definitions rule out are refused.


def _refused(name: str, body: Any) -> None:
    with pytest.raises(AssertionError, match=name):
        assert_matches(name, body)


def test_the_schemas_refuse_what_zoho_never_answers(api: Api) -> None:
    listed = ok(api.get(RULES, params={"module": "Leads"}))
    with_position = copy.deepcopy(listed)
    with_position["workflow_rules"][0]["module_specific_sequence"] = 1
    _refused("workflow_rules_list", with_position)
    _refused("workflow_rules_list", {"workflow_rules": listed["workflow_rules"]})  # no info
    _refused("workflow_rules_list", {**listed, "workflow_rules": [{**listed["workflow_rules"][0], "lock": None}]})

    rule = ok(api.get(f"{RULES}/{COLD_LEADS}"))
    alias = copy.deepcopy(rule)
    alias["workflow_rules"][0]["conditions"][0]["scheduled_actions"][0]["execute_after"]["period"] = "b_days"
    _refused("workflow_rule", alias)
    null_box = copy.deepcopy(rule)
    null_box["workflow_rules"][0]["conditions"][0]["instant_actions"] = None
    _refused("workflow_rule", null_box)
    no_trigger_module = copy.deepcopy(rule)
    del no_trigger_module["workflow_rules"][0]["execute_when"]["details"]["trigger_module"]
    _refused("workflow_rule", no_trigger_module)

    _refused(
        "workflow_rules_update",
        {"workflow_rules": [{"code": "SUCCESS", "details": {}, "message": "m", "status": "success"}]},
    )
    _refused("workflow_rules_reorder", {"reorder": {"workflow_rules": []}})
    assert schema("workflow_rules_reorder")["required"] == ["reorder"]

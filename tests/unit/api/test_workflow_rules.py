"""The workflow-rule hook methods over mocked HTTP: paths, bodies, paging, retries and typed errors."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm.api.reorder import apply_positions
from airflow_provider_zohocrm.api.workflow_rules import reorder_request, status_request, update_request
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMNotFoundError,
    ZohoCRMServerError,
    ZohoCRMValidationError,
)
from unit.helpers import REORDER_URL, RULE_ID, RULE_URL, WORKFLOW_URL, api_requests


def success(rule_id: str = RULE_ID, message: str = "workflow updated") -> dict[str, Any]:
    return {"code": "SUCCESS", "details": {"id": rule_id}, "message": message, "status": "success"}


def test_all_pages_are_read_in_order(hook, requests_mock):
    pages = [
        {"json": {"workflow_rules": [{"id": "1"}, {"id": "2"}], "info": {"page": 1, "more_records": True}}},
        {"json": {"workflow_rules": [{"id": "3"}], "info": {"page": 2, "more_records": False}}},
    ]
    requests_mock.get(WORKFLOW_URL, pages)
    assert [r["id"] for r in hook.get_workflow_rules("Leads", active=False)] == ["1", "2", "3"]
    queries = [r.qs for r in api_requests(requests_mock)]
    assert queries[0] == {"module": ["leads"], "per_page": ["200"], "page": ["1"], "status_active": ["false"]}
    assert queries[1]["page"] == ["2"]


def test_no_rules_is_an_empty_list(hook, requests_mock):
    requests_mock.get(WORKFLOW_URL, status_code=204)
    assert hook.get_workflow_rules() == []
    assert "module" not in api_requests(requests_mock)[0].qs


def test_get_one_rule(hook, requests_mock):
    requests_mock.get(RULE_URL, json={"workflow_rules": [{"id": RULE_ID, "name": "n"}]})
    assert hook.get_workflow_rule(RULE_ID) == {"id": RULE_ID, "name": "n"}


def test_get_one_rule_empty_answer(hook, requests_mock):
    requests_mock.get(RULE_URL, status_code=204)
    with pytest.raises(ZohoCRMNotFoundError):
        hook.get_workflow_rule(RULE_ID)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"workflow_rules": ["a"]}, "$.workflow_rules[0]"),
        ({"workflow_rules": [None]}, "$.workflow_rules[0]"),
        ({"workflow_rules": [["nested"]]}, "$.workflow_rules[0]"),
        ({"workflow_rules": 5}, "$.workflow_rules"),
        ({"workflow_rules": "rule"}, "$.workflow_rules"),
        ({"workflow_rules": {"id": RULE_ID}}, "$.workflow_rules"),
    ],
)
def test_get_one_rule_of_an_unexpected_shape_is_a_server_error(hook, requests_mock, body, where):
    requests_mock.get(RULE_URL, json=body)
    with pytest.raises(ZohoCRMServerError) as info:
        hook.client.workflow_rules.get(RULE_ID)
    assert info.value.json_path == where
    assert RULE_ID in info.value.message


def test_get_one_rule_keeps_zohos_nulls_and_extra_keys(hook, requests_mock):
    rule = {
        "id": RULE_ID,
        "description": None,
        "last_executed_time": None,
        "lock": {"status": False, "locked_by": None, "message": None},
        "category": "default",
        "deprecated": False,
        "source": "crm",
        "editable": True,
        "deletable": True,
        "something_new": {"nested": [1, None]},
    }
    requests_mock.get(RULE_URL, json={"workflow_rules": [rule]})
    assert hook.client.workflow_rules.get(RULE_ID) == rule


@pytest.mark.parametrize("listed", [[{"name": "no id"}], [{"id": None}], [{"id": "12a"}], [{"id": True}]])
def test_current_order_of_rules_without_usable_ids_is_a_server_error(hook, requests_mock, listed):
    requests_mock.get(WORKFLOW_URL, json={"workflow_rules": listed, "info": {"more_records": False}})
    with pytest.raises(ZohoCRMServerError, match="without a usable id"):
        hook.client.workflow_rules.current_order("Leads")


def test_unknown_rule_is_not_found(hook, requests_mock):
    body = {
        "code": "INVALID_DATA",
        "details": {"resource_path_index": 3},
        "message": "the id given seems to be invalid",
        "status": "error",
    }
    requests_mock.get(RULE_URL, status_code=400, json=body)
    with pytest.raises(ZohoCRMNotFoundError):
        hook.get_workflow_rule(RULE_ID)


def test_update_sends_one_rule_and_returns_the_success_item(hook, requests_mock):
    requests_mock.put(RULE_URL, json={"workflow_rules": [success()]})
    assert hook.update_workflow_rule(RULE_ID, {"name": "New"}) == success()
    assert api_requests(requests_mock)[-1].json() == {"workflow_rules": [{"name": "New"}]}


def test_update_item_error_is_typed_with_its_json_path(hook, requests_mock):
    item = {
        "code": "INVALID_DATA",
        "details": {"api_name": "name", "json_path": "$.workflow_rules[0].name"},
        "message": "The length of name has exceeded the limit",
        "status": "error",
    }
    requests_mock.put(RULE_URL, status_code=400, json={"workflow_rules": [item]})
    with pytest.raises(ZohoCRMValidationError) as info:
        hook.update_workflow_rule(RULE_ID, {"name": "Renamed rule"})  # valid here; Zoho refuses it
    assert info.value.json_path == "$.workflow_rules[0].name"
    assert info.value.code == "INVALID_DATA"


def test_update_item_error_inside_a_2xx_answer_still_raises(hook, requests_mock):
    item = {"code": "DUPLICATE_DATA", "details": {}, "message": "Duplicate action not allowed", "status": "error"}
    requests_mock.put(RULE_URL, json={"workflow_rules": [item]})
    with pytest.raises(ZohoCRMValidationError, match="Duplicate action"):
        hook.update_workflow_rule(RULE_ID, {"name": "x"})


def test_update_without_conditions_is_retried(hook, requests_mock, recorded_sleeps):
    requests_mock.put(RULE_URL, [{"status_code": 503, "json": {}}, {"json": {"workflow_rules": [success()]}}])
    assert hook.update_workflow_rule(RULE_ID, {"name": "x"})["status"] == "success"
    assert len(recorded_sleeps) == 1


def test_update_with_conditions_is_not_retried_blindly(hook, requests_mock, recorded_sleeps):
    requests_mock.put(RULE_URL, [{"status_code": 503, "json": {}}, {"json": {"workflow_rules": [success()]}}])
    with pytest.raises(ZohoCRMServerError):
        hook.update_workflow_rule(RULE_ID, {"conditions": [{"sequence_number": 2}]})
    assert len([r for r in api_requests(requests_mock) if r.method == "PUT"]) == 1
    assert recorded_sleeps == []


def test_activate_body(hook, requests_mock):
    requests_mock.put(RULE_URL, json={"workflow_rules": [success()]})
    hook.set_workflow_rule_status(RULE_ID, True)
    assert api_requests(requests_mock)[-1].json() == {"workflow_rules": [{"id": RULE_ID, "status": {"active": True}}]}


@pytest.mark.parametrize("purge", [False, True])
def test_deactivate_body_sends_active_false(hook, requests_mock, purge):
    requests_mock.put(RULE_URL, json={"workflow_rules": [success()]})
    hook.set_workflow_rule_status(RULE_ID, False, delete_schedule_action=purge)
    status = api_requests(requests_mock)[-1].json()["workflow_rules"][0]["status"]
    assert status == {"active": False, "delete_schedule_action": purge}


def test_status_update_is_retried(hook, requests_mock, recorded_sleeps):
    requests_mock.put(RULE_URL, [{"status_code": 500, "json": {}}, {"json": {"workflow_rules": [success()]}}])
    hook.set_workflow_rule_status(RULE_ID, True)
    assert len(recorded_sleeps) == 1


def test_reorder_body_and_answer(hook, requests_mock, recorded_sleeps):
    answer = [success("2", "rules reordered successfully")]
    requests_mock.put(REORDER_URL, [{"status_code": 502, "json": {}}, {"json": {"reorder": answer}}])
    positions = [{"id": "2", "module_specific_sequence": 1}]
    assert hook.reorder_workflow_rules("Leads", positions) == answer
    sent = api_requests(requests_mock)[-1]
    assert sent.qs == {"module": ["leads"]}
    assert sent.json() == {"reorder": {"workflow_rules": positions}}
    assert len(recorded_sleeps) == 1


def test_reorder_already_in_order_answers_an_empty_list(hook, requests_mock):
    requests_mock.put(REORDER_URL, json={"reorder": []})
    assert hook.reorder_workflow_rules("Leads", [{"id": "2", "module_specific_sequence": 2}]) == []


def leads_listing(ids: list[str]) -> dict[str, Any]:
    return {"workflow_rules": [{"id": rule_id} for rule_id in ids], "info": {"more_records": False}}


def test_reorder_of_more_than_ten_positions_is_split_into_requests_of_ten(hook, requests_mock):
    """Zoho takes 10 moves per request: the client reads the order and reaches the same effect in steps."""
    current = [str(1000 + n) for n in range(24)]
    requests_mock.get(WORKFLOW_URL, json=leads_listing(current))
    requests_mock.put(REORDER_URL, json={"reorder": [success("1", "rules reordered successfully")]})
    positions = [{"id": rule_id, "module_specific_sequence": n} for n, rule_id in enumerate(current[::-1][:12], 1)]

    answer = hook.reorder_workflow_rules("Leads", positions)

    puts = [r for r in api_requests(requests_mock) if r.method == "PUT"]
    assert [len(r.json()["reorder"]["workflow_rules"]) for r in puts] == [10, 2]
    assert len(answer) == 2
    reached = current
    for put in puts:
        moves = put.json()["reorder"]["workflow_rules"]
        reached = apply_positions(reached, {m["id"]: m["module_specific_sequence"] for m in moves})
    assert reached == apply_positions(current, {p["id"]: p["module_specific_sequence"] for p in positions})


def test_reorder_of_more_than_ten_positions_checks_them_against_the_module(hook, requests_mock):
    current = [str(1000 + n) for n in range(11)]
    requests_mock.get(WORKFLOW_URL, json=leads_listing(current))
    positions = [{"id": rule_id, "module_specific_sequence": n} for n, rule_id in enumerate(current, 2)]
    positions[0]["id"] = "999"
    with pytest.raises(ZohoCRMValidationError) as info:
        hook.reorder_workflow_rules("Leads", positions)
    assert info.value.details["problems"] == [
        "positions[0]: no rule 999 in this module",
        "positions[10]: position 12 is past the module's 11 rules",
    ]
    assert [r.method for r in api_requests(requests_mock)] == ["GET"]


def test_a_reorder_request_holds_at_most_ten_moves():
    positions = [{"id": str(1000 + n), "module_specific_sequence": n} for n in range(1, 12)]
    with pytest.raises(ZohoCRMValidationError, match="at most 10") as info:
        reorder_request("Leads", positions)
    assert info.value.json_path == "positions"
    assert reorder_request("Leads", positions[:10], step=(1, 2))["summary"].startswith(
        "move 10 Leads rule(s) (request 1 of 2)"
    )


def test_reorder_of_nothing_sends_nothing(hook, requests_mock):
    assert hook.reorder_workflow_rules("Leads", []) == []
    assert api_requests(requests_mock) == []


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda h: h.get_workflow_rule("12a"), "rule_id"),
        (lambda h: h.get_workflow_rule("../org"), "rule_id"),
        (lambda h: h.get_workflow_rules("Leads/../x"), "module"),
        (lambda h: h.update_workflow_rule("1 OR 1", {"name": "x"}), "rule_id"),
        (lambda h: h.update_workflow_rule("1", ["name"]), "rule"),
        (lambda h: h.set_workflow_rule_status("", True), "rule_id"),
        (lambda h: h.set_workflow_rule_status("1", "yes"), "active"),
        (lambda h: h.set_workflow_rule_status("1", False, delete_schedule_action=None), "delete_schedule_action"),
        (lambda h: h.reorder_workflow_rules("Leads?x=1", []), "module"),
        (lambda h: h.reorder_workflow_rules("Leads", {"1": 1}), "positions"),
        (lambda h: h.reorder_workflow_rules("Leads", [{"id": "x", "module_specific_sequence": 1}]), "positions[0].id"),
        (
            lambda h: h.reorder_workflow_rules("Leads", [{"id": "1", "module_specific_sequence": 0}]),
            "positions[0].module_specific_sequence",
        ),
        (
            lambda h: h.reorder_workflow_rules(
                "Leads", [{"id": "1", "module_specific_sequence": 1}, {"id": "2", "module_specific_sequence": 1}]
            ),
            "positions[1]",
        ),
    ],
)
def test_invalid_arguments_send_nothing(hook, requests_mock, call, path):
    with pytest.raises(ZohoCRMValidationError) as info:
        call(hook)
    assert info.value.json_path == path
    assert requests_mock.request_history == []


def test_planned_requests_match_what_is_sent():
    assert update_request(RULE_ID, {"name": "x"})["path"] == f"settings/automation/workflow_rules/{RULE_ID}"
    assert status_request(RULE_ID, False)["summary"] == f"deactivate workflow rule {RULE_ID}"
    planned = reorder_request("Leads", [{"id": "7", "module_specific_sequence": 1}])
    assert planned["params"] == {"module": "Leads"}
    assert planned["summary"] == "move 1 Leads rule(s): 7->1"


def test_update_request_summarises_a_body_with_non_text_keys():
    request = update_request(RULE_ID, {"name": "ok", 1: 2})  # type: ignore[dict-item]
    assert "1, name" in request["summary"]


def test_update_refuses_a_key_that_is_not_text_before_any_request(hook, requests_mock):
    with pytest.raises(ZohoCRMValidationError):
        hook.update_workflow_rule(RULE_ID, {"name": "ok", 1: 2})
    assert api_requests(requests_mock) == []


@pytest.mark.parametrize("position", [1, 2500])
def test_a_position_up_to_the_org_rule_limit_is_sent(position):
    request = reorder_request("Leads", [{"id": RULE_ID, "module_specific_sequence": position}])
    assert request["json"]["reorder"]["workflow_rules"] == [{"id": RULE_ID, "module_specific_sequence": position}]


@pytest.mark.parametrize(
    ("item", "where"),
    [
        ({"id": RULE_ID, "module_specific_sequence": 2501}, "positions[0].module_specific_sequence"),
        ({"id": RULE_ID, "module_specific_sequence": 10**5000}, "positions[0].module_specific_sequence"),
        ({"id": RULE_ID, "module_specific_sequence": 1, "bogus": 1}, "positions[0]"),
    ],
)
def test_a_position_past_the_limit_or_with_other_keys_is_refused(item, where):
    with pytest.raises(ZohoCRMValidationError) as caught:
        reorder_request("Leads", [item])
    assert caught.value.json_path == where

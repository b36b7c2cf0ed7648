"""The workflow-rule hook methods over mocked HTTP: paths, bodies, paging, retries and typed errors."""

from __future__ import annotations

from typing import Any

import pytest

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
        hook.update_workflow_rule(RULE_ID, {"name": "x" * 101})
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

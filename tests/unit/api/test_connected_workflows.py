"""``client.connected_workflows`` over mocked HTTP: "already in that state" answers and answers of other shapes."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm.api.base import is_already_in_state
from airflow_provider_zohocrm.exceptions import ZohoCRMNotFoundError, ZohoCRMServerError, ZohoCRMValidationError
from unit.helpers import API_ROOT, CONNECTED_WORKFLOW_ID, CONNECTED_WORKFLOW_URL, api_requests

LIST_URL = f"{API_ROOT}/settings/connected_workflows"


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"code": code, "details": details, "message": message, "status": "error"}


@pytest.mark.parametrize(("action", "code"), [("activate", "ALREADY_ACTIVATED"), ("deactivate", "ALREADY_DEACTIVATED")])
def test_already_in_that_state_is_success(hook, requests_mock, action, code):
    body = error_body(code, f"The connected workflow is already {action}d", resource_path_index=2)
    requests_mock.put(f"{CONNECTED_WORKFLOW_URL}/actions/{action}", status_code=400, json=body)
    item = getattr(hook.client.connected_workflows, action)(CONNECTED_WORKFLOW_ID)
    assert is_already_in_state(item)
    assert (item["code"], item["status"]) == (code, "success")
    assert len(api_requests(requests_mock)) == 1  # a 4xx is not retried


def test_a_plain_success_item_is_returned_as_zoho_sent_it(hook, requests_mock):
    item = {"code": "SUCCESS", "details": {"id": CONNECTED_WORKFLOW_ID}, "message": "ok", "status": "success"}
    requests_mock.put(f"{CONNECTED_WORKFLOW_URL}/actions/activate", json={"connected_workflows": [item]})
    assert hook.client.connected_workflows.activate(CONNECTED_WORKFLOW_ID) == item
    assert not is_already_in_state(item)


def test_other_errors_of_the_action_still_raise(hook, requests_mock):
    body = error_body("INVALID_DATA", "Rule limit exceeded", limit_exceeded_modules=["Leads"])
    requests_mock.put(f"{CONNECTED_WORKFLOW_URL}/actions/activate", status_code=400, json=body)
    with pytest.raises(ZohoCRMValidationError, match="Rule limit exceeded"):
        hook.client.connected_workflows.activate(CONNECTED_WORKFLOW_ID)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"connected_workflows": {"a": 1}}, "$.connected_workflows"),
        ({"connected_workflows": 5}, "$.connected_workflows"),
        ({"connected_workflows": ["draft"]}, "$.connected_workflows[0]"),
        ({"connected_workflows": [None, {"id": CONNECTED_WORKFLOW_ID}]}, "$.connected_workflows[0]"),
    ],
)
def test_get_of_another_shape_is_a_server_error(hook, requests_mock, body, where):
    requests_mock.get(CONNECTED_WORKFLOW_URL, json=body)
    with pytest.raises(ZohoCRMServerError) as info:
        hook.client.connected_workflows.get(CONNECTED_WORKFLOW_ID)
    assert info.value.json_path == where
    assert CONNECTED_WORKFLOW_ID in info.value.message


@pytest.mark.parametrize("answer", [{"status_code": 204}, {"json": {"connected_workflows": []}}])
def test_get_of_nothing_is_not_found(hook, requests_mock, answer):
    requests_mock.get(CONNECTED_WORKFLOW_URL, **answer)
    with pytest.raises(ZohoCRMNotFoundError, match=f"no connected workflow {CONNECTED_WORKFLOW_ID}"):
        hook.client.connected_workflows.get(CONNECTED_WORKFLOW_ID)


def test_get_keeps_zohos_nulls_and_extra_keys(hook, requests_mock):
    found = {"id": CONNECTED_WORKFLOW_ID, "description": None, "status": "draft", "nodes": [{"x": None}]}
    requests_mock.get(CONNECTED_WORKFLOW_URL, json={"connected_workflows": [found], "unexpected": True})
    assert hook.client.connected_workflows.get(CONNECTED_WORKFLOW_ID) == found


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"connected_workflows": {"a": 1}}, "$.connected_workflows"),
        ({"connected_workflows": [{"id": "1"}, 7]}, "$.connected_workflows[1]"),
        ({"connected_workflows": [{"id": "1"}], "info": "x"}, "$.info"),
    ],
)
def test_list_of_another_shape_is_a_server_error(hook, requests_mock, body, where):
    requests_mock.get(LIST_URL, json=body)
    with pytest.raises(ZohoCRMServerError) as info:
        hook.client.connected_workflows.list_all()
    assert info.value.json_path == where


def test_a_create_answered_in_another_shape_is_a_server_error(hook, requests_mock):
    requests_mock.get(LIST_URL, status_code=204)
    requests_mock.post(LIST_URL, status_code=201, json={"connected_workflows": {"id": "1"}})
    with pytest.raises(ZohoCRMServerError) as info:
        hook.client.connected_workflows.create("contacts-process", "Contacts")
    assert info.value.json_path == "$.connected_workflows"


def _create(**item: Any) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": "settings/connected_workflows",
        "params": None,
        "json": {"connected_workflows": [item]},
    }


@pytest.mark.parametrize(
    "request_",
    [
        {},
        _create(name="Ok", primary_module={"api_name": "Leads"}, extra=float("nan")),
        _create(name="", primary_module={"api_name": "Leads"}),
        _create(name="Ok", primary_module="../x"),
        {**_create(name="Ok", primary_module={"api_name": "Leads"}), "method": "PUT"},
        {**_create(name="Ok", primary_module={"api_name": "Leads"}), "json": {"connected_workflows": []}},
    ],
)
def test_create_or_adopt_refuses_a_request_plan_create_would_not_build(hook, requests_mock, request_):
    with pytest.raises(ZohoCRMValidationError):
        hook.client.connected_workflows.create_or_adopt(request_)
    assert api_requests(requests_mock) == []


@pytest.mark.parametrize("if_exists", ["bogus", None, ["reuse"]])
def test_create_or_adopt_refuses_an_unknown_if_exists_unsent(hook, requests_mock, if_exists):
    request = _create(name="Ok", primary_module={"api_name": "Leads"})
    with pytest.raises(ZohoCRMValidationError) as caught:
        hook.client.connected_workflows.create_or_adopt(request, if_exists=if_exists)
    assert caught.value.json_path == "if_exists"
    assert api_requests(requests_mock) == []


def test_find_checks_the_name_before_listing(hook, requests_mock):
    with pytest.raises(ZohoCRMValidationError):
        hook.client.connected_workflows.find(None)
    assert api_requests(requests_mock) == []


def test_create_or_adopt_posts_a_planned_create(hook, requests_mock):
    created = {"code": "SUCCESS", "details": {"id": CONNECTED_WORKFLOW_ID}, "message": "ok", "status": "success"}
    requests_mock.post(LIST_URL, status_code=201, json={"connected_workflows": [created]})
    request = _create(name="Ok", primary_module={"api_name": "Leads"})
    result = hook.client.connected_workflows.create_or_adopt(request)
    assert result == {"id": CONNECTED_WORKFLOW_ID, "name": "Ok", "status": "draft", "changed": True}

"""Reading Zoho's 2xx answers (api/base.py): typed errors for other shapes, the paging cap, "already" answers."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm import retry
from airflow_provider_zohocrm.api.base import (
    MAX_PAGES,
    PER_PAGE,
    APIFamily,
    first_item,
    is_already_in_state,
    result_items,
    send_planned,
)
from airflow_provider_zohocrm.api.connected_workflows import create_request, state_request
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMError,
    ZohoCRMNotFoundError,
    ZohoCRMServerError,
    ZohoCRMValidationError,
    error_from_response,
)

WORKFLOW_ID = "4876876000019209007"
ALREADY_ACTIVATED = {
    "code": "ALREADY_ACTIVATED",
    "details": {"resource_path_index": 2},
    "message": "The connected workflow is already activated",
    "status": "error",
}
ALREADY_DEACTIVATED = {
    "code": "ALREADY_DEACTIVATED",
    "details": {},
    "message": "The connected workflow is already deactivated",
    "status": "error",
}


class FakeTransport:
    """Answers each request with the next body (or raises it, for an error); records what was asked."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str, dict[str, Any] | None, Any, bool]] = []

    def request(self, method: str, path: str, *, params: Any = None, json: Any = None, retry: bool = True) -> Any:
        self.calls.append((method, path, params, json, retry))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def pages(*answers: Any) -> tuple[APIFamily, FakeTransport]:
    transport = FakeTransport(*answers)
    return APIFamily(transport), transport  # type: ignore[arg-type]


def shape_error(call: Any) -> ZohoCRMServerError:
    with pytest.raises(ZohoCRMServerError) as info:
        call()
    assert info.value.code == "UNEXPECTED_ANSWER"
    assert not retry.is_retryable(info.value)  # the same server would answer the same way
    return info.value


# ------------------------------------------------------------------ all_pages


@pytest.mark.parametrize(
    ("body", "where", "expected"),
    [
        ({"connected_workflows": 5}, "$.connected_workflows", "a list of objects"),
        ({"connected_workflows": "x"}, "$.connected_workflows", "a list of objects"),
        ({"connected_workflows": {"a": 1}}, "$.connected_workflows", "a list of objects"),
        ({"connected_workflows": [{"id": "1"}, "x"]}, "$.connected_workflows[1]", "an object"),
        ({"connected_workflows": [None]}, "$.connected_workflows[0]", "an object"),
        ({"connected_workflows": [{"id": "1"}], "info": "x"}, "$.info", "an object"),
        (
            {"connected_workflows": [{"id": "1"}], "info": {"more_records": "false"}},
            "$.info.more_records",
            "true or false",
        ),
        ({"connected_workflows": [{"id": "1"}], "info": {"more_records": 1}}, "$.info.more_records", "true or false"),
        ({"connected_workflows": [{"id": "1"}], "info": {"page": 3, "more_records": True}}, "$.info.page", "page 1"),
        (["not", "an", "object"], "the body", "a JSON object"),
    ],
)
def test_a_page_of_another_shape_is_a_typed_error_naming_the_key(body: Any, where: str, expected: str) -> None:
    family, _ = pages(body)
    error = shape_error(lambda: family.all_pages("settings/connected_workflows", "connected_workflows"))
    assert error.json_path == where
    assert expected in error.message
    assert "page 1 of GET settings/connected_workflows" in error.message


@pytest.mark.parametrize(
    "body",
    [
        {},  # 204
        {"info": {"more_records": False}},  # 200 without the resource key
        {"connected_workflows": None},
        {"connected_workflows": []},
        {"connected_workflows": [], "info": {"more_records": True}},  # an empty page ends the list
    ],
)
def test_an_empty_answer_is_an_empty_list(body: dict[str, Any]) -> None:
    family, transport = pages(body)
    assert family.all_pages("settings/connected_workflows", "connected_workflows") == []
    assert len(transport.calls) == 1


def test_pages_are_read_while_more_records_and_zohos_extra_keys_are_kept() -> None:
    first = {"id": "1", "description": None, "new_key": {"x": [None]}}
    family, transport = pages(
        {"cadences": [first], "info": {"page": 1, "per_page": 1, "count": 1, "more_records": True}},
        {"cadences": [{"id": "2"}], "info": {"page": 2, "more_records": False}, "extra": True},
    )
    assert family.all_pages("settings/automation/cadences", "cadences", {"module": "Leads"}) == [first, {"id": "2"}]
    assert [call[2] for call in transport.calls] == [
        {"module": "Leads", "page": 1, "per_page": PER_PAGE},
        {"module": "Leads", "page": 2, "per_page": PER_PAGE},
    ]


def test_a_list_that_never_ends_stops_at_the_page_cap() -> None:
    def endless() -> Any:
        page = len(transport.calls)
        return {"cadences": [{"id": str(page)}], "info": {"page": page, "more_records": True}}

    family, transport = pages({})
    transport.request = lambda method, path, **kw: (  # type: ignore[method-assign]
        transport.calls.append((method, path, kw.get("params"), None, True)) or endless()
    )
    with pytest.raises(ZohoCRMServerError) as info:
        family.all_pages("settings/automation/cadences", "cadences")
    assert len(transport.calls) == MAX_PAGES == 200
    assert info.value.code == "TOO_MANY_PAGES"
    assert info.value.details["items"] == 200
    assert "more_records after 200 pages" in info.value.message


# ------------------------------------------------------------------ first_item


def test_first_item_returns_the_object_with_zohos_nulls() -> None:
    item = {"id": WORKFLOW_ID, "description": None, "extra": 1}
    assert first_item({"connected_workflows": [item], "more": []}, "connected_workflows", "w") is item


@pytest.mark.parametrize("body", [{}, {"connected_workflows": []}, {"connected_workflows": None}])
def test_first_item_of_nothing_is_not_found(body: dict[str, Any]) -> None:
    with pytest.raises(ZohoCRMNotFoundError, match="returned no connected workflow 12"):
        first_item(body, "connected_workflows", "connected workflow 12", hint="List them")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"connected_workflows": {"a": 1}}, "$.connected_workflows"),
        ({"connected_workflows": [5]}, "$.connected_workflows[0]"),
        ({"connected_workflows": ["x", {"id": "1"}]}, "$.connected_workflows[0]"),
        (None, "the body"),
    ],
)
def test_first_item_of_another_shape_is_a_server_error(body: Any, where: str) -> None:
    error = shape_error(lambda: first_item(body, "connected_workflows", "connected workflow 12"))
    assert error.json_path == where
    assert "connected workflow 12" in error.message


# ------------------------------------------------------------------ result_items


def success(workflow_id: str = WORKFLOW_ID) -> dict[str, Any]:
    return {"code": "SUCCESS", "details": {"id": workflow_id}, "message": "done", "status": "success"}


@pytest.mark.parametrize(
    ("body", "key", "items"),
    [
        ({"connected_workflows": [success()]}, "connected_workflows", [success()]),
        ({"connected_workflows": [success()]}, None, [success()]),
        ({"data": [success()]}, "connected_workflows", [success()]),  # an undocumented key: its first list
        (success(), "connected_workflows", [success()]),  # a lone envelope
        ({}, "connected_workflows", []),  # 204
    ],
)
def test_result_items(body: Any, key: str | None, items: list[dict[str, Any]]) -> None:
    assert result_items(body, key) == items


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"connected_workflows": 5}, "$.connected_workflows"),
        ({"connected_workflows": {"a": 1}}, "$.connected_workflows"),
        ({"connected_workflows": [success(), "x"]}, "$.connected_workflows[1]"),
        ({"reorder": [7]}, "$.reorder[0]"),
        ("text", "the body"),
    ],
)
def test_result_items_of_another_shape_are_a_server_error(body: Any, where: str) -> None:
    key = "reorder" if isinstance(body, dict) and "reorder" in body else "connected_workflows"
    assert shape_error(lambda: result_items(body, key)).json_path == where


def test_an_error_item_raises_its_typed_error() -> None:
    item = {"code": "INVALID_DATA", "details": {"json_path": "$.x"}, "message": "invalid data", "status": "error"}
    with pytest.raises(ZohoCRMValidationError) as info:
        result_items({"connected_workflows": [item]}, "connected_workflows")
    assert (info.value.code, info.value.json_path) == ("INVALID_DATA", "$.x")


# ------------------------------------------------------------------ "already in that state"


@pytest.mark.parametrize(
    ("action", "answer"),
    [
        ("activate", error_from_response(400, ALREADY_ACTIVATED)),
        ("deactivate", error_from_response(400, ALREADY_DEACTIVATED)),
        ("activate", {"connected_workflows": [ALREADY_ACTIVATED]}),  # wrapped in a 2xx
    ],
)
def test_already_in_that_state_is_a_success_item(action: str, answer: Any) -> None:
    transport = FakeTransport(answer)
    (item,) = send_planned(transport, state_request(WORKFLOW_ID, action), "connected_workflows")  # type: ignore[arg-type]
    assert is_already_in_state(item)
    assert item["status"] == "success"
    assert item["code"] in ("ALREADY_ACTIVATED", "ALREADY_DEACTIVATED")
    assert transport.calls[0][4] is True  # a state change is retried: repeating it is harmless


@pytest.mark.parametrize(
    ("request_", "answer"),
    [
        (state_request(WORKFLOW_ID, "deactivate"), ALREADY_ACTIVATED),  # the other action's code
        (state_request(WORKFLOW_ID, "activate"), ALREADY_DEACTIVATED),
        (create_request("Flow", "Leads"), ALREADY_ACTIVATED),  # not a state change
        (state_request(WORKFLOW_ID, "activate"), {**ALREADY_ACTIVATED, "code": "INVALID_DATA"}),
    ],
)
def test_other_errors_still_raise(request_: Any, answer: dict[str, Any]) -> None:
    transport = FakeTransport(error_from_response(400, answer))
    with pytest.raises(ZohoCRMError) as info:
        send_planned(transport, request_, "connected_workflows")  # type: ignore[arg-type]
    assert info.value.code == answer["code"]


def test_a_success_is_not_already_in_state() -> None:
    assert not is_already_in_state(success())
    assert not is_already_in_state(ALREADY_ACTIVATED)  # Zoho's own error item, before it was read
    assert not is_already_in_state(None)


@pytest.mark.parametrize(
    ("request_", "where"),
    [
        ({}, "request"),
        ({"method": "PUT", "path": "settings/x", "params": None, "json": {"a": float("nan")}}, "request.json.a"),
        ({"method": "PUT", "path": "../../x", "params": None, "json": None}, "request.path"),
    ],
)
def test_a_hand_made_request_is_refused_before_sending(request_: Any, where: str) -> None:
    transport = FakeTransport({})
    with pytest.raises(ZohoCRMValidationError) as caught:
        send_planned(transport, request_)  # type: ignore[arg-type]
    assert caught.value.json_path == where
    assert transport.calls == []

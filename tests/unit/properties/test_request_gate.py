"""The request gate of ``validation``: what it refuses is named, and what the client really sends passes.

``check_request_args`` and ``check_planned_request`` are to run first in the transport and in
``send_planned``: before they do, every request the API modules build must pass them, or wiring
them in would break real calls. Valid JSON bodies and query parameters are generated here too.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm.api.connected_workflows import create_request, state_request
from airflow_provider_zohocrm.api.workflow_rules import reorder_request, status_request, update_request
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.plan import planned
from airflow_provider_zohocrm.unenroll.batching import unenroll_body, unenroll_path
from airflow_provider_zohocrm.validation import (
    check_json_value,
    check_planned_request,
    check_request_args,
    preview,
)

from . import corpus as c
from .strategies import PROPERTY

RULE_ID = "4876876000010880001"
BUILT = [
    update_request(RULE_ID, {"name": "Tag leads", "conditions": [{"sequence_number": 1, "criteria": None}]}),
    status_request(RULE_ID, False, delete_schedule_action=True),
    reorder_request("Leads", [{"id": RULE_ID, "module_specific_sequence": 3}]),
    create_request("contacts-process", {"api_name": "Contacts", "id": "4876876000000002179"}, "Owned by data"),
    state_request("4876876000019209007", "deactivate"),
    planned("POST", unenroll_path("Contacts"), "un-enrol", body=unenroll_body(["554023000004092008"], ["1", "2"])),
]
LIST_PARAMS = [
    {"module": "Leads", "status_active": "true", "page": 1, "per_page": 200},
    {"per_page": 1, "page": 1},
    {"ids": "4876876000010880001,4876876000011037080"},
    None,
]


@pytest.mark.parametrize("request_", BUILT, ids=lambda r: r["summary"])
def test_every_request_the_api_modules_build_passes_the_gate(request_: Any) -> None:
    check_planned_request(request_)
    assert (
        check_request_args(request_["method"], request_["path"], request_["params"], request_["json"])
        == (request_["method"])
    )


@pytest.mark.parametrize("params", LIST_PARAMS)
def test_the_query_parameters_of_list_calls_pass(params: Any) -> None:
    assert check_request_args("get", "settings/automation/workflow_rules", params, None, retry=False) == "GET"


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**29), max_value=10**29),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=20,
)


@PROPERTY
@given(body=st.dictionaries(st.text(max_size=8), json_values, max_size=4))
def test_any_json_body_passes(body: dict[str, Any]) -> None:
    check_request_args("PUT", "settings/automation/workflow_rules/1", None, body)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"a": {"b": [1, math.nan]}}, "json.a.b[1]"),
        ({"a": {1: "x"}}, "json.a"),
        ({"a": [c.Opaque()]}, "json.a[0]"),
        ({"a": c.HUGE}, "json.a"),
        (c.deep_dict(), "json"),
    ],
    ids=["nan", "int key", "object", "huge int", "deep"],
)
def test_a_bad_json_value_is_named_by_its_path(body: Any, path: str) -> None:
    with pytest.raises(ZohoCRMValidationError) as info:
        check_json_value(body)
    assert info.value.json_path == path


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"method": None}, "method"),
        ({"method": "HEAD"}, "method"),
        ({"path": "a/../b"}, "path"),
        ({"path": "x" * 1001}, "path"),
        ({"params": "a=b"}, "params"),
        ({"params": {"a": None}}, "params.a"),
        ({"params": {"a": True}}, "params.a"),
        ({"params": {"a": "x\x00"}}, "params.a"),
        ({"json": "text"}, "json"),
        ({"json": {"a": math.inf}}, "json.a"),
        ({"retry": "false"}, "retry"),
    ],
)
def test_a_bad_request_argument_is_named(kwargs: dict[str, Any], param: str) -> None:
    arguments = {"method": "GET", "path": "settings/automation/workflow_rules", "params": None, "json": None, **kwargs}
    retry = arguments.pop("retry", True)
    with pytest.raises(ZohoCRMValidationError) as info:
        check_request_args(**arguments, retry=retry)
    assert info.value.json_path == param


@pytest.mark.parametrize(
    ("request_", "param"),
    [(None, "request"), ({"method": "GET"}, "request"), ({**BUILT[0], "path": "../x"}, "request.path")],
)
def test_a_bad_planned_request_is_named(request_: Any, param: str) -> None:
    with pytest.raises(ZohoCRMValidationError) as info:
        check_planned_request(request_)
    assert info.value.json_path == param


@PROPERTY
@given(value=st.one_of(st.sampled_from(c.STRUCTURES + c.NUMBERS + c.TEXT), st.integers(), st.text()))
def test_preview_never_raises_and_stays_short(value: Any) -> None:
    assert len(preview(value)) <= 120

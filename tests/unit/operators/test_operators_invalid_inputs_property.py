"""Property: any invalid input to the connected workflow and cadence operators raises
ZohoCRMValidationError before a single HTTP request (token requests included).

One property over two operator modules (``operators/connected_workflows.py`` and ``operators/cadences.py``),
sharing its strategies, so it has a file of its own rather than a half in each module's tests.
"""

from __future__ import annotations

from typing import Any

import requests_mock as requests_mock_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.operators import (
    ActivateConnectedWorkflowOperator,
    CreateConnectedWorkflowOperator,
    DeactivateConnectedWorkflowOperator,
    UnenrollCadenceOperator,
)

FORBIDDEN_NAME_CHARS = '@#%&()*+=:;<>[]{}~`"^\x00\x1c\x7f'
GOOD_ID = "554023000004092008"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

not_an_id = st.one_of(
    st.text().filter(lambda s: not (s.isascii() and s.isdigit() and 0 < len(s) <= 30)),
    st.integers(max_value=0),
    st.none(),
    st.booleans(),
    st.floats(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
not_a_module = st.one_of(
    st.text().filter(
        lambda s: not (s[:1].isascii() and s[:1].isalpha() and s.isascii() and s.replace("_", "").isalnum())
    ),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
)
bad_names = st.one_of(
    st.none(),
    st.just(""),
    st.text(alphabet=" \t\n", min_size=1, max_size=5),
    st.text(min_size=51, max_size=80).filter(lambda s: s.strip()),
    st.tuples(st.text(max_size=20), st.sampled_from(FORBIDDEN_NAME_CHARS), st.text(max_size=20)).map("".join),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=2),
)
bad_modules = st.one_of(
    not_a_module,
    st.just({}),
    st.fixed_dictionaries({"api_name": not_a_module.filter(lambda v: v is not None)}),
    st.fixed_dictionaries({"id": not_an_id.filter(lambda v: v is not None)}),
    st.fixed_dictionaries({"module": st.just("Leads")}),
)
bad_descriptions = st.one_of(st.text(min_size=501, max_size=600), st.integers(), st.lists(st.text(), max_size=2))
bad_if_exists = st.text().filter(lambda s: s not in ("reuse", "fail"))


def assert_rejected_offline(operator: Any) -> None:
    with requests_mock_module.Mocker() as mock:
        try:
            operator.execute(context={})
        except ZohoCRMValidationError:
            pass
        else:
            raise AssertionError("no ZohoCRMValidationError")
        assert mock.request_history == []


@st.composite
def create_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"name": "valid-name", "primary_module": "Contacts", "description": None}
    field = draw(st.sampled_from(["name", "primary_module", "description", "if_exists"]))
    kwargs[field] = draw(
        {"name": bad_names, "primary_module": bad_modules, "description": bad_descriptions, "if_exists": bad_if_exists}[
            field
        ]
    )
    return kwargs


@SETTINGS
@given(kwargs=create_kwargs(), dry_run=st.booleans())
def test_create_rejects_invalid_inputs_offline(zoho_conn, kwargs, dry_run):
    assert_rejected_offline(CreateConnectedWorkflowOperator(task_id="t", dry_run=dry_run, **kwargs))


@SETTINGS
@given(
    workflow_id=not_an_id,
    operator=st.sampled_from([ActivateConnectedWorkflowOperator, DeactivateConnectedWorkflowOperator]),
    dry_run=st.booleans(),
)
def test_status_operators_reject_invalid_ids_offline(zoho_conn, workflow_id, operator, dry_run):
    assert_rejected_offline(operator(task_id="t", connected_workflow_id=workflow_id, dry_run=dry_run))


@st.composite
def unenroll_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    good_records = draw(st.lists(st.integers(min_value=1, max_value=10**18).map(str), max_size=300))
    kwargs: dict[str, Any] = {"module": "Contacts", "record_ids": good_records, "cadence_ids": [GOOD_ID]}
    field = draw(st.sampled_from(["module", "record_ids", "cadence_ids", "max_workers", "fail_on_error"]))
    if field == "module":
        kwargs["module"] = draw(not_a_module)
    elif field == "record_ids":
        bad = draw(not_an_id.filter(lambda v: not isinstance(v, str) or v.strip() != ""))
        position = draw(st.integers(min_value=0, max_value=len(good_records)))
        kwargs["record_ids"] = [*good_records[:position], bad, *good_records[position:]]
    elif field == "cadence_ids":
        kwargs["cadence_ids"] = draw(
            st.one_of(st.just([]), st.lists(not_an_id, min_size=1, max_size=6), st.integers(), st.none())
        )
    elif field == "max_workers":
        kwargs["max_workers"] = draw(
            st.one_of(
                st.integers(max_value=0),
                st.integers(min_value=26),
                st.floats(),
                st.text().filter(lambda s: not (s.strip().isdecimal() and 1 <= int(s.strip()) <= 25)),
                st.none(),
            )
        )
    else:
        kwargs["fail_on_error"] = draw(
            st.one_of(st.text().filter(lambda s: s.strip().lower() not in ("true", "false")), st.integers(), st.none())
        )
    return kwargs


@SETTINGS
@given(kwargs=unenroll_kwargs(), dry_run=st.booleans())
def test_unenroll_rejects_invalid_inputs_offline(zoho_conn, kwargs, dry_run):
    assert_rejected_offline(UnenrollCadenceOperator(task_id="t", dry_run=dry_run, **kwargs))

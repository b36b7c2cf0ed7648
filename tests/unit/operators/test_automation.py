"""Snapshot / pause / restore operators: construction, and inputs refused before any request."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import AirflowException

from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError, ZohoCRMError, ZohoCRMValidationError
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import (
    PauseAutomationOperator,
    RestoreAutomationOperator,
    SnapshotAutomationOperator,
    ZohoCRMBaseOperator,
)
from unit.automation.model import SMALL_SNAPSHOT, doc, rule
from unit.helpers import REORDER_URL, WORKFLOW_URL, api_requests

# Deliberate choices fixed in the DAG's code rather than run parameters.
NOT_TEMPLATED = {"include_connected_workflows", "delete_schedule_action"}


@pytest.mark.parametrize("cls", [SnapshotAutomationOperator, PauseAutomationOperator, RestoreAutomationOperator])
def test_template_fields_cover_every_run_input(cls: type[ZohoCRMBaseOperator]) -> None:
    inputs = {name for name in inspect.signature(cls.__init__).parameters if name not in ("self", "kwargs")}
    assert (inputs - NOT_TEMPLATED) | {"zoho_crm_conn_id"} == set(cls.template_fields)
    assert all(p.kind is p.KEYWORD_ONLY for n, p in inspect.signature(cls.__init__).parameters.items() if n in inputs)


def test_init_reads_no_connection(requests_mock: Any, mocker: Any) -> None:
    get_connection = mocker.patch.object(ZohoCRMHook, "get_connection", side_effect=AssertionError("too early"))
    templated = "{{ ti.xcom_pull('snapshot') }}"
    operators = [
        SnapshotAutomationOperator(task_id="s", modules="{{ params.modules }}", path="{{ params.path }}"),
        PauseAutomationOperator(task_id="p", snapshot=templated, include="{{ params.include }}"),
        RestoreAutomationOperator(task_id="r", snapshot=templated, on_drift="{{ params.on_drift }}"),
    ]
    assert all("hook" not in vars(op) for op in operators)
    assert get_connection.call_count == 0
    assert requests_mock.request_history == []


def test_arguments_are_keyword_only() -> None:
    with pytest.raises((TypeError, AirflowException)):  # Airflow 2 refuses positional arguments itself
        RestoreAutomationOperator("t", SMALL_SNAPSHOT)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("operator", "where"),
    [
        (SnapshotAutomationOperator(task_id="s", modules=[]), "modules"),
        (
            SnapshotAutomationOperator(task_id="s", modules=["Leads"], include_connected_workflows="yes"),
            "include_connected_workflows",
        ),
        (PauseAutomationOperator(task_id="p", snapshot={"version": 2}), "snapshot"),
        (
            PauseAutomationOperator(task_id="p", snapshot=SMALL_SNAPSHOT, delete_schedule_action="no"),
            "delete_schedule_action",
        ),
        (PauseAutomationOperator(task_id="p", snapshot=SMALL_SNAPSHOT, include={"rules": ["Asign*"]}), "include"),
        (PauseAutomationOperator(task_id="p", snapshot=SMALL_SNAPSHOT, exclude={"rule": ["11"]}), "exclude"),
        (RestoreAutomationOperator(task_id="r", snapshot=SMALL_SNAPSHOT, on_drift="ignore"), "on_drift"),
        (RestoreAutomationOperator(task_id="r", snapshot="{'version': 1"), "snapshot"),
        (SnapshotAutomationOperator(task_id="s", modules=["Leads"], path=[]), "path"),
        (SnapshotAutomationOperator(task_id="s", modules=["Leads"], path="  "), "path"),
        (SnapshotAutomationOperator(task_id="s", modules=["Leads"], path=123), "path"),
        (SnapshotAutomationOperator(task_id="s", modules=["Leads"], path="/"), "path"),
        (SnapshotAutomationOperator(task_id="s", modules=["Leads"], path="/proc/1/x\x00.json"), "path"),
    ],
)
def test_bad_inputs_fail_before_any_request(zoho_conn: str, requests_mock: Any, operator: Any, where: str) -> None:
    with pytest.raises(ZohoCRMValidationError) as info:
        operator.execute(context={})
    assert info.value.json_path == where
    assert requests_mock.request_history == []


def test_drift_errors_are_provider_errors() -> None:
    assert issubclass(ZohoCRMDriftError, ZohoCRMError)


def test_a_failed_step_of_a_split_reorder_skips_the_steps_planned_after_it(zoho: Any) -> None:
    """Later steps are planned on the order the failed one would have left: they are not sent, and reported."""
    ids = [str(4876876000011000000 + n) for n in range(25)]
    snapshot = doc({"Leads": [rule(i) for i in ids]})
    zoho.get(WORKFLOW_URL, json={"workflow_rules": [rule(i) for i in reversed(ids)], "info": {"more_records": False}})
    failure = {
        "code": "INVALID_DATA",
        "details": {"api_name": "id"},
        "message": "Invalid process id",
        "status": "error",
    }
    zoho.put(REORDER_URL, [{"json": {"reorder": []}}, {"status_code": 400, "json": {"reorder": [failure]}}])

    with pytest.raises(ZohoCRMError, match="2 of 3 restore write") as info:
        RestoreAutomationOperator(task_id="r", snapshot=snapshot).execute(context={})

    assert [r.method for r in api_requests(zoho)] == ["GET", "PUT", "PUT"]
    failures = info.value.details["failures"]
    assert [(f["step"], f["error"]["error"]) for f in failures] == [(2, "ZohoCRMValidationError"), (3, "Skipped")]


def test_on_drift_fail_refuses_a_restore_whose_only_drift_is_a_created_rule(zoho: Any) -> None:
    snapshot = doc({"Leads": [rule("4876876000011000001", active=True)]})
    now = [rule("4876876000011000001", active=False), rule("4876876000011000002")]
    zoho.get(WORKFLOW_URL, json={"workflow_rules": now, "info": {"more_records": False}})
    with pytest.raises(ZohoCRMDriftError, match="nothing was restored") as info:
        RestoreAutomationOperator(task_id="r", snapshot=snapshot, on_drift="fail").execute(context={})
    assert [(d["change"], d["blocks_restore"]) for d in info.value.details["drift"]] == [("created", False)]
    assert [r.method for r in api_requests(zoho)] == ["GET"]

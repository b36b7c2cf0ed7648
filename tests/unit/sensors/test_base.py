"""ZohoCRMStatusSensor (``sensors/base.py``) through both its sensors: poke, XCom, validation, deferral, resumption.

WorkflowRuleStatusSensor and ConnectedWorkflowStatusSensor run the same cases (``case``), so the few
sensor-specific checks stay with them here rather than in files of their own.
"""

from __future__ import annotations

import importlib
import inspect
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import (
    AirflowSensorTimeout,
    AirflowSkipException,
    PokeReturnValue,
    TaskDeferred,
    conf,
)

from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMNotFoundError, ZohoCRMValidationError
from airflow_provider_zohocrm.sensors import ConnectedWorkflowStatusSensor, WorkflowRuleStatusSensor
from airflow_provider_zohocrm.sensors.base import ZohoCRMStatusSensor
from airflow_provider_zohocrm.triggers import ConnectedWorkflowStatusTrigger, WorkflowRuleStatusTrigger
from airflow_provider_zohocrm.version_compat import AIRFLOW_V_3_0_PLUS
from unit.helpers import (
    CANARIES,
    CONNECTED_WORKFLOW_ID,
    CONNECTED_WORKFLOW_NOT_FOUND,
    CONNECTED_WORKFLOW_URL,
    RULE_ID,
    RULE_NOT_FOUND,
    RULE_URL,
    api_requests,
    connected_workflow_status_body,
    mock_token,
    rule_status_body,
)

# One case per sensor: how to build it, mock its object and name its fields.
SENSORS = {
    "workflow_rule": {
        "sensor": WorkflowRuleStatusSensor,
        "trigger": WorkflowRuleStatusTrigger,
        "id_kwarg": "rule_id",
        "wanted_kwarg": "active",
        "object_id": RULE_ID,
        "url": RULE_URL,
        "body": rule_status_body,
        "done": True,
        "not_done": False,
        "not_found": RULE_NOT_FOUND,
    },
    "connected_workflow": {
        "sensor": ConnectedWorkflowStatusSensor,
        "trigger": ConnectedWorkflowStatusTrigger,
        "id_kwarg": "connected_workflow_id",
        "wanted_kwarg": "status",
        "object_id": CONNECTED_WORKFLOW_ID,
        "url": CONNECTED_WORKFLOW_URL,
        "body": connected_workflow_status_body,
        "done": "active",
        "not_done": "draft",
        "not_found": CONNECTED_WORKFLOW_NOT_FOUND,
    },
}


@pytest.fixture(params=sorted(SENSORS))
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    return SENSORS[request.param]


def make_sensor(case: dict[str, Any], **kwargs: Any) -> ZohoCRMStatusSensor:
    kwargs.setdefault(case["id_kwarg"], case["object_id"])
    kwargs.setdefault(case["wanted_kwarg"], case["done"])
    kwargs.setdefault("task_id", "wait")
    kwargs.setdefault("poke_interval", 0.01)
    kwargs.setdefault("timeout", 30)
    return case["sensor"](**kwargs)


def mock_state(requests_mock: Any, case: dict[str, Any], *states: Any) -> Any:
    """The object answers each state in turn (the last one repeats)."""
    return requests_mock.get(case["url"], [{"json": case["body"](state)} for state in states])


# ---------------------------------------------------------------- poke and XCom


def test_poke_is_done_when_state_matches(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, case, case["done"])
    result = make_sensor(case).poke({})
    assert isinstance(result, PokeReturnValue)
    assert result.is_done is True
    assert result.xcom_value == case["done"]


def test_poke_is_not_done_and_reports_current_state(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, case, case["not_done"])
    result = make_sensor(case).poke({})
    assert result.is_done is False
    assert result.xcom_value == case["not_done"]


def test_wait_for_the_not_active_state(memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, SENSORS["workflow_rule"], False)
    sensor = WorkflowRuleStatusSensor(task_id="wait", rule_id=RULE_ID, active=False)
    assert sensor.poke({}).is_done is True


def test_connected_workflow_status_is_compared_case_insensitively(memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, SENSORS["connected_workflow"], "ACTIVE")
    sensor = ConnectedWorkflowStatusSensor(
        task_id="wait", connected_workflow_id=CONNECTED_WORKFLOW_ID, status=" Active "
    )
    result = sensor.poke({})
    assert (result.is_done, result.xcom_value) == (True, "active")


def test_execute_polls_until_done_and_returns_the_state_for_xcom(
    case: dict[str, Any], memory_conn: str, requests_mock: Any
) -> None:
    route = mock_state(requests_mock, case, case["not_done"], case["not_done"], case["done"])
    assert make_sensor(case, deferrable=False).execute({}) == case["done"]
    assert route.call_count == 3


def test_execute_times_out_in_poke_mode(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, case, case["not_done"])
    with pytest.raises(AirflowSensorTimeout):
        make_sensor(case, deferrable=False, timeout=0.05).execute({})


def test_soft_fail_turns_a_timeout_into_a_skip(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, case, case["not_done"])
    with pytest.raises(AirflowSkipException):
        make_sensor(case, deferrable=False, timeout=0.05, soft_fail=True).execute({})


def test_the_hook_uses_the_sensors_connection(case: dict[str, Any], make_zoho_conn: Any, requests_mock: Any) -> None:
    mock_token(requests_mock)
    make_zoho_conn("zoho_other", auth_cache="memory")
    mock_state(requests_mock, case, case["done"])
    sensor = make_sensor(case, zoho_crm_conn_id="zoho_other")
    assert sensor.poke({}).is_done
    assert sensor.hook.zoho_crm_conn_id == "zoho_other"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("deferrable", [False, True])
@pytest.mark.parametrize("status", ["published", "", None, 1, "{{ params.status }}"])
def test_invalid_status_fails_before_any_request(
    memory_conn: str, requests_mock: Any, status: Any, deferrable: bool
) -> None:
    sensor = ConnectedWorkflowStatusSensor(
        task_id="wait", connected_workflow_id=CONNECTED_WORKFLOW_ID, status=status, deferrable=deferrable
    )
    with pytest.raises(ZohoCRMValidationError, match=r"status must be one of draft, active, inactive") as info:
        sensor.execute({})
    assert info.value.details["param_name"] == "status"
    assert requests_mock.request_history == []


@pytest.mark.parametrize("active", ["maybe", None, 2])
def test_invalid_active_names_the_parameter(memory_conn: str, requests_mock: Any, active: Any) -> None:
    sensor = WorkflowRuleStatusSensor(task_id="wait", rule_id=RULE_ID, active=active)
    with pytest.raises(ZohoCRMValidationError, match=r"(?i)active must be true or false"):
        sensor.execute({})
    assert requests_mock.request_history == []


@pytest.mark.parametrize(("text", "expected"), [("true", True), ("False", False), (" TRUE ", True)])
def test_rendered_active_strings_are_accepted(text: str, expected: bool) -> None:
    sensor = WorkflowRuleStatusSensor(task_id="wait", rule_id=RULE_ID, active=text)  # type: ignore[arg-type]
    assert sensor.target() == (RULE_ID, expected)


@pytest.mark.parametrize("bad_id", ["abc", "../org", "", None, "12 34"])
def test_invalid_id_names_the_parameter(
    case: dict[str, Any], memory_conn: str, requests_mock: Any, bad_id: Any
) -> None:
    sensor = make_sensor(case, **{case["id_kwarg"]: bad_id})
    with pytest.raises(ZohoCRMValidationError, match=case["id_kwarg"]):
        sensor.execute({})
    assert requests_mock.request_history == []


def test_unrendered_templates_are_accepted_at_construction(case: dict[str, Any]) -> None:
    sensor = make_sensor(case, **{case["id_kwarg"]: "{{ params.id }}", case["wanted_kwarg"]: "{{ params.x }}"})
    assert getattr(sensor, case["id_kwarg"]) == "{{ params.id }}"


def test_template_fields(case: dict[str, Any]) -> None:
    assert set(case["sensor"].template_fields) == {case["id_kwarg"], case["wanted_kwarg"], "zoho_crm_conn_id"}


def test_sensor_accepts_exactly_the_statuses_the_trigger_knows() -> None:
    from airflow_provider_zohocrm.sensors import ConnectedWorkflowStatusSensor
    from airflow_provider_zohocrm.triggers.connected_workflows import CONNECTED_WORKFLOW_STATUSES

    for status in CONNECTED_WORKFLOW_STATUSES:
        sensor = ConnectedWorkflowStatusSensor(task_id="w", connected_workflow_id="1", status=status.upper())
        assert sensor.target() == ("1", status)
    with pytest.raises(ZohoCRMValidationError):
        ConnectedWorkflowStatusSensor(task_id="w", connected_workflow_id="1", status="published").target()


def test_deferrable_defaults_to_airflows_setting() -> None:
    default = inspect.signature(ZohoCRMStatusSensor.__init__).parameters["deferrable"].default
    assert default is conf.getboolean("operators", "default_deferrable", fallback=False)


# ---------------------------------------------------------------- a missing id fails at once


@pytest.mark.parametrize("soft_fail", [False, True])
@pytest.mark.parametrize("deferrable", [False, True])
def test_missing_id_fails_at_the_first_poke(
    case: dict[str, Any], memory_conn: str, requests_mock: Any, soft_fail: bool, deferrable: bool
) -> None:
    route = requests_mock.get(case["url"], status_code=400, json=case["not_found"])
    sensor = make_sensor(case, deferrable=deferrable, soft_fail=soft_fail, timeout=600)
    with pytest.raises(ZohoCRMNotFoundError, match="seems to be invalid"):
        sensor.execute({})
    assert route.call_count == 1


@pytest.fixture
def reschedule_context(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A context for a first try in reschedule mode, without a metadata database."""
    from unittest import mock

    if AIRFLOW_V_3_0_PLUS:
        return {"ti": mock.Mock(**{"get_first_reschedule_date.return_value": None})}
    # Airflow 2 reads the first try's start date from the metadata database.
    monkeypatch.setattr("airflow.sensors.base._orig_start_date", lambda **kwargs: None)
    return {"ti": mock.Mock(max_tries=0)}


def test_missing_id_fails_at_once_in_reschedule_mode(
    case: dict[str, Any], memory_conn: str, requests_mock: Any, reschedule_context: Any
) -> None:
    route = requests_mock.get(case["url"], status_code=400, json=case["not_found"])
    sensor = make_sensor(case, deferrable=False, mode="reschedule", soft_fail=True, poke_interval=60)
    with pytest.raises(ZohoCRMNotFoundError):
        sensor.execute(reschedule_context)
    assert route.call_count == 1


def test_reschedule_mode_frees_the_slot_until_the_next_poke(
    case: dict[str, Any], memory_conn: str, requests_mock: Any, reschedule_context: Any
) -> None:
    try:
        from airflow.sdk.exceptions import AirflowRescheduleException
    except ImportError:  # Airflow 2
        from airflow.exceptions import AirflowRescheduleException

    mock_state(requests_mock, case, case["not_done"])
    sensor = make_sensor(case, deferrable=False, mode="reschedule", poke_interval=60)
    before = time.time()
    with pytest.raises(AirflowRescheduleException) as info:
        sensor.execute(reschedule_context)
    assert info.value.reschedule_date.timestamp() >= before + 59


def test_never_fail_skips_a_missing_id_in_deferrable_mode(
    case: dict[str, Any], memory_conn: str, requests_mock: Any
) -> None:
    requests_mock.get(case["url"], status_code=400, json=case["not_found"])
    sensor = make_sensor(case, deferrable=True, never_fail=True)
    with pytest.raises(AirflowSkipException):
        sensor.execute({})


# ---------------------------------------------------------------- deferral


def test_deferrable_sensor_returns_at_once_when_already_done(
    case: dict[str, Any], memory_conn: str, requests_mock: Any
) -> None:
    route = mock_state(requests_mock, case, case["done"])
    assert make_sensor(case, deferrable=True).execute({}) == case["done"]
    assert route.call_count == 1


def test_deferrable_sensor_pokes_once_then_defers(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    route = mock_state(requests_mock, case, case["not_done"])
    sensor = make_sensor(case, deferrable=True, timeout=600, poke_interval=15)
    before = time.time()
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    after = time.time()
    assert route.call_count == 1

    deferred = info.value
    assert type(deferred.trigger) is case["trigger"]
    assert deferred.method_name == "execute_complete"
    assert deferred.timeout == timedelta(seconds=600)
    classpath, kwargs = deferred.trigger.serialize()
    assert classpath == f"{case['trigger'].__module__}.{case['trigger'].__name__}"
    deadline = kwargs.pop("deadline")
    assert before + 600 <= deadline <= after + 600
    assert kwargs == {
        case["id_kwarg"]: case["object_id"],
        case["wanted_kwarg"]: case["done"],
        "poke_interval": 15.0,
        "zoho_crm_conn_id": "zoho_crm_default",
    }


def test_deferral_serializes_no_secret(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, case, case["not_done"])
    with pytest.raises(TaskDeferred) as info:
        make_sensor(case, deferrable=True).execute({})
    dumped = json.dumps(info.value.trigger.serialize()) + repr(info.value.trigger.__dict__)
    for canary in CANARIES:
        assert canary not in dumped
    assert "token" not in json.dumps(info.value.trigger.serialize()[1]).lower()


def test_trigger_serialization_round_trip(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, case, case["not_done"])
    with pytest.raises(TaskDeferred) as info:
        make_sensor(case, deferrable=True, zoho_crm_conn_id="zoho_crm_default").execute({})
    classpath, kwargs = info.value.trigger.serialize()
    module, name = classpath.rsplit(".", 1)
    rebuilt = getattr(importlib.import_module(module), name)(**json.loads(json.dumps(kwargs)))
    assert rebuilt.serialize() == (classpath, kwargs)


def test_api_requests_carry_no_secret_in_the_url(case: dict[str, Any], memory_conn: str, requests_mock: Any) -> None:
    mock_state(requests_mock, case, case["done"])
    make_sensor(case).poke({})
    for request in api_requests(requests_mock):
        assert all(canary not in request.url for canary in CANARIES)


# ---------------------------------------------------------------- execute_complete


def test_execute_complete_success_returns_the_state(case: dict[str, Any]) -> None:
    sensor = make_sensor(case)
    assert sensor.execute_complete({}, {"status": "success", "state": case["done"]}) == case["done"]


def test_execute_complete_error_raises_the_typed_error(case: dict[str, Any]) -> None:
    event = {
        "status": "error",
        "error": "ZohoCRMNotFoundError",
        "message": "400 INVALID_DATA: the id given seems to be invalid. Check the id",
        "status_code": 400,
        "code": "INVALID_DATA",
    }
    with pytest.raises(ZohoCRMNotFoundError) as info:
        make_sensor(case).execute_complete({}, event)
    assert str(info.value) == event["message"]
    assert (info.value.status_code, info.value.code) == (400, "INVALID_DATA")


def test_execute_complete_error_of_an_unknown_type_is_a_provider_error(case: dict[str, Any]) -> None:
    event = {"status": "error", "error": "AirflowNotFoundException", "message": "The conn_id `x` isn't defined"}
    with pytest.raises(ZohoCRMError, match="isn't defined"):
        make_sensor(case).execute_complete({}, event)


def test_execute_complete_timeout_raises_sensor_timeout(case: dict[str, Any]) -> None:
    event = {"status": "timeout", "state": case["not_done"], "message": "still draft at the deadline"}
    with pytest.raises(AirflowSensorTimeout, match="still draft at the deadline"):
        make_sensor(case).execute_complete({}, event)


@pytest.mark.parametrize("event", [None, {}, {"status": "weird"}])
def test_execute_complete_rejects_an_unexpected_event(case: dict[str, Any], event: Any) -> None:
    with pytest.raises(ZohoCRMError, match="unexpected trigger event"):
        make_sensor(case).execute_complete({}, event)


def resume(sensor: ZohoCRMStatusSensor, event: dict[str, Any]) -> Any:
    """Resume the way Airflow's task runner does after the trigger fired."""
    return sensor.resume_execution("execute_complete", {"event": event}, {})


def test_resumed_timeout_with_soft_fail_is_a_skip(case: dict[str, Any]) -> None:
    sensor = make_sensor(case, deferrable=True, soft_fail=True)
    with pytest.raises(AirflowSkipException):
        resume(sensor, {"status": "timeout", "state": case["not_done"], "message": "late"})


def test_resumed_timeout_without_soft_fail_fails(case: dict[str, Any]) -> None:
    sensor = make_sensor(case, deferrable=True)
    with pytest.raises(AirflowSensorTimeout):
        resume(sensor, {"status": "timeout", "state": case["not_done"], "message": "late"})


def test_resumed_missing_id_fails_even_with_soft_fail(case: dict[str, Any]) -> None:
    sensor = make_sensor(case, deferrable=True, soft_fail=True)
    event = {"status": "error", "error": "ZohoCRMNotFoundError", "message": "the id given seems to be invalid"}
    with pytest.raises(ZohoCRMNotFoundError):
        resume(sensor, event)


def test_resumed_success_returns_the_state(case: dict[str, Any]) -> None:
    sensor = make_sensor(case, deferrable=True, soft_fail=True)
    assert resume(sensor, {"status": "success", "state": case["done"]}) == case["done"]

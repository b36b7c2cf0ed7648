"""ZohoCRMStatusTrigger (``triggers/base.py``) through both its triggers: events, deadline, retries off the
event loop, serialization, light imports (of the sensor modules too)."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from airflow.triggers.base import TriggerEvent

from airflow_provider_zohocrm.triggers import (
    ConnectedWorkflowStatusTrigger,
    WorkflowRuleStatusTrigger,
    ZohoCRMStatusTrigger,
)
from unit.helpers import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    CONNECTED_WORKFLOW_ID,
    CONNECTED_WORKFLOW_NOT_FOUND,
    CONNECTED_WORKFLOW_URL,
    REFRESH_TOKEN,
    RULE_ID,
    RULE_NOT_FOUND,
    RULE_URL,
    TOKEN_URL,
    connected_workflow_status_body,
    rule_status_body,
)


def rule(active: bool) -> dict[str, Any]:
    return {"json": rule_status_body(active)}


def workflow(status: str) -> dict[str, Any]:
    return {"json": connected_workflow_status_body(status)}


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, str]]:
    """The hook's retry sleeps, with the thread each ran in, instead of sleeping."""
    recorded: list[tuple[float, str]] = []
    monkeypatch.setattr(
        "airflow_provider_zohocrm.retry._sleep", lambda s: recorded.append((s, threading.current_thread().name))
    )
    return recorded


def rule_trigger(**kwargs: Any) -> WorkflowRuleStatusTrigger:
    kwargs.setdefault("rule_id", RULE_ID)
    kwargs.setdefault("deadline", time.time() + 30)
    kwargs.setdefault("poke_interval", 0.01)
    return WorkflowRuleStatusTrigger(**kwargs)


async def events_of(trigger: ZohoCRMStatusTrigger, timeout: float = 10) -> list[TriggerEvent]:
    """Every event the trigger yields before it returns (a status trigger yields exactly one)."""

    async def collect() -> list[TriggerEvent]:
        return [event async for event in trigger.run()]

    return await asyncio.wait_for(collect(), timeout)


async def only_event(trigger: ZohoCRMStatusTrigger, timeout: float = 10) -> dict[str, Any]:
    events = await events_of(trigger, timeout)
    assert len(events) == 1
    return dict(events[0].payload)


# ---------------------------------------------------------------- run()


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_success_when_the_rule_is_already_active(requests_mock: Any) -> None:
    route = requests_mock.get(RULE_URL, [rule(True)])
    assert await only_event(rule_trigger()) == {"status": "success", "state": True}
    assert route.call_count == 1


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_polls_until_the_rule_becomes_active(requests_mock: Any) -> None:
    route = requests_mock.get(RULE_URL, [rule(False), rule(False), rule(True)])
    assert await only_event(rule_trigger()) == {"status": "success", "state": True}
    assert route.call_count == 3


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_waits_for_inactive(requests_mock: Any) -> None:
    requests_mock.get(RULE_URL, [rule(True), rule(False)])
    assert await only_event(rule_trigger(active=False)) == {"status": "success", "state": False}


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_connected_workflow_success(requests_mock: Any) -> None:
    requests_mock.get(CONNECTED_WORKFLOW_URL, [workflow("draft"), workflow("active")])
    trigger = ConnectedWorkflowStatusTrigger(
        connected_workflow_id=CONNECTED_WORKFLOW_ID, status="active", deadline=time.time() + 30, poke_interval=0.01
    )
    assert await only_event(trigger) == {"status": "success", "state": "active"}


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_missing_rule_yields_an_error_event(requests_mock: Any) -> None:
    route = requests_mock.get(RULE_URL, status_code=400, json=RULE_NOT_FOUND)
    event = await only_event(rule_trigger())
    assert event["status"] == "error"
    assert event["error"] == "ZohoCRMNotFoundError"
    assert "the id given seems to be invalid" in event["message"]
    assert (event["status_code"], event["code"]) == (400, "INVALID_DATA")
    assert route.call_count == 1  # not retried, not polled again


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_missing_connected_workflow_yields_an_error_event(requests_mock: Any) -> None:
    requests_mock.get(CONNECTED_WORKFLOW_URL, status_code=400, json=CONNECTED_WORKFLOW_NOT_FOUND)
    trigger = ConnectedWorkflowStatusTrigger(connected_workflow_id=CONNECTED_WORKFLOW_ID, deadline=time.time() + 30)
    event = await only_event(trigger)
    assert (event["status"], event["error"]) == ("error", "ZohoCRMNotFoundError")


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_refused_credentials_yield_an_error_event(requests_mock: Any) -> None:
    requests_mock.post(TOKEN_URL, json={"error": "invalid_code"})
    event = await only_event(rule_trigger())
    assert (event["status"], event["error"]) == ("error", "ZohoCRMAuthError")
    assert REFRESH_TOKEN not in event["message"]
    assert CLIENT_SECRET not in event["message"]


@pytest.mark.asyncio
async def test_undefined_connection_yields_an_error_event(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_ZOHO_CRM_NOWHERE", raising=False)
    event = await only_event(rule_trigger(zoho_crm_conn_id="zoho_crm_nowhere"))
    assert event["status"] == "error"
    assert "zoho_crm_nowhere" in event["message"]


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_timeout_event_after_the_deadline(requests_mock: Any) -> None:
    route = requests_mock.get(RULE_URL, [rule(False)])
    started = time.monotonic()
    event = await only_event(rule_trigger(deadline=time.time() + 0.3, poke_interval=0.05))
    elapsed = time.monotonic() - started
    assert event["status"] == "timeout"
    assert event["state"] is False
    assert "still inactive" in event["message"]
    assert "wanted active" in event["message"]
    assert 0.25 <= elapsed < 5
    assert route.call_count >= 3


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_the_last_wait_ends_at_the_deadline_not_a_full_interval_later(requests_mock: Any) -> None:
    route = requests_mock.get(RULE_URL, [rule(False)])
    started = time.monotonic()
    event = await only_event(rule_trigger(deadline=time.time() + 0.2, poke_interval=60))
    assert event["status"] == "timeout"
    assert time.monotonic() - started < 5
    assert route.call_count == 2  # one poll, a wait up to the deadline, one last poll


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_a_past_deadline_still_polls_once(requests_mock: Any) -> None:
    requests_mock.get(RULE_URL, [rule(True)])
    assert await only_event(rule_trigger(deadline=time.time() - 10)) == {"status": "success", "state": True}


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_server_errors_are_retried_in_a_worker_thread(
    requests_mock: Any, sleeps: list[tuple[float, str]]
) -> None:
    route = requests_mock.get(
        RULE_URL,
        [
            {"status_code": 503, "text": "<html>Service Temporarily Unavailable</html>"},
            {"status_code": 500, "json": {"code": "INTERNAL_ERROR", "message": "Internal Server Error"}},
            rule(True),
        ],
    )
    loop_thread = threading.current_thread().name
    assert await only_event(rule_trigger()) == {"status": "success", "state": True}
    assert route.call_count == 3
    assert len(sleeps) == 2
    assert all(thread != loop_thread for _, thread in sleeps)  # the backoff never ran on the event loop


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_rate_limit_is_retried_after_retry_after(requests_mock: Any, sleeps: list[tuple[float, str]]) -> None:
    requests_mock.get(
        RULE_URL,
        [
            {
                "status_code": 429,
                "headers": {"Retry-After": "3"},
                "json": {"code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded", "status": "error"},
            },
            rule(True),
        ],
    )
    assert await only_event(rule_trigger()) == {"status": "success", "state": True}
    assert [seconds for seconds, _ in sleeps] == [pytest.approx(3)]  # Retry-After beats a shorter backoff


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_a_server_error_outliving_the_retry_budget_is_an_error_event(
    requests_mock: Any, sleeps: list[tuple[float, str]]
) -> None:
    requests_mock.get(RULE_URL, status_code=503, text="<html>down</html>")
    event = await only_event(rule_trigger())
    assert (event["status"], event["error"], event["status_code"]) == ("error", "ZohoCRMServerError", 503)
    assert len(sleeps) == 5  # six attempts by default


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_a_response_without_status_is_an_error_event(requests_mock: Any) -> None:
    requests_mock.get(RULE_URL, json={"workflow_rules": [{"id": RULE_ID}]})
    event = await only_event(rule_trigger())
    assert (event["status"], event["error"]) == ("error", "ZohoCRMServerError")


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"connected_workflows": {"status": "active"}}, "$.connected_workflows"),
        ({"connected_workflows": ["active"]}, "$.connected_workflows[0]"),
    ],
)
async def test_an_answer_of_another_shape_is_one_error_event_naming_the_key(
    requests_mock: Any, sleeps: list[tuple[float, str]], body: dict[str, Any], where: str
) -> None:
    requests_mock.get(CONNECTED_WORKFLOW_URL, json=body)
    trigger = ConnectedWorkflowStatusTrigger(
        connected_workflow_id=CONNECTED_WORKFLOW_ID, deadline=time.time() + 30, poke_interval=0.01
    )
    event = await only_event(trigger)
    assert (event["status"], event["error"], event["code"]) == ("error", "ZohoCRMServerError", "UNEXPECTED_ANSWER")
    assert where in event["message"]
    assert sleeps == []  # not retried: the same server answers the same way
    assert len([r for r in requests_mock.request_history if "/crm/" in r.path]) == 1


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_the_token_is_minted_once_and_shared(requests_mock: Any) -> None:
    requests_mock.get(RULE_URL, [rule(True)])
    await only_event(rule_trigger())
    await only_event(rule_trigger())
    token_calls = [r for r in requests_mock.request_history if r.url.startswith(TOKEN_URL)]
    assert len(token_calls) == 1
    api_calls = [r for r in requests_mock.request_history if r.url.startswith(RULE_URL)]
    assert all(r.headers["Authorization"] == f"Zoho-oauthtoken {ACCESS_TOKEN}" for r in api_calls)


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_cancelling_the_trigger_stops_polling(requests_mock: Any) -> None:
    route = requests_mock.get(RULE_URL, [rule(False)])
    task = asyncio.ensure_future(events_of(rule_trigger(poke_interval=0.05)))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    calls = route.call_count
    await asyncio.sleep(0.2)
    assert route.call_count == calls


# ---------------------------------------------------------------- the event loop stays free


def test_no_slow_callbacks_on_a_debug_event_loop(
    monkeypatch: pytest.MonkeyPatch,
    requests_mock: Any,
    memory_conn: str,
    sleeps: list[tuple[float, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What PYTHONASYNCIODEBUG=1 reports: no step of the trigger's task holds the loop for 100 ms."""

    answers = iter([False, False, True])

    def slow_call(request: Any, context: Any) -> dict[str, Any]:
        time.sleep(0.15)  # a slow API answer: it must delay the worker thread, not the loop
        return rule(next(answers))["json"]

    requests_mock.get(RULE_URL, [{"status_code": 503, "text": "down"}, {"json": slow_call}])

    def run(coro: Any) -> Any:
        loop = asyncio.new_event_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = 0.1
        try:
            return loop.run_until_complete(coro)
        finally:
            loop.close()

    async def blocking() -> None:
        time.sleep(0.15)

    caplog.set_level(logging.WARNING, logger="asyncio")
    run(blocking())  # control: the debug loop does report a blocking step
    assert any("Executing" in r.getMessage() and "took" in r.getMessage() for r in caplog.records)
    caplog.clear()

    events = run(events_of(rule_trigger(poke_interval=0.02), timeout=20))
    assert [e.payload for e in events] == [{"status": "success", "state": True}]
    slow = [r.getMessage() for r in caplog.records if r.name == "asyncio" and "Executing" in r.getMessage()]
    assert slow == []
    assert len(sleeps) == 1


# ---------------------------------------------------------------- serialization


@pytest.mark.parametrize(
    ("trigger", "kwargs"),
    [
        (
            WorkflowRuleStatusTrigger(rule_id=RULE_ID, active=False, deadline=1_900_000_000.5, poke_interval=30),
            {
                "rule_id": RULE_ID,
                "active": False,
                "deadline": 1_900_000_000.5,
                "poke_interval": 30.0,
                "zoho_crm_conn_id": "zoho_crm_default",
            },
        ),
        (
            ConnectedWorkflowStatusTrigger(
                connected_workflow_id=CONNECTED_WORKFLOW_ID,
                status="inactive",
                deadline=None,
                zoho_crm_conn_id="zoho_eu",
            ),
            {
                "connected_workflow_id": CONNECTED_WORKFLOW_ID,
                "status": "inactive",
                "deadline": None,
                "poke_interval": 60.0,
                "zoho_crm_conn_id": "zoho_eu",
            },
        ),
    ],
)
def test_serialize_and_round_trip(trigger: ZohoCRMStatusTrigger, kwargs: dict[str, Any]) -> None:
    classpath, serialized = trigger.serialize()
    assert classpath == f"airflow_provider_zohocrm.triggers.{type(trigger).__module__.rsplit('.', 1)[1]}." + (
        type(trigger).__name__
    )
    assert serialized == kwargs
    assert type(trigger)(**json.loads(json.dumps(serialized))).serialize() == (classpath, serialized)


@pytest.mark.asyncio
@pytest.mark.usefixtures("memory_conn")
async def test_serialize_holds_no_secret_after_a_run(requests_mock: Any) -> None:
    requests_mock.get(RULE_URL, [rule(True)])
    trigger = rule_trigger()
    await only_event(trigger)
    dumped = json.dumps(trigger.serialize())
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN):
        assert secret not in dumped


def test_trigger_modules_import_no_hook_or_http_client() -> None:
    code = (
        "import sys\n"
        "import airflow_provider_zohocrm.triggers.workflow_rules\n"
        "import airflow_provider_zohocrm.triggers.connected_workflows\n"
        "heavy = [m for m in ('airflow_provider_zohocrm.hooks.zoho_crm', 'airflow_provider_zohocrm.transport',"
        " 'airflow_provider_zohocrm.auth.oauth', 'aiohttp') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_sensor_modules_import_no_trigger_hook_or_http_client() -> None:
    code = (
        "import sys\n"
        "from airflow_provider_zohocrm.sensors import WorkflowRuleStatusSensor, ConnectedWorkflowStatusSensor\n"
        "heavy = [m for m in ('airflow_provider_zohocrm.hooks.zoho_crm', 'airflow_provider_zohocrm.transport',"
        " 'airflow_provider_zohocrm.triggers.base') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "[]"

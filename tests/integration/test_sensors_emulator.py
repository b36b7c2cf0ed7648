"""Status sensors and triggers against the bundled Zoho CRM emulator, over loopback HTTP."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from airflow.providers.common.compat.sdk import TaskDeferred

from airflow_provider_zohocrm.exceptions import ZohoCRMNotFoundError
from airflow_provider_zohocrm.sensors import ConnectedWorkflowStatusSensor, WorkflowRuleStatusSensor
from airflow_provider_zohocrm.triggers import (
    ConnectedWorkflowStatusTrigger,
    WorkflowRuleStatusTrigger,
    ZohoCRMStatusTrigger,
)

pytestmark = pytest.mark.integration

INACTIVE_RULE = "4876876000011150005"  # seeded inactive
MISSING_RULE = "4876876000099999999"
DRAFT_WORKFLOW = "4876876000019209035"  # seeded draft (Vendors)
MISSING_WORKFLOW = "4876876000019999999"
RULE_PATH = f"/crm/v8/settings/automation/workflow_rules/{INACTIVE_RULE}"


@pytest.fixture
def later() -> Iterator[Callable[[float, Callable[[], Any]], None]]:
    """``later(seconds, fn)``: run ``fn`` in a timer thread while the test waits; joined at teardown."""
    timers: list[threading.Timer] = []

    def schedule(seconds: float, fn: Callable[[], Any]) -> None:
        timer = threading.Timer(seconds, fn)
        timer.daemon = True
        timers.append(timer)
        timer.start()

    yield schedule
    for timer in timers:
        timer.cancel()
        timer.join(timeout=5)


def control(emulator: Any, path: str, body: dict[str, Any]) -> None:
    """Change the emulator's state through its HTTP control API, as another process would."""
    response = requests.post(f"{emulator.url}/__emulator__/{path}", json=body, timeout=5)
    response.raise_for_status()


def run_trigger(trigger: ZohoCRMStatusTrigger, timeout: float = 20) -> dict[str, Any]:
    async def collect() -> list[Any]:
        return [event async for event in trigger.run()]

    events = asyncio.run(asyncio.wait_for(collect(), timeout))
    assert len(events) == 1
    return dict(events[0].payload)


def rule_gets(emulator: Any) -> list[dict[str, Any]]:
    return [e for e in emulator.journal if e["method"] == "GET" and e["path"] == RULE_PATH]


def rule_trigger(rule_id: str = INACTIVE_RULE, **kwargs: Any) -> WorkflowRuleStatusTrigger:
    kwargs.setdefault("deadline", time.time() + 20)
    kwargs.setdefault("poke_interval", 0.2)
    return WorkflowRuleStatusTrigger(rule_id=rule_id, active=True, **kwargs)


# ---------------------------------------------------------------- triggers


def test_rule_trigger_sees_a_flip_made_through_the_control_api(zoho_crm_emulator: Any, later: Any) -> None:
    later(1.0, lambda: control(zoho_crm_emulator, f"workflow_rules/{INACTIVE_RULE}/status", {"active": True}))
    started = time.monotonic()
    assert run_trigger(rule_trigger()) == {"status": "success", "state": True}
    assert time.monotonic() - started >= 0.9
    gets = rule_gets(zoho_crm_emulator)
    assert len(gets) >= 3
    assert all(e["status"] == 200 for e in gets)


def test_connected_workflow_trigger_sees_publication(zoho_crm_emulator: Any, later: Any) -> None:
    later(1.0, lambda: control(zoho_crm_emulator, f"connected_workflows/{DRAFT_WORKFLOW}/status", {"status": "active"}))
    trigger = ConnectedWorkflowStatusTrigger(
        connected_workflow_id=DRAFT_WORKFLOW, status="active", deadline=time.time() + 20, poke_interval=0.2
    )
    assert run_trigger(trigger) == {"status": "success", "state": "active"}


def test_server_errors_while_polling_are_retried(
    zoho_crm_emulator: Any, later: Any, recorded_sleeps: list[float]
) -> None:
    def trouble_then_flip() -> None:
        zoho_crm_emulator.add_fault(status=503, count=2, method="GET", path=RULE_PATH)
        zoho_crm_emulator.add_fault(status=429, count=1, method="GET", path=RULE_PATH, retry_after=1)
        later(0.5, lambda: zoho_crm_emulator.set_workflow_rule_active(INACTIVE_RULE, True))

    later(0.5, trouble_then_flip)
    assert run_trigger(rule_trigger()) == {"status": "success", "state": True}
    statuses = [e["status"] for e in rule_gets(zoho_crm_emulator)]
    assert statuses.count(503) == 2
    assert statuses.count(429) == 1
    assert len(recorded_sleeps) == 3
    assert max(recorded_sleeps) >= 1  # Retry-After honoured


def test_missing_rule_yields_an_error_event(zoho_crm_emulator: Any) -> None:
    event = run_trigger(rule_trigger(MISSING_RULE))
    assert (event["status"], event["error"], event["code"]) == ("error", "ZohoCRMNotFoundError", "INVALID_DATA")
    assert "seems to be invalid" in event["message"]


def test_missing_connected_workflow_yields_an_error_event(zoho_crm_emulator: Any) -> None:
    trigger = ConnectedWorkflowStatusTrigger(connected_workflow_id=MISSING_WORKFLOW, deadline=time.time() + 20)
    event = run_trigger(trigger)
    assert (event["status"], event["error"]) == ("error", "ZohoCRMNotFoundError")


def test_timeout_event_when_nobody_flips_the_rule(zoho_crm_emulator: Any) -> None:
    event = run_trigger(rule_trigger(deadline=time.time() + 0.6, poke_interval=0.2))
    assert (event["status"], event["state"]) == ("timeout", False)


# ---------------------------------------------------------------- sensors end to end


def test_deferrable_sensor_defers_then_resumes_with_the_state(zoho_crm_emulator: Any, later: Any) -> None:
    sensor = WorkflowRuleStatusSensor(
        task_id="wait", rule_id=INACTIVE_RULE, deferrable=True, poke_interval=0.2, timeout=20
    )
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({})
    later(0.5, lambda: zoho_crm_emulator.set_workflow_rule_active(INACTIVE_RULE, True))
    event = run_trigger(info.value.trigger)
    assert sensor.resume_execution(info.value.method_name, {"event": event}, {}) is True


def test_deferrable_sensor_missing_id_fails_without_deferring(zoho_crm_emulator: Any) -> None:
    sensor = ConnectedWorkflowStatusSensor(
        task_id="wait", connected_workflow_id=MISSING_WORKFLOW, deferrable=True, soft_fail=True
    )
    with pytest.raises(ZohoCRMNotFoundError):
        sensor.execute({})


def test_poke_mode_sensor_returns_the_state_after_a_flip(zoho_crm_emulator: Any, later: Any) -> None:
    later(0.6, lambda: zoho_crm_emulator.set_connected_workflow_status(DRAFT_WORKFLOW, "inactive"))
    sensor = ConnectedWorkflowStatusSensor(
        task_id="wait",
        connected_workflow_id=DRAFT_WORKFLOW,
        status="inactive",
        deferrable=False,
        poke_interval=0.2,
        timeout=20,
    )
    assert sensor.execute({}) == "inactive"

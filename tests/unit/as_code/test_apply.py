"""Apply's pieces that need no server: the staleness check and the requests built from new ids."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm.as_code.apply import ApplyResult, check_fresh, deferred_requests, describe, run_step
from airflow_provider_zohocrm.as_code.live import LiveState
from airflow_provider_zohocrm.as_code.plan import Plan, make_step
from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError, ZohoCRMPlanStaleError

from .model import RULE_A, RULE_B, RULE_C, leads

NEW = "4876876000016000001"


class FakeRules:
    def __init__(self, order: list[str]) -> None:
        self.order = order
        self.sent: list[Any] = []
        self.created: list[Any] = []

    def current_order(self, module: str) -> list[str]:
        return list(self.order)

    def send(self, request: Any) -> list[dict[str, Any]]:
        self.sent.append(request)
        return []

    def create(self, rule: dict[str, Any]) -> str:
        self.created.append(rule)
        return NEW


class FakeSession:
    def __init__(self, order: list[str]) -> None:
        self.rules = FakeRules(order)


def live() -> LiveState:
    return LiveState(rules={"Leads": leads()}, workflows=[])


def plan_of(fingerprint: str) -> Plan:
    return Plan(fingerprint=fingerprint, steps=[], unmanaged=[], modules=["Leads"], directory="d")


def test_a_plan_of_another_live_state_is_stale() -> None:
    state = live()
    check_fresh(plan_of(state.fingerprint), state)
    with pytest.raises(ZohoCRMPlanStaleError, match="nothing was written") as caught:
        check_fresh(plan_of("0" * 64), state)
    assert isinstance(caught.value, ZohoCRMDriftError)
    assert caught.value.details == {"plan_fingerprint": "0" * 64, "live_fingerprint": state.fingerprint}


def test_steps_waiting_for_a_new_rule_are_built_from_its_id() -> None:
    session: Any = FakeSession([RULE_A, RULE_B, RULE_C, NEW])
    refs: dict[str, str] = {}
    create = make_step(
        "create_rule",
        "Leads",
        None,
        "New",
        [],
        {
            "method": "POST",
            "path": "settings/automation/workflow_rules",
            "params": None,
            "json": {"workflow_rules": [{"name": "New"}]},
            "summary": "create",
        },
        ref="new:Leads:1",
    )
    assert run_step(session, create, refs) == {"id": NEW, "sent": [create["request"]]}
    assert refs == {"new:Leads:1": NEW}
    status = make_step(
        "set_rule_status",
        "Leads",
        None,
        "New",
        [{"path": "active", "before": True, "after": False}],
        None,
        ref="new:Leads:1",
    )
    assert deferred_requests(session, status, refs)[0]["json"] == {
        "workflow_rules": [{"id": NEW, "status": {"active": False, "delete_schedule_action": False}}]
    }
    reorder = make_step("reorder_rules", "Leads", None, None, [], None, order=["new:Leads:1", RULE_A, RULE_B, RULE_C])
    outcome = run_step(session, reorder, refs)
    assert [request["json"] for request in outcome["sent"]] == [
        {"reorder": {"workflow_rules": [{"id": NEW, "module_specific_sequence": 1}]}}
    ]
    assert session.rules.sent == outcome["sent"]
    assert describe(reorder) == "reorder_rules Leads"


def test_a_deferred_reorder_refuses_when_a_rule_vanished_meanwhile() -> None:
    session: Any = FakeSession([RULE_A, RULE_C])
    reorder = make_step("reorder_rules", "Leads", None, None, [], None, order=[RULE_C, RULE_B, RULE_A])
    with pytest.raises(ZohoCRMDriftError, match=RULE_B):
        deferred_requests(session, reorder, {})
    assert session.rules.sent == []


def test_the_result_is_json_data() -> None:
    result = ApplyResult([{"action": "update_rule", "outcome": "applied"}], ["Leads"], True, [], 7)
    assert result.to_dict() == {
        "applied": [{"action": "update_rule", "outcome": "applied"}],
        "modules_changed": ["Leads"],
        "verified": True,
        "differences": [],
        "calls": 7,
    }

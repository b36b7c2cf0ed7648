"""The pause plan: deactivate what the snapshot shows active and the selection names, if still active."""

from __future__ import annotations

from airflow_provider_zohocrm.automation.pause import pause_reads, plan_pause
from airflow_provider_zohocrm.automation.selection import select

from .model import T1, apply, doc, kwargs, rule, state, workflow

SNAPSHOT = doc(
    {"Leads": [rule("11"), rule("12"), rule("13", active=False)], "Contacts": [rule("21", active=False)]},
    [workflow("91"), workflow("92", "inactive"), workflow("93", "draft")],
)


def test_deactivates_the_active_selected_objects_with_before_and_after() -> None:
    plan = plan_pause(SNAPSHOT, SNAPSHOT, select(SNAPSHOT), delete_schedule_action=False)
    assert [a.change for a in plan.actions] == [
        {
            "kind": "workflow_rule",
            "id": "11",
            "name": "Rule 11",
            "module": "Leads",
            "before": "active",
            "after": "inactive",
        },
        {
            "kind": "workflow_rule",
            "id": "12",
            "name": "Rule 12",
            "module": "Leads",
            "before": "active",
            "after": "inactive",
        },
        {
            "kind": "connected_workflow",
            "id": "91",
            "name": "Workflow 91",
            "module": "Leads",
            "before": "active",
            "after": "inactive",
        },
    ]
    assert plan.unchanged == []
    first = plan.actions[0].request
    assert (first["method"], first["path"]) == ("PUT", "settings/automation/workflow_rules/11")
    assert first["json"] == {
        "workflow_rules": [{"id": "11", "status": {"active": False, "delete_schedule_action": False}}]
    }
    assert plan.actions[2].request["path"] == "settings/connected_workflows/91/actions/deactivate"


def test_delete_schedule_action_is_sent_as_chosen() -> None:
    plan = plan_pause(SNAPSHOT, SNAPSHOT, select(SNAPSHOT, {"rules": ["11"]}), delete_schedule_action=True)
    assert kwargs(plan.actions[0]) == {"rule_id": "11", "active": False, "delete_schedule_action": True}
    assert plan.actions[0].request["json"]["workflow_rules"][0]["status"]["delete_schedule_action"] is True


def test_what_is_inactive_or_gone_now_is_reported_unchanged_and_a_rerun_writes_nothing() -> None:
    live = doc({"Leads": [rule("12", active=False), rule("13")]}, [workflow("92", "inactive")])
    plan = plan_pause(SNAPSHOT, live, select(SNAPSHOT), delete_schedule_action=False)
    assert plan.actions == []  # 13 is active now but inactive in the snapshot: not ours to pause
    assert [(u["id"], u["reason"]) for u in plan.unchanged] == [
        ("11", "deleted since the snapshot"),
        ("12", "inactive already"),
        ("91", "deleted since the snapshot"),
    ]
    paused = apply(SNAPSHOT, plan_pause(SNAPSHOT, SNAPSHOT, select(SNAPSHOT), delete_schedule_action=False).actions)
    assert plan_pause(SNAPSHOT, paused, select(SNAPSHOT), delete_schedule_action=False).actions == []


def test_pause_reads_only_modules_with_selected_active_rules() -> None:
    assert pause_reads(SNAPSHOT, select(SNAPSHOT)) == (["Leads"], True)
    assert pause_reads(SNAPSHOT, select(SNAPSHOT, {"modules": ["Contacts"]})) == ([], False)
    assert pause_reads(SNAPSHOT, select(SNAPSHOT, {"connected_workflows": ["92", "93"]})) == ([], False)


def test_pause_changes_only_status() -> None:
    paused = apply(SNAPSHOT, plan_pause(SNAPSHOT, SNAPSHOT, select(SNAPSHOT), delete_schedule_action=False).actions)
    assert state(paused) == {
        "rules": {"Leads": [("11", False), ("12", False), ("13", False)], "Contacts": [("21", False)]},
        "workflows": {"91": "inactive", "92": "inactive", "93": "draft"},
    }
    assert {r["modified_time"] for r in paused["modules"]["Leads"]["workflow_rules"][:2]} == {T1}

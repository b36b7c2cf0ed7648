"""Drift: created, deleted, edited by someone else; our own status writes are not drift."""

from __future__ import annotations

from airflow_provider_zohocrm.automation.drift import detect_drift

from .model import T1, doc, rule, workflow

SNAPSHOT = doc(
    {"Leads": [rule("11"), rule("12"), rule("13", active=False)]},
    [workflow("91"), workflow("92", "inactive"), workflow("93", "draft")],
)


def summary(drift: list[dict]) -> list[tuple[str, str, str]]:
    return [(d["change"], d["kind"], d["id"]) for d in drift]


def test_no_change_is_no_drift() -> None:
    assert detect_drift(SNAPSHOT, SNAPSHOT) == []


def test_our_pause_and_restore_leave_no_drift() -> None:
    """Active in the snapshot: a status write with a new modified_time is what pause and restore do."""
    paused = doc(
        {"Leads": [rule("11", False, modified_time=T1), rule("12"), rule("13", False)]},
        [
            workflow("91", "inactive", modified_time=T1),
            workflow("92", "inactive"),
            workflow("93", "draft"),
        ],
    )
    restored = doc(
        {"Leads": [rule("11", modified_time=T1), rule("12"), rule("13", False)]},
        [
            workflow("91", modified_time=T1),
            workflow("92", "inactive"),
            workflow("93", "draft"),
        ],
    )
    assert detect_drift(SNAPSHOT, paused) == []
    assert detect_drift(SNAPSHOT, restored) == []


def test_created_and_deleted_rules_and_workflows() -> None:
    live = doc(
        {"Leads": [rule("12"), rule("13", False), rule("14")]},
        [
            workflow("92", "inactive"),
            workflow("93", "draft"),
            workflow("94", "draft", name="New"),
        ],
    )
    drift = detect_drift(SNAPSHOT, live)
    assert summary(drift) == [
        ("deleted", "workflow_rule", "11"),
        ("created", "workflow_rule", "14"),
        ("deleted", "connected_workflow", "91"),
        ("created", "connected_workflow", "94"),
    ]
    assert drift[0] == {
        "kind": "workflow_rule",
        "change": "deleted",
        "id": "11",
        "name": "Rule 11",
        "module": "Leads",
        "reasons": ["not in Zoho any more"],
    }
    assert drift[3]["module"] == "Leads"  # a workflow's primary module


def test_a_rename_is_an_edit_whatever_the_status() -> None:
    live = doc(
        {"Leads": [rule("11", False, name="Renamed", modified_time=T1), rule("12"), rule("13", False)]},
        [
            workflow("91", name="Renamed too"),
            workflow("92", "inactive"),
            workflow("93", "draft"),
        ],
    )
    drift = detect_drift(SNAPSHOT, live)
    assert summary(drift) == [("edited", "workflow_rule", "11"), ("edited", "connected_workflow", "91")]
    assert drift[0]["reasons"] == ["renamed 'Rule 11' -> 'Renamed'"]
    assert drift[0]["name"] == "Renamed"


def test_objects_inactive_in_the_snapshot_are_never_ours_to_change() -> None:
    live = doc(
        {"Leads": [rule("11"), rule("12"), rule("13", True, modified_time=T1)]},
        [
            workflow("91"),
            workflow("92", "inactive", modified_time=T1),
            workflow("93", "active", modified_time=T1),
        ],
    )
    drift = detect_drift(SNAPSHOT, live)
    assert [(d["id"], d["reasons"]) for d in drift] == [
        ("13", ["activated by someone else (the snapshot shows it inactive)"]),
        ("92", [f"modified at {T1} (snapshot: 2025-01-01T00:00:00+00:00)"]),
        ("93", ["status draft -> active by someone else"]),
    ]
    edited_inactive = doc({"Leads": [rule("11"), rule("12"), rule("13", False, modified_time=T1)]}, SNAPSHOT_WF)
    assert [d["reasons"][0][:11] for d in detect_drift(SNAPSHOT, edited_inactive)] == ["modified at"]


SNAPSHOT_WF = [workflow("91"), workflow("92", "inactive"), workflow("93", "draft")]


def test_an_active_workflow_turned_back_into_a_draft_is_an_edit() -> None:
    live = doc(
        {"Leads": [rule("11"), rule("12"), rule("13", False)]},
        [
            workflow("91", "draft", modified_time=T1),
            workflow("92", "inactive"),
            workflow("93", "draft"),
        ],
    )
    assert [d["reasons"] for d in detect_drift(SNAPSHOT, live)] == [["turned back into a draft"]]


def test_unrecorded_connected_workflows_are_not_compared() -> None:
    snapshot = doc({"Leads": [rule("11")]})
    assert detect_drift(snapshot, doc({"Leads": [rule("11")]}, [workflow("91")])) == []

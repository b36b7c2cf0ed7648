"""The restore plan: back to the snapshot's statuses and order, only what differs, never over drift."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm.automation.pause import plan_pause
from airflow_provider_zohocrm.automation.restore import plan_restore, restored_order
from airflow_provider_zohocrm.automation.selection import select

from .model import T0, T1, apply, doc, method, rule, state, workflow

SNAPSHOT = doc(
    {"Leads": [rule("11"), rule("12"), rule("13", active=False), rule("14")], "Contacts": [rule("21")]},
    [workflow("91"), workflow("92", "inactive")],
)


def paused(snapshot: dict[str, Any] = SNAPSHOT) -> dict[str, Any]:
    return apply(snapshot, plan_pause(snapshot, snapshot, select(snapshot), delete_schedule_action=False).actions)


def live(leads: list[dict[str, Any]], workflows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return doc({"Leads": leads, "Contacts": [rule("21")]}, workflows or [workflow("91"), workflow("92", "inactive")])


def test_restore_after_pause_activates_exactly_what_was_paused_and_a_replan_is_empty() -> None:
    now = paused()
    plan = plan_restore(SNAPSHOT, now)
    assert [(method(a), a.change["id"]) for a in plan.actions] == [
        ("set_workflow_rule_status", "11"),
        ("set_workflow_rule_status", "12"),
        ("set_workflow_rule_status", "14"),
        ("set_workflow_rule_status", "21"),
        ("activate_connected_workflow", "91"),
    ]
    assert plan.actions[0].request["json"] == {"workflow_rules": [{"id": "11", "status": {"active": True}}]}
    assert plan.drift == []
    restored = apply(now, plan.actions)
    assert state(restored) == state(SNAPSHOT)
    assert plan_restore(SNAPSHOT, restored).actions == []


def test_the_snapshot_order_comes_back_with_the_fewest_moves_before_any_activation() -> None:
    now = live([rule("14"), rule("11", False, modified_time=T1), rule("12"), rule("13", False)])
    plan = plan_restore(SNAPSHOT, now)
    order, activate = plan.actions
    assert order.change == {
        "kind": "execution_order",
        "module": "Leads",
        "moves": [{"id": "14", "module_specific_sequence": 4}],
        "before": ["14", "11", "12", "13"],
        "after": ["11", "12", "13", "14"],
    }
    assert order.request["params"] == {"module": "Leads"}
    assert activate.change["id"] == "11"
    assert state(apply(now, plan.actions)) == state(SNAPSHOT)


def test_created_rules_keep_their_slot_and_deleted_ones_do_not_block() -> None:
    now = live([rule("12"), rule("15", name="New"), rule("11"), rule("13", False)])  # 14 deleted, 15 created
    plan = plan_restore(SNAPSHOT, now)
    assert [a.change["after"] for a in plan.actions] == [["11", "15", "12", "13"]]
    assert [(d["change"], d["id"], d["blocks_restore"]) for d in plan.drift] == [
        ("deleted", "14", False),
        ("created", "15", False),
    ]
    assert plan.blocking == []


def test_an_edited_rule_is_left_alone_and_blocks_when_restore_would_have_written_it() -> None:
    renamed_paused = rule("11", False, name="Renamed", modified_time=T1)
    plan = plan_restore(SNAPSHOT, live([renamed_paused, rule("12"), rule("13", False), rule("14")]))
    assert plan.actions == []
    assert [(d["id"], d["blocks_restore"]) for d in plan.drift] == [("11", True)]

    renamed_moved = rule("11", name="Renamed")
    plan = plan_restore(SNAPSHOT, live([rule("12"), renamed_moved, rule("13", False), rule("14")]))
    assert plan.actions == []  # 12 may not take 11's first slot: that would move the edited rule
    assert [(d["id"], d["blocks_restore"]) for d in plan.drift] == [("11", True)]

    renamed_in_place = rule("11", name="Renamed")
    plan = plan_restore(SNAPSHOT, live([renamed_in_place, rule("12", False), rule("13", False), rule("14")]))
    assert [a.change["id"] for a in plan.actions] == ["12"]
    assert [(d["id"], d["blocks_restore"]) for d in plan.drift] == [("11", False)]


def test_a_rule_someone_activated_stays_active_and_blocks() -> None:
    plan = plan_restore(SNAPSHOT, live([rule("11"), rule("12"), rule("13", modified_time=T1), rule("14")]))
    assert plan.actions == []
    assert [(d["id"], d["blocks_restore"]) for d in plan.drift] == [("13", True)]


def test_connected_workflows_come_back_unless_edited() -> None:
    now = live(
        [rule("11"), rule("12"), rule("13", False), rule("14")],
        [
            workflow("91", "inactive", name="Renamed", modified_time=T1),
            workflow("92", "active", modified_time=T1),
        ],
    )
    plan = plan_restore(SNAPSHOT, now)
    assert plan.actions == []
    assert [(d["id"], d["blocks_restore"]) for d in plan.drift] == [("91", True), ("92", True)]


def test_restored_order_refills_only_unpinned_known_slots() -> None:
    assert restored_order(["c", "x", "a", "b"], ["a", "b", "c"], pinned={"x"}) == ["a", "x", "b", "c"]
    assert restored_order(["c", "x", "a", "b"], ["a", "b", "c"], pinned={"x", "a"}) == ["b", "x", "a", "c"]
    assert restored_order([], ["a"], pinned=()) == []


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A snapshot, then a live state after a pause of any subset and any reorder by someone else."""
    count = draw(st.integers(min_value=1, max_value=30))  # past 10 moves the reorder is split
    ids = [str(10 + n) for n in range(count)]
    actives = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    snapshot = doc({"Leads": [rule(i, a) for i, a in zip(ids, actives, strict=True)]}, [workflow("91")])
    by_id = dict(zip(ids, actives, strict=True))
    paused_ids = draw(st.sets(st.sampled_from([i for i in ids if by_id[i]]))) if any(actives) else set()
    order = draw(st.permutations(ids))
    leads = [rule(i, by_id[i] and i not in paused_ids, modified_time=T1 if i in paused_ids else T0) for i in order]
    now = doc({"Leads": leads}, [workflow("91", draw(st.sampled_from(["active", "inactive"])))])
    return snapshot, now


@given(scenarios())
def test_restore_always_reaches_the_snapshot_and_then_plans_nothing(scenario: tuple[dict, dict]) -> None:
    snapshot, now = scenario
    plan = plan_restore(snapshot, now)
    assert plan.drift == []
    restored = apply(now, plan.actions)
    assert state(restored) == state(snapshot)
    assert plan_restore(snapshot, restored).actions == []
    reorders = [a for a in plan.actions if method(a) == "reorder_workflow_rules"]
    moves = [len(a.request["json"]["reorder"]["workflow_rules"]) for a in reorders]
    assert all(1 <= n <= 10 for n in moves)  # Zoho's cap per request
    assert len(reorders) == -(-sum(moves) // 10)


def test_a_restore_moving_more_than_ten_rules_sends_successive_requests() -> None:
    ids = [str(10 + n) for n in range(25)]
    snapshot = doc({"Leads": [rule(i) for i in ids]})
    now = doc({"Leads": [rule(i) for i in reversed(ids)]})
    plan = plan_restore(snapshot, now)
    steps = [a.change for a in plan.actions]
    assert [(c["step"], c["steps"], len(c["moves"])) for c in steps] == [(1, 3, 10), (2, 3, 10), (3, 3, 4)]
    assert steps[0]["before"] == ids[::-1]
    assert [c["before"] for c in steps[1:]] == [c["after"] for c in steps[:-1]]
    assert steps[-1]["after"] == ids
    assert state(apply(now, plan.actions)) == state(snapshot)

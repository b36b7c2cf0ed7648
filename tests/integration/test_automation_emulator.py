"""Snapshot -> pause -> restore against the bundled emulator, over loopback HTTP.

The emulator's own snapshot is the ground truth (every rule's fields, each module's order, every
connected workflow); its journal proves what was written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError, ZohoCRMError, ZohoCRMPermissionError
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import (
    PauseAutomationOperator,
    RestoreAutomationOperator,
    SnapshotAutomationOperator,
    ZohoCRMBaseOperator,
)
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator
from integration.many_rules import add_rules

pytestmark = pytest.mark.integration

MODULES = ["Leads", "Contacts", "Deals"]
# Seeded (airflow_provider_zohocrm/testing/emulator/workflow_rules_seed.py).
ASSIGN = "4876876000010880001"  # Leads, active, first in order
TRADE_SHOW = "4876876000011037080"  # Leads, active
NURTURE = "4876876000011150005"  # Leads, inactive
WELCOME = "4876876000015005001"  # Contacts, active
WON_DEAL = "4876876000014400019"  # Deals, active, 2 queued scheduled-action records
LEAD_QUALIFICATION = "4876876000019209007"  # connected workflow on Leads, active
ACCOUNT_ONBOARDING = "4876876000019209021"  # connected workflow on Accounts, inactive
OUR_WRITES = {"modified_time", "modified_by"}  # what a status write changes besides the status


def run(operator: ZohoCRMBaseOperator) -> Any:
    return operator.execute(context={})


def take_snapshot(**kwargs: Any) -> dict[str, Any]:
    return run(SnapshotAutomationOperator(task_id="snapshot", modules=MODULES, **kwargs))


def pause(snapshot: Any, **kwargs: Any) -> dict[str, Any]:
    return run(PauseAutomationOperator(task_id="pause", snapshot=snapshot, **kwargs))


def restore(snapshot: Any, **kwargs: Any) -> dict[str, Any]:
    return run(RestoreAutomationOperator(task_id="restore", snapshot=snapshot, **kwargs))


def writes(emulator: ZohoCRMEmulator) -> list[dict[str, Any]]:
    return [e for e in emulator.journal if e["path"].startswith("/crm/") and e["method"] != "GET"]


def crm(emulator: ZohoCRMEmulator) -> dict[str, Any]:
    """The emulated CRM, minus what our status writes stamp: every other field must match exactly."""
    state = emulator.snapshot()
    return {
        "rules": {r["id"]: _without(r, OUR_WRITES) for r in state["workflow_rules"]["workflow_rules"]},
        "order": state["workflow_rules"]["order"],
        "workflows": {w["id"]: _without(w, OUR_WRITES) for w in state["connected_workflows"]},
    }


def statuses(emulator: ZohoCRMEmulator) -> dict[str, Any]:
    state = emulator.snapshot()
    rules = {r["id"]: r["status"]["active"] for r in state["workflow_rules"]["workflow_rules"]}
    return {**rules, **{w["id"]: w["status"] for w in state["connected_workflows"]}}


def _without(item: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in keys}


def test_the_snapshot_records_status_and_order_as_the_crm_has_them(emulator: ZohoCRMEmulator) -> None:
    document = take_snapshot()
    state = emulator.snapshot()
    assert document["version"] == 1
    assert list(document["modules"]) == MODULES
    for module in MODULES:
        rules = {r["id"]: r for r in state["workflow_rules"]["workflow_rules"]}
        recorded = document["modules"][module]["workflow_rules"]
        assert [r["id"] for r in recorded] == state["workflow_rules"]["order"][module]
        for entry in recorded:
            rule = rules[entry["id"]]
            assert (entry["name"], entry["active"], entry["modified_time"]) == (
                rule["name"],
                rule["status"]["active"],
                rule["modified_time"],
            )
    assert [(w["id"], w["status"]) for w in document["connected_workflows"]] == [
        (w["id"], w["status"]) for w in state["connected_workflows"]
    ]
    assert writes(emulator) == []


def test_snapshot_pause_restore_returns_the_crm_to_the_snapshot(emulator: ZohoCRMEmulator) -> None:
    before = crm(emulator)
    document = take_snapshot()
    paused = pause(document)
    assert paused["changed"] is True
    assert statuses(emulator)[ASSIGN] is False
    assert statuses(emulator)[LEAD_QUALIFICATION] == "inactive"

    restored = restore(document)

    assert restored["changed"] is True
    assert restored["drift"] == []
    after = crm(emulator)
    assert after["order"] == before["order"]
    assert after["workflows"] == before["workflows"]
    for rule_id, rule in before["rules"].items():
        assert after["rules"][rule_id] == rule, rule_id
    assert {(c["id"], c["before"], c["after"]) for c in restored["changes"]} == {
        (c["id"], c["after"], c["before"]) for c in paused["changes"]
    }


def test_pause_returns_exactly_what_it_changed(emulator: ZohoCRMEmulator) -> None:
    document = take_snapshot()
    before = statuses(emulator)
    result = pause(document)
    after = statuses(emulator)

    flipped = {key for key in before if before[key] != after[key]}
    assert {c["id"] for c in result["changes"]} == flipped
    for change in result["changes"]:
        assert (change["before"], change["after"]) == ("active", "inactive")
        assert change["kind"] in ("workflow_rule", "connected_workflow")
    assert [w["method"] for w in writes(emulator)] == ["PUT"] * len(flipped)
    assert [r["path"] for r in result["plan"]] == [w["path"].removeprefix("/crm/v8/") for w in writes(emulator)]
    assert result["unchanged"] == []
    assert result["delete_schedule_action"] is False


def test_rerunning_pause_and_restore_writes_nothing(emulator: ZohoCRMEmulator) -> None:
    document = take_snapshot()
    pause(document)
    emulator.clear_journal()
    again = pause(document)
    assert (again["changed"], again["changes"], writes(emulator)) == (False, [], [])
    assert {u["reason"] for u in again["unchanged"]} == {"inactive already"}

    restore(document)
    emulator.clear_journal()
    second = restore(document)
    assert (second["changed"], second["changes"], second["plan"], second["drift"]) == (False, [], [], [])
    assert writes(emulator) == []


def test_a_rule_renamed_during_the_window_fails_the_restore_before_any_write(emulator: ZohoCRMEmulator) -> None:
    document = take_snapshot()
    pause(document)
    emulator.edit_workflow_rule(ASSIGN, name="Assign web leads (edited)")
    emulator.clear_journal()

    with pytest.raises(ZohoCRMDriftError, match="nothing was restored") as info:
        restore(document)

    assert writes(emulator) == []
    [drift] = info.value.details["drift"]
    assert drift == {
        "kind": "workflow_rule",
        "change": "edited",
        "id": ASSIGN,
        "name": "Assign web leads (edited)",
        "module": "Leads",
        "reasons": ["renamed 'Assign web leads to inside sales' -> 'Assign web leads (edited)'"],
        "blocks_restore": True,
    }
    assert statuses(emulator)[TRADE_SHOW] is False  # still paused


def test_on_drift_warn_restores_everything_but_the_edited_rule(emulator: ZohoCRMEmulator) -> None:
    before = statuses(emulator)
    document = take_snapshot()
    pause(document)
    emulator.edit_workflow_rule(ASSIGN, name="Assign web leads (edited)")

    result = restore(document, on_drift="warn")

    assert [(d["id"], d["change"], d["blocks_restore"]) for d in result["drift"]] == [(ASSIGN, "edited", True)]
    assert ASSIGN not in {c["id"] for c in result["changes"]}
    after = statuses(emulator)
    assert after[ASSIGN] is False  # left as the editor left it
    assert {k: v for k, v in after.items() if k != ASSIGN} == {k: v for k, v in before.items() if k != ASSIGN}


def test_created_and_deleted_rules_are_reported_and_the_rest_restored(
    emulator: ZohoCRMEmulator, emulator_hook: ZohoCRMHook
) -> None:
    document = take_snapshot()
    pause(document)
    new_rule = {
        "name": "Created during the window",
        "module": {"api_name": "Leads"},
        "execute_when": {"type": "create"},
        "conditions": [
            {
                "sequence_number": 1,
                "instant_actions": {"actions": [{"id": "4876876000000329001", "type": "email_notifications"}]},
            }
        ],
    }
    created = emulator_hook.request("POST", "settings/automation/workflow_rules", json={"workflow_rules": [new_rule]})
    created_id = created["workflow_rules"][0]["details"]["id"]
    emulator_hook.request("DELETE", f"settings/automation/workflow_rules/{NURTURE}")
    order_before = emulator.snapshot()["workflow_rules"]["order"]["Leads"]
    emulator.clear_journal()

    with pytest.raises(ZohoCRMDriftError, match="nothing was restored") as info:
        restore(document)  # on_drift="fail": any drift fails, blocking or not, before any write
    assert writes(emulator) == []
    assert [(d["change"], d["id"]) for d in info.value.details["drift"]] == [
        ("deleted", NURTURE),
        ("created", created_id),
    ]

    result = restore(document, on_drift="warn")  # neither blocks: restore writes neither

    assert [(d["change"], d["id"], d["blocks_restore"]) for d in result["drift"]] == [
        ("deleted", NURTURE, False),
        ("created", created_id, False),
    ]
    after = emulator.snapshot()["workflow_rules"]
    assert after["order"]["Leads"] == order_before  # the new rule keeps its slot (last)
    assert statuses(emulator)[created_id] is True
    recorded = [r for r in document["modules"]["Leads"]["workflow_rules"] if r["id"] != NURTURE]
    assert [r["id"] for r in recorded] == [i for i in after["order"]["Leads"] if i != created_id]
    assert all(statuses(emulator)[r["id"]] is r["active"] for r in recorded)


def test_an_order_changed_during_the_window_is_put_back_with_the_fewest_moves(
    emulator: ZohoCRMEmulator, emulator_hook: ZohoCRMHook
) -> None:
    before = crm(emulator)
    document = take_snapshot()
    pause(document, include={"modules": ["Contacts"]})
    emulator_hook.reorder_workflow_rules("Leads", [{"id": TRADE_SHOW, "module_specific_sequence": 8}])
    emulator.clear_journal()

    result = restore(document)

    assert result["drift"] == []
    [order] = [c for c in result["changes"] if c["kind"] == "execution_order"]
    assert order["moves"] == [{"id": TRADE_SHOW, "module_specific_sequence": 2}]
    assert crm(emulator) == before
    assert sum("actions/reorder" in w["path"] for w in writes(emulator)) == 1


def test_an_order_scrambled_past_ten_moves_is_put_back_in_successive_requests(
    emulator: ZohoCRMEmulator, emulator_hook: ZohoCRMHook
) -> None:
    add_rules(emulator_hook, "Leads", 14)  # 22 Leads rules
    before = crm(emulator)
    document = take_snapshot()
    pause(document)
    leads = emulator_hook.client.workflow_rules.current_order("Leads")
    emulator_hook.reorder_workflow_rules(
        "Leads", [{"id": rule_id, "module_specific_sequence": n} for n, rule_id in enumerate(leads[::-1], 1)]
    )
    assert emulator.snapshot()["workflow_rules"]["order"]["Leads"] == leads[::-1]
    emulator.clear_journal()

    dry = restore(document, dry_run=True)
    result = restore(document)

    assert result["drift"] == []
    steps = [c for c in result["changes"] if c["kind"] == "execution_order"]
    assert [(c["step"], c["steps"], len(c["moves"])) for c in steps] == [(1, 3, 10), (2, 3, 10), (3, 3, 1)]
    reorders = [w for w in writes(emulator) if w["path"].endswith("/actions/reorder")]
    assert [(w["status"], w["json"]) for w in reorders] == [(200, r["json"]) for r in dry["plan"][:3]]
    assert crm(emulator) == before


def test_a_connected_workflow_someone_activated_is_drift(emulator: ZohoCRMEmulator) -> None:
    document = take_snapshot()
    pause(document)
    emulator.set_connected_workflow_status(ACCOUNT_ONBOARDING, "active")

    with pytest.raises(ZohoCRMDriftError, match="status inactive -> active by someone else"):
        restore(document)
    result = restore(document, on_drift="warn")
    assert [(d["id"], d["kind"]) for d in result["drift"]] == [(ACCOUNT_ONBOARDING, "connected_workflow")]
    assert statuses(emulator)[ACCOUNT_ONBOARDING] == "active"
    assert statuses(emulator)[LEAD_QUALIFICATION] == "active"


def test_include_and_exclude_narrow_the_pause(emulator: ZohoCRMEmulator) -> None:
    document = take_snapshot()
    result = pause(
        document,
        include={"modules": ["Leads"], "rules": [WELCOME], "connected_workflows": ["Lead Qualification*"]},
        exclude={"rules": ["Score *", TRADE_SHOW]},
    )
    changed = {c["id"] for c in result["changes"]}
    assert {WELCOME, LEAD_QUALIFICATION, ASSIGN} <= changed
    assert not {TRADE_SHOW, WON_DEAL} & changed
    assert not any(c["name"].startswith("Score ") for c in result["changes"])
    assert statuses(emulator)[TRADE_SHOW] is True


def test_delete_schedule_action_is_explicit(emulator: ZohoCRMEmulator) -> None:
    def queued() -> dict[str, int]:
        rules = emulator.snapshot()["workflow_rules"]["workflow_rules"]
        return next(r for r in rules if r["id"] == WON_DEAL)["scheduled_action_records"]

    document = take_snapshot()
    pause(document, include={"rules": [WON_DEAL]})
    assert queued() == {"pending": 2, "deleted": 0}
    restore(document)
    pause(document, include={"rules": [WON_DEAL]}, delete_schedule_action=True)
    assert queued() == {"pending": 0, "deleted": 2}


def test_dry_runs_plan_and_write_nothing(emulator: ZohoCRMEmulator, tmp_path: Path) -> None:
    target = tmp_path / "snapshot.json"
    document = run(SnapshotAutomationOperator(task_id="s", modules=MODULES, path=str(target), dry_run=True))
    assert not target.exists()
    planned = pause(document, dry_run=True)
    assert (planned["dry_run"], planned["changed"], planned["would_change"]) == (True, False, True)
    assert len(planned["plan"]) == len(planned["changes"]) > 0
    assert writes(emulator) == []

    pause(document)
    emulator.clear_journal()
    planned = restore(document, dry_run=True)
    assert planned["would_change"] is True
    assert {r["json"]["workflow_rules"][0]["status"]["active"] for r in planned["plan"] if r["json"]} == {True}
    assert writes(emulator) == []


def test_the_snapshot_travels_as_a_file_a_url_or_rendered_text(emulator: ZohoCRMEmulator, tmp_path: Path) -> None:
    before = crm(emulator)
    target = tmp_path / "windows" / "snapshot.json"
    document = take_snapshot(path=str(target))
    assert json.loads(target.read_text()) == document

    pause(str(target))
    restore(target.as_uri())
    assert crm(emulator) == before
    pause(str(document))  # a template rendered without render_template_as_native_obj
    restore(json.dumps(document))
    assert crm(emulator) == before


def test_a_pause_that_fails_midway_is_undone_by_restore(emulator: ZohoCRMEmulator) -> None:
    before = crm(emulator)
    document = take_snapshot()
    emulator.add_fault(status=403, method="PUT", path=f"/crm/v8/settings/automation/workflow_rules/{WELCOME}")
    with pytest.raises(ZohoCRMPermissionError):
        pause(document)
    assert statuses(emulator)[ASSIGN] is False  # Leads went first
    restore(document)
    assert crm(emulator) == before


def test_restore_goes_on_past_a_failed_write_and_a_rerun_finishes(emulator: ZohoCRMEmulator) -> None:
    before = crm(emulator)
    document = take_snapshot()
    pause(document)
    emulator.add_fault(status=403, method="PUT", path=f"/crm/v8/settings/automation/workflow_rules/{TRADE_SHOW}")
    with pytest.raises(ZohoCRMError, match="1 of 13 restore write") as info:
        restore(document)
    assert [f["id"] for f in info.value.details["failures"]] == [TRADE_SHOW]
    assert statuses(emulator)[WELCOME] is True  # later writes went ahead
    emulator.clear_journal()
    assert [c["id"] for c in restore(document)["changes"]] == [TRADE_SHOW]
    assert crm(emulator) == before

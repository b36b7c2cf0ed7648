"""Automation as code against the bundled emulator, over loopback HTTP: export, plan, apply, verify.

The emulator's own snapshot and journal are the ground truth: what each rule holds, each module's
order, and every request that reached it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.exported_rules import ASSOCIATE, as_new

from airflow_provider_zohocrm.as_code import Plan, apply_plan, export_state, make_plan, verify_state
from airflow_provider_zohocrm.client import ZohoCRMClient
from airflow_provider_zohocrm.exceptions import ZohoCRMPlanStaleError, ZohoCRMValidationError
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator
from integration.many_rules import add_rules

pytestmark = pytest.mark.integration

MODULES = ["Leads", "Contacts", "Deals"]
# Seeded (airflow_provider_zohocrm/testing/emulator/workflow_rules_seed.py), Leads in execution order.
ASSIGN = "4876876000010880001"  # active
TRADE_SHOW = "4876876000011037080"  # active, an inline add_tags action
NURTURE = "4876876000011150005"  # inactive, a scheduled action 3 business days after
ESCALATE = "4876876000015014033"  # two conditions
LEAD_QUALIFICATION = "4876876000019209007"  # connected workflow on Leads, active
VENDOR_REVIEW = "4876876000019209035"  # connected workflow on Vendors, draft


@pytest.fixture
def client(emulator_hook: ZohoCRMHook) -> ZohoCRMClient:
    return emulator_hook.client


@pytest.fixture
def exported(client: ZohoCRMClient, tmp_path: Path) -> Path:
    directory = tmp_path / "automation"
    export_state(client, MODULES, str(directory))
    return directory


def last_seq(emulator: ZohoCRMEmulator) -> int:
    return max((entry["seq"] for entry in emulator.journal_entries()), default=0)


def api_requests(emulator: ZohoCRMEmulator, since: int = 0) -> list[dict[str, Any]]:
    return [e for e in emulator.journal_entries(since) if e["path"].startswith("/crm/")]


def writes(emulator: ZohoCRMEmulator, since: int = 0) -> list[dict[str, Any]]:
    return [e for e in api_requests(emulator, since) if e["method"] != "GET"]


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def load(directory: Path, module: str) -> dict[str, Any]:
    return yaml.safe_load((directory / "workflow_rules" / f"{module}.yaml").read_text())


def save(directory: Path, module: str, document: dict[str, Any]) -> None:
    (directory / "workflow_rules" / f"{module}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def rule(document: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(item for item in document["rules"] if item.get("id") == rule_id)


def without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id" or v is None}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    return value


def order(emulator: ZohoCRMEmulator, module: str) -> list[str]:
    return list(emulator.snapshot()["workflow_rules"]["order"][module])


def test_export_twice_gives_identical_bytes_and_only_reads(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, tmp_path: Path
) -> None:
    since = last_seq(emulator)
    summary = export_state(client, MODULES, str(tmp_path / "one"))
    export_state(client, MODULES, str(tmp_path / "two"))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert summary["modules"] == {"Leads": 8, "Contacts": 4, "Deals": 4}
    assert summary["connected_workflows"] == 3
    assert summary["files"] == [
        "workflow_rules/Leads.yaml",
        "workflow_rules/Contacts.yaml",
        "workflow_rules/Deals.yaml",
        "connected_workflows.yaml",
    ]
    requests = api_requests(emulator, since)
    assert {entry["method"] for entry in requests} == {"GET"}
    # list pages (one per module, one of connected workflows) + one GET per rule, per export
    assert summary["calls"] == 3 + 1 + 16
    assert len(requests) == 2 * summary["calls"]


def test_export_leaves_out_volatile_fields_and_secrets(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    text = "".join(data.decode() for data in tree(exported).values())
    for word in ("modified_time", "created_by", "last_executed_time", "locked_by", "editable"):
        assert word not in text
    for secret in (emulator.client_secret, emulator.refresh_token):
        assert secret not in text
    emulator.set_workflow_rule_active(ASSIGN, True)  # stamps modified_time/by only
    before = tree(exported)
    export_state(client, MODULES, str(exported))
    assert tree(exported) == before


def test_a_plan_right_after_an_export_has_no_step_and_writes_nothing(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    since = last_seq(emulator)
    plan = make_plan(client, str(exported))
    assert not plan.has_changes
    assert plan.steps == []
    assert plan.unmanaged == []
    assert "nothing to change" in plan.render()
    assert verify_state(client, str(exported)) == []
    assert writes(emulator, since) == []
    result = apply_plan(client, plan)
    assert result.to_dict()["applied"] == []
    assert result.verified
    assert writes(emulator, since) == []


def test_the_acceptance_edits_plan_exactly_apply_and_verify(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path, tmp_path: Path
) -> None:
    leads = load(exported, "Leads")
    rule(leads, ASSIGN)["active"] = False  # deactivate one rule
    rule(leads, TRADE_SHOW)["name"] = "Tag trade-show leads for events"  # rename one
    delay = rule(leads, NURTURE)["conditions"][0]["scheduled_actions"][0]["execute_after"]
    delay["unit"] = 5  # change one scheduled action's delay
    last = leads["rules"].pop()
    leads["rules"].insert(0, last)  # move the last rule of Leads first
    leads["rules"].append(as_new(rule(leads, TRADE_SHOW), "Tag partner leads"))  # add a rule without an id
    save(exported, "Leads", leads)

    plan = make_plan(client, str(exported))
    summary = [(s["action"], s["id"], [c["path"] for c in s["changes"]]) for s in plan.steps]
    assert summary == [
        ("set_rule_status", ASSIGN, ["active"]),
        ("update_rule", TRADE_SHOW, ["name"]),
        ("update_rule", NURTURE, ["conditions[0].scheduled_actions[0].execute_after.unit"]),
        ("create_rule", None, [""]),
        ("reorder_rules", None, ["position"]),
    ]
    assert plan.steps[2]["changes"][0] | {"path": None} == {"path": None, "before": 3, "after": 5}
    assert plan.steps[2]["request"]["json"] == {
        "workflow_rules": [
            {
                "conditions": [
                    {
                        "id": "4876876000011150008",
                        "scheduled_actions": [
                            {"id": "4876876000011150015", "execute_after": {"period": "business_days", "unit": 5}}
                        ],
                    }
                ]
            }
        ]
    }
    assert plan.steps[4]["changes"] == [
        {"path": "position", "id": last["id"], "name": last["name"], "before": 8, "after": 1}
    ]
    assert plan.modules_changed() == ["Leads"]
    rendered = plan.render()
    for words in ("Tag trade-show leads for events", "execute_after.unit: 3 -> 5", "position 8 -> 1", "create"):
        assert words in rendered

    since = last_seq(emulator)
    result = apply_plan(client, Plan.from_dict(json.loads(json.dumps(plan.to_dict()))))
    assert result.verified, result.differences
    assert [step["outcome"] for step in result.applied] == ["applied"] * 5
    assert len(writes(emulator, since)) == 5
    new_id = result.applied[3]["id"]

    # live equals the files, field by field: a fresh export holds exactly the edited files
    export_state(client, MODULES, str(tmp_path / "after"))
    again = load(tmp_path / "after", "Leads")
    assert [item["id"] for item in again["rules"][:-1]] == [item["id"] for item in leads["rules"][:-1]]
    assert again["rules"][-1]["id"] == new_id
    assert again["rules"][:-1] == leads["rules"][:-1]
    assert without_ids(again["rules"][-1]) == without_ids(leads["rules"][-1])
    for module in ("Contacts", "Deals"):
        assert load(tmp_path / "after", module) == load(exported, module)

    assert not make_plan(client, str(exported)).has_changes
    assert verify_state(client, str(exported)) == []


def test_an_out_of_band_change_after_apply_is_named_by_verify(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    leads = load(exported, "Leads")
    rule(leads, TRADE_SHOW)["name"] = "Tag trade-show leads for events"
    save(exported, "Leads", leads)
    assert apply_plan(client, make_plan(client, str(exported))).verified
    emulator.edit_workflow_rule(TRADE_SHOW, name="Renamed in the CRM")
    emulator.set_workflow_rule_active(ASSIGN, False)
    differences = verify_state(client, str(exported))
    assert differences == [
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": ASSIGN,
            "name": "Assign web leads to inside sales",
            "path": "active",
            "expected": True,
            "actual": False,
        },
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": TRADE_SHOW,
            "name": "Tag trade-show leads for events",
            "path": "name",
            "expected": "Tag trade-show leads for events",
            "actual": "Renamed in the CRM",
        },
    ]


def test_a_saved_plan_applied_after_an_out_of_band_change_is_refused_with_no_write(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    leads = load(exported, "Leads")
    rule(leads, ASSIGN)["active"] = False
    save(exported, "Leads", leads)
    saved = json.loads(json.dumps(make_plan(client, str(exported)).to_dict()))
    emulator.edit_workflow_rule(NURTURE, description="Edited by someone in the CRM")
    since = last_seq(emulator)
    with pytest.raises(ZohoCRMPlanStaleError) as caught:
        apply_plan(client, Plan.from_dict(saved))
    assert caught.value.details["plan_fingerprint"] == saved["fingerprint"]
    assert "nothing was written" in str(caught.value)
    assert writes(emulator, since) == []
    assert api_requests(emulator, since)  # it did read
    assert emulator.snapshot()["workflow_rules"]["workflow_rules"][0]["status"]["active"] is True


def test_a_reorder_of_25_rules_goes_in_requests_of_at_most_10(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, emulator_hook: ZohoCRMHook, tmp_path: Path
) -> None:
    add_rules(emulator_hook, "Leads", 17)
    directory = tmp_path / "automation"
    export_state(client, ["Leads"], str(directory))
    leads = load(directory, "Leads")
    assert len(leads["rules"]) == 25
    leads["rules"].reverse()
    save(directory, "Leads", leads)
    wanted = [item["id"] for item in leads["rules"]]

    plan = make_plan(client, str(directory))
    assert {step["action"] for step in plan.steps} == {"reorder_rules"}
    assert [len(step["changes"]) for step in plan.steps] == [10, 10, 4]
    since = last_seq(emulator)
    result = apply_plan(client, plan)
    assert result.verified
    reorders = writes(emulator, since)
    assert [len(entry["json"]["reorder"]["workflow_rules"]) for entry in reorders] == [10, 10, 4]
    assert all(entry["path"].endswith("/actions/reorder") for entry in reorders)
    assert order(emulator, "Leads") == wanted
    assert verify_state(client, str(directory)) == []


def test_unmanaged_rules_are_reported_never_deleted_and_keep_their_slot(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    before = order(emulator, "Leads")
    leads = load(exported, "Leads")
    unmanaged = leads["rules"].pop(3)
    leads["rules"].reverse()
    save(exported, "Leads", leads)
    plan = make_plan(client, str(exported))
    assert plan.unmanaged == [
        {
            "kind": "workflow_rule",
            "module": "Leads",
            "id": unmanaged["id"],
            "name": unmanaged["name"],
            "position": 4,
            "active": unmanaged["active"],
        }
    ]
    assert f"'{unmanaged['name']}'" in plan.render().split("Unmanaged")[1]
    assert apply_plan(client, plan).verified
    after = order(emulator, "Leads")
    assert after[3] == unmanaged["id"]
    assert [rule_id for rule_id in after if rule_id != unmanaged["id"]] == [item["id"] for item in leads["rules"]]
    assert sorted(after) == sorted(before)
    assert verify_state(client, str(exported)) == []


def test_a_new_inactive_rule_placed_first_is_created_deactivated_and_moved(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    leads = load(exported, "Leads")
    new = as_new(rule(leads, NURTURE), "Nurture warm leads")
    new["active"] = False
    leads["rules"].insert(0, new)
    save(exported, "Leads", leads)
    plan = make_plan(client, str(exported))
    assert [(s["action"], s["request"] is None) for s in plan.steps] == [
        ("create_rule", False),
        ("set_rule_status", True),
        ("reorder_rules", True),
    ]
    assert Plan.from_dict(plan.to_dict()).steps == plan.steps
    since = last_seq(emulator)
    result = apply_plan(client, plan)
    assert result.verified, result.differences
    new_id = result.applied[0]["id"]
    sent = writes(emulator, since)
    assert [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in sent] == [
        ("POST", "workflow_rules"),
        ("PUT", new_id),
        ("PUT", "reorder"),
    ]
    assert sent[1]["json"] == {
        "workflow_rules": [{"id": new_id, "status": {"active": False, "delete_schedule_action": False}}]
    }
    assert order(emulator, "Leads")[0] == new_id
    assert verify_state(client, str(exported)) == []
    assert not make_plan(client, str(exported)).has_changes


def test_files_of_another_org_match_by_name_and_plan_no_change(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    """A sandbox export promoted to production: rule, condition, group, inline action, module and field
    ids differ; associate templates, tags and users are the same (a sandbox is a copy of its production org)."""
    leads = load(exported, "Leads")
    fake = iter(range(5000000000000000001, 5000000000000001000))

    def other_ids(value: Any, parent: str = "") -> None:
        if isinstance(value, dict):
            keep = value.get("type") in ASSOCIATE or parent in ("tags", "resource")
            if "id" in value and value["id"] is not None and not keep:
                value["id"] = str(next(fake))
            for key, item in value.items():
                other_ids(item, key)
        elif isinstance(value, list):
            for item in value:
                other_ids(item, parent)

    other_ids(leads)
    assert rule(load(exported, "Leads"), ASSIGN)["name"] == leads["rules"][0]["name"]
    save(exported, "Leads", leads)
    since = last_seq(emulator)
    plan = make_plan(client, str(exported))
    assert plan.steps == []
    assert plan.unmanaged == []
    assert verify_state(client, str(exported)) == []
    assert writes(emulator, since) == []


def test_every_kind_of_rule_change_round_trips(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    leads = load(exported, "Leads")
    escalate = rule(leads, ESCALATE)
    escalate["description"] = "Changed description"
    escalate["lock"] = {"status": True, "message": "Owned by sales ops"}
    first, second = escalate["conditions"]
    first["criteria_details"]["criteria"]["value"] = "2000000"  # criteria
    tags = next(a for a in first["instant_actions"]["actions"] if a["type"] == "add_tags")
    tags["details"]["over_write"] = True  # an inline action's details
    first["instant_actions"]["actions"] = [a for a in first["instant_actions"]["actions"] if a["type"] == "add_tags"]
    first["instant_actions"]["actions"].append(  # an associate action added (and one removed above)
        {"id": "4876876000000329001", "name": "Notify lead owner", "type": "email_notifications"}
    )
    escalate["conditions"] = [first]  # a condition removed
    assert second["id"]
    first["scheduled_actions"] = [  # a scheduled group added
        {
            "execute_after": {"period": "b_days", "unit": 2},  # the update page's name of business_days
            "actions": [{"id": "4876876000000329005", "type": "email_notifications"}],
        }
    ]
    nurture = rule(leads, NURTURE)
    nurture["conditions"][0]["scheduled_actions"] = None  # a scheduled group removed
    nurture["execute_when"]["type"] = "edit"  # the trigger, within its category
    trade = rule(leads, TRADE_SHOW)
    trade["conditions"][0]["sequence_number"] = 2  # renumbered behind a condition added first
    trade["conditions"].insert(
        0,
        {
            "sequence_number": 1,
            "criteria_details": {
                "criteria": {
                    "comparator": "equal",
                    "field": {"api_name": "Lead_Source", "id": "4876876000000002611"},
                    "type": "value",
                    "value": "Seminar",
                }
            },
            "instant_actions": {"actions": [{"id": "4876876000000329001", "type": "email_notifications"}]},
        },
    )
    save(exported, "Leads", leads)
    plan = make_plan(client, str(exported))
    assert {step["id"] for step in plan.steps} == {ESCALATE, NURTURE, TRADE_SHOW}
    result = apply_plan(client, plan)
    assert result.verified, result.differences
    rules = {item["id"]: item for item in emulator.snapshot()["workflow_rules"]["workflow_rules"]}
    escalated = rules[ESCALATE]
    assert escalated["description"] == "Changed description"
    assert escalated["lock"]["status"] is True
    assert [condition["id"] for condition in escalated["conditions"]] == [first["id"]]
    kept = escalated["conditions"][0]
    assert kept["criteria_details"]["criteria"]["value"] == "2000000"
    assert sorted(a["type"] for a in kept["instant_actions"]["actions"]) == ["add_tags", "email_notifications"]
    assert kept["scheduled_actions"][0]["execute_after"] == {"period": "business_days", "unit": 2}
    assert rules[NURTURE]["conditions"][0]["scheduled_actions"] is None
    assert rules[NURTURE]["execute_when"]["type"] == "edit"
    numbered = sorted(rules[TRADE_SHOW]["conditions"], key=lambda condition: condition["sequence_number"])
    assert [c["criteria_details"]["criteria"]["value"] for c in numbered] == ["Seminar", "Trade Show"]
    assert verify_state(client, str(exported)) == []
    assert not make_plan(client, str(exported)).has_changes


def test_connected_workflows_are_switched_and_created(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    path = exported / "connected_workflows.yaml"
    document = yaml.safe_load(path.read_text())
    by_id = {item["id"]: item for item in document["connected_workflows"]}
    by_id[LEAD_QUALIFICATION]["status"] = "inactive"
    by_id[VENDOR_REVIEW]["status"] = "active"
    document["connected_workflows"].append(
        {"name": "Contact Onboarding", "primary_module": "Contacts", "status": "active", "description": "New"}
    )
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    plan = make_plan(client, str(exported))
    assert [(s["action"], s["id"]) for s in plan.steps] == [
        ("set_workflow_status", LEAD_QUALIFICATION),
        ("set_workflow_status", VENDOR_REVIEW),
        ("create_workflow", None),
        ("set_workflow_status", None),
    ]
    assert plan.modules_changed() == ["Leads", "Vendors", "Contacts"]
    result = apply_plan(client, plan)
    assert result.verified, result.differences
    statuses = {w["name"]: w["status"] for w in emulator.snapshot()["connected_workflows"]}
    assert statuses == {
        "Lead Qualification Process": "inactive",
        "Account Onboarding": "inactive",
        "Vendor Review": "active",
        "Contact Onboarding": "active",
    }
    assert verify_state(client, str(exported)) == []


def test_a_bad_file_is_refused_naming_file_rule_and_path_before_any_request(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    leads = load(exported, "Leads")
    rule(leads, NURTURE)["conditions"][0]["scheduled_actions"][0]["execute_after"]["unit"] = "three"
    save(exported, "Leads", leads)
    since = last_seq(emulator)
    with pytest.raises(ZohoCRMValidationError) as caught:
        make_plan(client, str(exported))
    assert caught.value.details["file"] == "workflow_rules/Leads.yaml"
    assert caught.value.details["rule"] == "'Nurture cold leads' (rules[2])"
    assert caught.value.json_path == "rules[2].conditions[0].scheduled_actions[0].execute_after.unit"
    assert api_requests(emulator, since) == []


def test_a_change_zoho_refuses_is_caught_at_plan_time_naming_the_rule(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    leads = load(exported, "Leads")
    trigger = rule(leads, NURTURE)["execute_when"]
    trigger["type"] = "score_increase"  # another trigger category
    del trigger["details"]["repeat"]
    save(exported, "Leads", leads)
    since = last_seq(emulator)
    with pytest.raises(ZohoCRMValidationError, match="stays in its category") as caught:
        make_plan(client, str(exported))
    assert caught.value.details["rule"] == "'Nurture cold leads' (rules[2])"
    assert writes(emulator, since) == []


def test_a_failed_step_stops_the_apply_and_a_new_plan_picks_up_from_there(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, exported: Path
) -> None:
    leads = load(exported, "Leads")
    rule(leads, ASSIGN)["active"] = False
    rule(leads, TRADE_SHOW)["name"] = "Tag trade-show leads for events"
    rule(leads, NURTURE)["description"] = "Changed"
    save(exported, "Leads", leads)
    plan = make_plan(client, str(exported))
    assert [s["id"] for s in plan.steps] == [ASSIGN, TRADE_SHOW, NURTURE]
    emulator.add_fault(
        kind="status", method="PUT", path=f"/crm/v8/settings/automation/workflow_rules/{TRADE_SHOW}", status=400
    )
    since = last_seq(emulator)
    with pytest.raises(ZohoCRMValidationError) as caught:
        apply_plan(client, plan)
    outcomes = [(step["id"], step["outcome"]) for step in caught.value.details["applied"]]
    assert outcomes == [(ASSIGN, "applied"), (TRADE_SHOW, "failed"), (NURTURE, "skipped")]
    assert [entry["path"].rsplit("/", 1)[-1] for entry in writes(emulator, since)] == [ASSIGN, TRADE_SHOW]
    with pytest.raises(ZohoCRMPlanStaleError):
        apply_plan(client, plan)
    again = make_plan(client, str(exported))
    assert [s["id"] for s in again.steps] == [TRADE_SHOW, NURTURE]
    assert apply_plan(client, again).verified
    assert verify_state(client, str(exported)) == []

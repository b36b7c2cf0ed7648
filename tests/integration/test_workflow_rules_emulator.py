"""Workflow-rule operators and hook methods against the bundled emulator, over loopback HTTP.

The emulator's journal proves what was written: re-runs and dry runs must add no PUT.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from unit.api.samples import (
    DOC_ADD_AND_REMOVE_ACTIONS,
    DOC_ADD_AND_REMOVE_CONDITIONS,
    DOC_UPDATE_CRITERIA,
    DOC_UPDATE_NAME_AND_TRIGGER,
    leaf,
    new_condition,
    scheduled_group,
)

from airflow_provider_zohocrm.api.workflow_rules import update_request
from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMNotFoundError,
    ZohoCRMPermissionError,
    ZohoCRMServerError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import (
    ActivateWorkflowRuleOperator,
    DeactivateWorkflowRuleOperator,
    ReorderWorkflowRulesOperator,
    UpdateWorkflowRuleOperator,
    ZohoCRMBaseOperator,
)
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator
from integration.many_rules import add_rules

pytestmark = pytest.mark.integration

# A condition with an instant and a scheduled action of types the rule has room for (one task per rule).
SCHEDULED_CONDITION = {
    "sequence_number": 3,
    "criteria_details": {"criteria": leaf("Lead_Source", "Partner")},
    "instant_actions": {"actions": [{"id": "4876876000000329001", "type": "email_notifications"}]},
    "scheduled_actions": [
        {
            "execute_after": {"period": "hrs", "unit": 2},
            "actions": [{"id": "4876876000000330101", "type": "field_updates"}],
        }
    ],
}

# Seeded rules (airflow_provider_zohocrm/testing/emulator/workflow_rules_seed.py).
NURTURE = "4876876000011150005"  # Leads, inactive, create_or_edit, one scheduled action, 4 queued records
ESCALATE = "4876876000015014033"  # Leads, active, create_or_edit, two conditions
DELETED_NOTICE = "4876876000013310077"  # Leads, inactive, delete trigger
SCORE = "4876876000012204017"  # Leads, active, score_increase
WELCOME = "4876876000015005001"  # Contacts, active, condition ...005002 with add_tags ...005009
TRADE_SHOW = "4876876000011037080"  # Leads, second in order
MISSING = "4876876000099999999"


def writes(emulator: ZohoCRMEmulator, since: int = 0) -> list[dict[str, Any]]:
    return [e for e in emulator.journal_entries(since) if e["path"].startswith("/crm/") and e["method"] != "GET"]


def run(operator: ZohoCRMBaseOperator) -> dict[str, Any]:
    return operator.execute(context={})


def rerun_writes_nothing(emulator: ZohoCRMEmulator, make: Any) -> dict[str, Any]:
    """Run ``make()``'s operator again and prove it wrote nothing; returns its result."""
    mark = emulator.journal_entries()[-1]["seq"]
    result = run(make())
    assert result["changed"] is False
    assert writes(emulator, mark) == []
    return result


def leads_order(hook: ZohoCRMHook) -> list[str]:
    return [rule["id"] for rule in hook.get_workflow_rules("Leads")]


# --- activate / deactivate -------------------------------------------------------------------------------------


def test_activate_then_rerun(emulator, emulator_hook):
    def make() -> ActivateWorkflowRuleOperator:
        return ActivateWorkflowRuleOperator(task_id="activate", rule_id=NURTURE)

    assert run(make()) == {"rule_id": NURTURE, "active": True, "changed": True}
    assert emulator_hook.get_workflow_rule(NURTURE)["status"]["active"] is True
    (put,) = writes(emulator)
    assert put["json"] == {"workflow_rules": [{"id": NURTURE, "status": {"active": True}}]}
    assert rerun_writes_nothing(emulator, make) == {"rule_id": NURTURE, "active": True, "changed": False}


def test_deactivate_deletes_queued_scheduled_actions_when_asked(emulator, emulator_hook):
    run(ActivateWorkflowRuleOperator(task_id="activate", rule_id=NURTURE))

    def make() -> DeactivateWorkflowRuleOperator:
        return DeactivateWorkflowRuleOperator(task_id="deactivate", rule_id=NURTURE, delete_schedule_action=True)

    assert run(make())["changed"] is True
    assert emulator_hook.get_workflow_rule(NURTURE)["status"]["active"] is False
    state = next(r for r in emulator.snapshot()["workflow_rules"]["workflow_rules"] if r["id"] == NURTURE)
    assert state["scheduled_action_records"] == {"pending": 0, "deleted": 4}
    rerun_writes_nothing(emulator, make)


def test_deactivate_keeps_scheduled_actions_by_default(emulator):
    run(ActivateWorkflowRuleOperator(task_id="activate", rule_id=NURTURE))
    run(DeactivateWorkflowRuleOperator(task_id="deactivate", rule_id=NURTURE))
    state = next(r for r in emulator.snapshot()["workflow_rules"]["workflow_rules"] if r["id"] == NURTURE)
    assert state["scheduled_action_records"] == {"pending": 4, "deleted": 0}


def test_status_dry_runs_write_nothing(emulator, emulator_hook):
    result = run(ActivateWorkflowRuleOperator(task_id="a", rule_id=DELETED_NOTICE, dry_run=True))
    assert result["would_change"] is True
    assert result["plan"][0]["json"]["workflow_rules"][0]["status"] == {"active": True}
    run(DeactivateWorkflowRuleOperator(task_id="d", rule_id=ESCALATE, dry_run=True))
    assert writes(emulator) == []
    assert emulator_hook.get_workflow_rule(DELETED_NOTICE)["status"]["active"] is False
    assert emulator_hook.get_workflow_rule(ESCALATE)["status"]["active"] is True


def test_unknown_rule_is_not_found(emulator):
    with pytest.raises(ZohoCRMNotFoundError):
        run(ActivateWorkflowRuleOperator(task_id="a", rule_id=MISSING))
    assert writes(emulator) == []


# --- update ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "update"),
    [
        (ESCALATE, DOC_UPDATE_NAME_AND_TRIGGER),
        (ESCALATE, DOC_ADD_AND_REMOVE_CONDITIONS),
        (ESCALATE, DOC_UPDATE_CRITERIA),
        (WELCOME, DOC_ADD_AND_REMOVE_ACTIONS),
        (ESCALATE, {"description": "Reviewed", "lock": {"status": True, "message": "Quarter close"}}),
        (ESCALATE, {"conditions": [SCHEDULED_CONDITION]}),
        (SCORE, {"execute_when": {"type": "score_update"}, "name": "Score changes"}),
    ],
    ids=["name-and-trigger", "add-remove-conditions", "criteria", "add-remove-actions", "lock", "schedule", "score"],
)
def test_update_then_rerun(emulator, emulator_hook, rule_id, update):
    def make() -> UpdateWorkflowRuleOperator:
        return UpdateWorkflowRuleOperator(task_id="update", rule_id=rule_id, rule=copy.deepcopy(update))

    result = run(make())
    assert result["changed"] is True
    assert result["message"] == "workflow updated"
    assert result["changed_keys"] == sorted(set(update) - {"id"})
    assert len(writes(emulator)) == 1
    rerun_writes_nothing(emulator, make)
    # What the rule reads back passes validation as a re-run of the same update.
    validate_rule_update(update, emulator_hook.get_workflow_rule(rule_id))


@pytest.mark.parametrize(
    ("period", "unit"),
    [
        ("business_hours", 1),
        ("business_days", 0),
        ("minutes", 30),
        ("weeks", 2),
        ("b_days", 3),
        ("b_hours", 1),
        ("hrs", 0),
    ],
)
def test_scheduled_delays_in_zohos_published_periods_and_the_update_pages(emulator, emulator_hook, period, unit):
    """Zoho's definitions name minutes ... business_days (its GET example returns business_hours); the update
    page names b_days, b_hours, hrs. The operator sends either; b_days reads back as business_days, and the
    re-run still sees the delay in place (no second scheduled action)."""
    condition = copy.deepcopy(SCHEDULED_CONDITION)
    condition["scheduled_actions"][0]["execute_after"] = {"period": period, "unit": unit}

    def make() -> UpdateWorkflowRuleOperator:
        return UpdateWorkflowRuleOperator(task_id="u", rule_id=ESCALATE, rule={"conditions": [condition]})

    assert run(make())["changed"] is True
    added = emulator_hook.get_workflow_rule(ESCALATE)["conditions"][2]
    published = {"b_days": "business_days", "b_hours": "business_hours", "hrs": "hours"}.get(period, period)
    assert added["scheduled_actions"][0]["execute_after"] == {"period": published, "unit": unit}
    rerun_writes_nothing(emulator, make)


def test_update_reads_back(emulator, emulator_hook):
    run(UpdateWorkflowRuleOperator(task_id="u", rule_id=ESCALATE, rule=DOC_ADD_AND_REMOVE_CONDITIONS))
    conditions = emulator_hook.get_workflow_rule(ESCALATE)["conditions"]
    assert [c["sequence_number"] for c in conditions] == [1, 2]
    assert conditions[0]["instant_actions"]["actions"][0]["type"] == "assign_owner"
    assert "4876876000015014036" not in {c["id"] for c in conditions}


def test_update_dry_run_writes_nothing(emulator, emulator_hook):
    before = emulator_hook.get_workflow_rule(ESCALATE)
    result = run(UpdateWorkflowRuleOperator(task_id="u", rule_id=ESCALATE, rule={"name": "Dry"}, dry_run=True))
    assert result["plan"][0]["json"] == {"workflow_rules": [{"name": "Dry"}]}
    assert writes(emulator) == []
    assert emulator_hook.get_workflow_rule(ESCALATE) == before


# Documented errors (page 002): the operator stops them before any write; sent anyway through the hook,
# the emulator answers with the typed error at the same place.
SERVER_ERRORS = [
    ("name-length", ESCALATE, {"name": "n" * 101}, "INVALID_DATA", "$.workflow_rules[0].name"),
    ("name-chars", ESCALATE, {"name": "50% (new)"}, "INVALID_DATA", "$.workflow_rules[0].name"),
    ("sequence", ESCALATE, {"conditions": [new_condition(1)]}, "INVALID_DATA", "sequence_number"),
    (
        "gap",
        ESCALATE,
        {"conditions": [{"id": "4876876000015014036", "_delete": None}]},
        "INVALID_DATA",
        "sequence_number",
    ),
    (
        "conditions",
        ESCALATE,
        {"conditions": [new_condition(n, leaf(f"F{n}")) for n in range(3, 12)]},
        "LIMIT_EXCEEDED",
        "$.workflow_rules[0].conditions",
    ),
    (
        "fields",
        ESCALATE,
        {"conditions": [new_condition(3, {"group_operator": "AND", "group": [leaf(f"F{i}") for i in range(26)]})]},
        "LIMIT_EXCEEDED",
        "criteria",
    ),
    (
        "trigger-fields",
        ESCALATE,
        {
            "execute_when": {
                "type": "field_update",
                "details": {"criteria": {"group_operator": "OR", "group": [leaf(f"F{i}") for i in range(6)]}},
            }
        },
        "LIMIT_EXCEEDED",
        "$.workflow_rules[0].execute_when.details.criteria",
    ),
    (
        "sections",
        ESCALATE,
        {"execute_when": {"type": "section_update", "details": {"section_ids": [str(i) for i in range(11)]}}},
        "LIMIT_EXCEEDED",
        "$.workflow_rules[0].execute_when.details.section_ids",
    ),
    (
        "period",
        ESCALATE,
        {"conditions": [new_condition(3, scheduled_actions=[scheduled_group(None, "fortnights")])]},
        "DEPENDENT_MISMATCH",
        "execute_after",
    ),
    (
        "repeat-trigger",
        SCORE,
        {"execute_when": {"details": {"repeat": True}}},
        "DEPENDENT_MISMATCH",
        "$.workflow_rules[0].execute_when.details.repeat",
    ),
    ("repeat-schedule", NURTURE, DOC_UPDATE_NAME_AND_TRIGGER, "DEPENDENT_MISMATCH", "scheduled_actions"),
    (
        "convert",
        ESCALATE,
        {
            "conditions": [
                new_condition(
                    3,
                    scheduled_actions=[
                        {"execute_after": {"period": "hrs", "unit": 1}, "actions": [{"type": "convert", "details": {}}]}
                    ],
                )
            ]
        },
        "INVALID_DATA",
        "type",
    ),
    (
        "category",
        ESCALATE,
        {"execute_when": {"type": "score_update"}},
        "INVALID_DATA",
        "$.workflow_rules[0].execute_when.type",
    ),
    (
        "module",
        ESCALATE,
        {"module": {"api_name": "Contacts"}, "name": "x"},
        "NOT_ALLOWED",
        "$.workflow_rules[0].module",
    ),
    (
        "trigger-module",
        ESCALATE,
        {"execute_when": {"details": {"trigger_module": {"api_name": "Deals"}}}},
        "NOT_ALLOWED",
        "$.workflow_rules[0].execute_when.details.trigger_module",
    ),
    ("lock", ESCALATE, {"lock": {"status": True}}, "DEPENDENT_FIELD_MISSING", "$.workflow_rules[0].lock.message"),
    (
        "delete-marker",
        ESCALATE,
        {"conditions": [{"id": "4876876000015014036", "_delete": True}]},
        "INVALID_DATA",
        "_delete",
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "update", "code", "where"), [c[1:] for c in SERVER_ERRORS], ids=[c[0] for c in SERVER_ERRORS]
)
def test_documented_errors(emulator, emulator_hook, rule_id, update, code, where):
    with pytest.raises(ZohoCRMValidationError) as client:
        run(UpdateWorkflowRuleOperator(task_id="u", rule_id=rule_id, rule=update))
    assert client.value.json_path.startswith("rule")
    assert writes(emulator) == []
    with pytest.raises(ZohoCRMValidationError) as server:  # update() refuses it too: send the body as built
        emulator_hook.client.send(update_request(rule_id, update))
    assert server.value.code == code
    assert server.value.status_code == 400
    assert where in (server.value.json_path or str(server.value.details))


def test_update_of_an_unknown_rule_is_not_found(emulator_hook):
    with pytest.raises(ZohoCRMNotFoundError):
        emulator_hook.update_workflow_rule(MISSING, {"name": "x"})


def test_unknown_action_id_is_a_server_side_check(emulator_hook):
    update = {
        "conditions": [
            {
                "id": "4876876000015014036",
                "instant_actions": {
                    "actions": [
                        {"id": "4876876000099999991", "_delete": None, "type": "tasks"},
                        {"id": "12", "type": "add_tags"},
                    ]
                },
            }
        ]
    }
    with pytest.raises(ZohoCRMValidationError, match="Invalid action ID"):
        emulator_hook.update_workflow_rule(ESCALATE, update)


# --- reorder ---------------------------------------------------------------------------------------------------


def test_reorder_then_rerun(emulator, emulator_hook):
    before = leads_order(emulator_hook)

    def make() -> ReorderWorkflowRulesOperator:
        return ReorderWorkflowRulesOperator(task_id="r", module="Leads", order=[before[-1], before[2]])

    result = run(make())
    wanted = [before[-1], before[2], *[r for r in before if r not in (before[-1], before[2])]]
    assert result["order"] == wanted
    assert leads_order(emulator_hook) == wanted
    (put,) = writes(emulator)
    assert put["query"] == {"module": "Leads"}
    assert put["json"] == {"reorder": {"workflow_rules": result["moves"]}}
    assert len(result["moves"]) == 2
    assert rerun_writes_nothing(emulator, make)["order"] == wanted


def test_reorder_page_003_sample_positions(emulator, emulator_hook):
    result = run(ReorderWorkflowRulesOperator(task_id="r", module="Leads", order={NURTURE: 1, TRADE_SHOW: 7}))
    order = leads_order(emulator_hook)
    assert order[0] == NURTURE
    assert order[6] == TRADE_SHOW
    assert result["order"] == order


def test_reorder_full_reverse_and_dry_run(emulator, emulator_hook):
    before = leads_order(emulator_hook)
    dry = run(ReorderWorkflowRulesOperator(task_id="r", module="Leads", order=before[::-1], dry_run=True))
    assert dry["order"] == before[::-1]
    assert writes(emulator) == []
    assert leads_order(emulator_hook) == before
    assert run(ReorderWorkflowRulesOperator(task_id="r", module="Leads", order=before[::-1]))["order"] == before[::-1]


def test_reorder_already_in_order_writes_nothing(emulator, emulator_hook):
    before = leads_order(emulator_hook)
    rerun_writes_nothing(emulator, lambda: ReorderWorkflowRulesOperator(task_id="r", module="Leads", order=before))


def test_reorder_invalid_requests_fail_before_writing(emulator, emulator_hook):
    with pytest.raises(ZohoCRMValidationError) as info:
        run(ReorderWorkflowRulesOperator(task_id="r", module="Leads", order={MISSING: 1, NURTURE: 9, WELCOME: 2}))
    assert len(info.value.details["problems"]) == 3  # WELCOME is a Contacts rule
    assert writes(emulator) == []


@pytest.mark.parametrize(
    ("module", "positions", "code"),
    [
        ("Leads", [{"id": NURTURE, "module_specific_sequence": 9}], "INVALID_DATA"),
        ("Leads", [{"id": MISSING, "module_specific_sequence": 1}], "INVALID_DATA"),
        ("Nowhere", [{"id": NURTURE, "module_specific_sequence": 1}], "INVALID_MODULE"),
    ],
)
def test_reorder_errors_from_zoho_are_typed(emulator, emulator_hook, module, positions, code):
    before = leads_order(emulator_hook)
    with pytest.raises(ZohoCRMValidationError) as info:
        emulator_hook.reorder_workflow_rules(module, positions)
    assert info.value.code == code
    assert leads_order(emulator_hook) == before


def test_reorder_of_rules_in_place_answers_empty(emulator_hook):
    order = leads_order(emulator_hook)
    assert emulator_hook.reorder_workflow_rules("Leads", [{"id": order[1], "module_specific_sequence": 2}]) == []


def test_reorder_moving_25_rules_sends_three_requests_of_at_most_ten(emulator, emulator_hook):
    """Zoho takes 10 moves per request: 25 go out as 10 + 10 + 5, each on the order the previous one left."""
    add_rules(emulator_hook, "Leads", 22)
    emulator.clear_journal()
    before = leads_order(emulator_hook)
    assert len(before) == 30
    wanted = before[:26][::-1] + before[26:]  # one of the 26 reversed rules keeps its place: 25 move

    def make(**kwargs: Any) -> ReorderWorkflowRulesOperator:
        return ReorderWorkflowRulesOperator(task_id="r", module="Leads", order=wanted, **kwargs)

    dry = run(make(dry_run=True))
    assert [len(r["json"]["reorder"]["workflow_rules"]) for r in dry["plan"]] == [10, 10, 5]
    assert writes(emulator) == []

    result = run(make())
    assert result["order"] == wanted
    assert len(result["moves"]) == 25
    puts = writes(emulator)
    assert [(put["status"], len(put["json"]["reorder"]["workflow_rules"])) for put in puts] == [
        (200, 10),
        (200, 10),
        (200, 5),
    ]
    assert [put["json"] for put in puts] == [r["json"] for r in dry["plan"]]
    assert emulator.snapshot()["workflow_rules"]["order"]["Leads"] == wanted
    rerun_writes_nothing(emulator, make)


def test_hook_reorder_of_more_than_ten_positions_is_split(emulator, emulator_hook):
    add_rules(emulator_hook, "Leads", 8)
    before = leads_order(emulator_hook)
    positions = [{"id": rule_id, "module_specific_sequence": n} for n, rule_id in enumerate(before[::-1][:12], 1)]
    emulator_hook.reorder_workflow_rules("Leads", positions)
    after = leads_order(emulator_hook)
    assert all(after[p["module_specific_sequence"] - 1] == p["id"] for p in positions)
    assert [r for r in after if r not in {p["id"] for p in positions}] == [
        r for r in before if r not in {p["id"] for p in positions}
    ]
    assert [len(w["json"]["reorder"]["workflow_rules"]) for w in writes(emulator) if "reorder" in w["path"]] == [10, 2]


def test_eleven_moves_in_one_request_are_refused_by_zoho_as_a_whole(emulator, emulator_hook):
    add_rules(emulator_hook, "Leads", 4)
    before = leads_order(emulator_hook)
    items = [{"id": rule_id, "module_specific_sequence": n} for n, rule_id in enumerate(before[:11][::-1], 1)]
    with pytest.raises(ZohoCRMValidationError) as info:
        emulator_hook.request(
            "PUT",
            "settings/automation/workflow_rules/actions/reorder",
            params={"module": "Leads"},
            json={"reorder": {"workflow_rules": items}},
        )
    assert (info.value.status_code, info.value.code) == (400, "INVALID_DATA")
    assert info.value.details["maximum_length"] == 10
    assert info.value.json_path == "$.reorder.workflow_rules"
    assert leads_order(emulator_hook) == before


def test_get_workflow_rules_filters(emulator_hook):
    leads = emulator_hook.get_workflow_rules("Leads")
    assert len(leads) == 8
    inactive = emulator_hook.get_workflow_rules("Leads", active=False)
    assert {r["id"] for r in inactive} == {NURTURE, DELETED_NOTICE}
    assert len(emulator_hook.get_workflow_rules()) > len(leads)


# --- errors outside validation: permission, scope, server failures, quotas ------------------------------------


def test_missing_permission_is_a_permission_error(emulator):
    emulator.set_config(revoked_permissions=["workflow_rules"])
    with pytest.raises(ZohoCRMPermissionError):
        run(ActivateWorkflowRuleOperator(task_id="a", rule_id=NURTURE))


def test_read_only_scope_fails_the_write_with_an_auth_error(emulator):
    emulator.set_config(scopes="ZohoCRM.settings.workflow_rules.READ")
    with pytest.raises(ZohoCRMAuthError) as info:
        run(ActivateWorkflowRuleOperator(task_id="a", rule_id=NURTURE))
    assert info.value.code == "OAUTH_SCOPE_MISMATCH"


def test_status_write_is_retried_after_a_server_error(emulator, emulator_hook, recorded_sleeps):
    emulator.add_fault(status=500, method="PUT", path=f"/crm/v8/settings/automation/workflow_rules/{NURTURE}")
    assert run(ActivateWorkflowRuleOperator(task_id="a", rule_id=NURTURE))["changed"] is True
    assert [w["status"] for w in writes(emulator)] == [500, 200]
    assert emulator_hook.get_workflow_rule(NURTURE)["status"]["active"] is True


def test_condition_write_is_not_retried_blindly_and_a_rerun_completes_it(emulator, emulator_hook, recorded_sleeps):
    emulator.add_fault(status=500, method="PUT", path=f"/crm/v8/settings/automation/workflow_rules/{ESCALATE}")

    def make() -> UpdateWorkflowRuleOperator:
        return UpdateWorkflowRuleOperator(task_id="u", rule_id=ESCALATE, rule={"conditions": [SCHEDULED_CONDITION]})

    with pytest.raises(ZohoCRMServerError):
        run(make())
    assert [w["status"] for w in writes(emulator)] == [500]
    assert recorded_sleeps == []
    assert run(make())["changed"] is True
    assert len(emulator_hook.get_workflow_rule(ESCALATE)["conditions"]) == 3
    rerun_writes_nothing(emulator, make)


def test_active_rules_limit_surfaces_as_a_validation_error(emulator, emulator_hook):
    active = len(emulator_hook.get_workflow_rules("Leads", active=True))
    for n in range(75 - active):
        body = {
            "name": f"Filler {n}",
            "module": {"api_name": "Leads"},
            "execute_when": {"type": "create"},
            "conditions": [
                {
                    "sequence_number": 1,
                    "criteria_details": {"criteria": leaf("Lead_Source", f"S{n}")},
                    "instant_actions": {"actions": [{"id": "4876876000000329001", "type": "email_notifications"}]},
                }
            ],
        }
        emulator_hook.request(
            "POST", "settings/automation/workflow_rules", json={"workflow_rules": [body]}, retry=False
        )
    with pytest.raises(ZohoCRMValidationError, match="Active Rules Limit Exceeds"):
        run(ActivateWorkflowRuleOperator(task_id="a", rule_id=NURTURE))

"""Workflow-rule operators over mocked HTTP: validation first, writes only when needed, dry runs."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest
import requests_mock as requests_mock_module
from airflow.providers.common.compat.sdk import AirflowException
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airflow_provider_zohocrm.api.workflow_rules_validation import SCHEDULE_PERIODS
from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMServerError, ZohoCRMValidationError
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import (
    ActivateWorkflowRuleOperator,
    DeactivateWorkflowRuleOperator,
    ReorderWorkflowRulesOperator,
    UpdateWorkflowRuleOperator,
    ZohoCRMBaseOperator,
)
from unit.api.samples import RULE_ID, SECOND_CONDITION, new_condition, rule, scheduled_group
from unit.helpers import REORDER_URL, WORKFLOW_URL, api_requests

RULE_URL = f"{WORKFLOW_URL}/{RULE_ID}"
OPERATORS = (
    ReorderWorkflowRulesOperator,
    UpdateWorkflowRuleOperator,
    ActivateWorkflowRuleOperator,
    DeactivateWorkflowRuleOperator,
)
UPDATED = {
    "workflow_rules": [
        {"code": "SUCCESS", "details": {"id": RULE_ID}, "message": "workflow updated", "status": "success"}
    ]
}


def writes(mock: Any) -> list[Any]:
    return [r for r in api_requests(mock) if r.method != "GET"]


def serve_rule(mock: Any, **kwargs: Any) -> dict[str, Any]:
    current = rule(**kwargs)
    mock.get(RULE_URL, json={"workflow_rules": [current]})
    return current


def serve_order(mock: Any, *orders: list[str]) -> None:
    mock.get(
        WORKFLOW_URL,
        [{"json": {"workflow_rules": [{"id": i} for i in ids], "info": {"more_records": False}}} for ids in orders],
    )


def run(operator: ZohoCRMBaseOperator) -> dict[str, Any]:
    result = operator.execute(context={})
    json.dumps(result)  # XCom-safe
    return result


# --- construction --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", OPERATORS)
def test_template_fields_cover_every_input(cls):
    inputs = {name for name in inspect.signature(cls.__init__).parameters if name not in ("self", "kwargs")}
    assert inputs
    assert inputs | {"zoho_crm_conn_id"} <= set(cls.template_fields)
    assert len(set(cls.template_fields)) == len(cls.template_fields)


def test_json_inputs_render_as_json():
    assert ReorderWorkflowRulesOperator.template_fields_renderers == {"order": "json"}
    assert UpdateWorkflowRuleOperator.template_fields_renderers == {"rule": "json"}


def test_init_reads_no_connection_and_sends_nothing(requests_mock, mocker):
    get_connection = mocker.patch.object(ZohoCRMHook, "get_connection", side_effect=AssertionError("too early"))
    templated = "{{ params.value }}"
    operators = [
        ReorderWorkflowRulesOperator(task_id="r", module=templated, order=templated, zoho_crm_conn_id="nowhere"),
        UpdateWorkflowRuleOperator(task_id="u", rule_id=templated, rule={"name": templated}),
        ActivateWorkflowRuleOperator(task_id="a", rule_id=templated),
        DeactivateWorkflowRuleOperator(task_id="d", rule_id=templated, delete_schedule_action=templated),
    ]
    assert all("hook" not in vars(op) for op in operators)
    assert get_connection.call_count == 0
    assert requests_mock.request_history == []


def test_arguments_are_keyword_only():
    with pytest.raises((TypeError, AirflowException)):  # Airflow 2 refuses positional arguments itself
        ActivateWorkflowRuleOperator("t", RULE_ID)  # type: ignore[misc]


# --- activate / deactivate -------------------------------------------------------------------------------------


def test_activate_writes_when_inactive(zoho):
    serve_rule(zoho, active=False)
    zoho.put(RULE_URL, json=UPDATED)
    result = run(ActivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID))
    assert result == {"rule_id": RULE_ID, "active": True, "changed": True}
    assert writes(zoho)[0].json() == {"workflow_rules": [{"id": RULE_ID, "status": {"active": True}}]}


@pytest.mark.parametrize("status", [None, [], "active", {"active": None}])
def test_activate_reads_a_status_of_another_shape_as_not_active(zoho, status):
    zoho.get(RULE_URL, json={"workflow_rules": [{**rule(), "status": status, "extra": {"k": None}}]})
    zoho.put(RULE_URL, json=UPDATED)
    assert run(ActivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID))["changed"] is True
    assert writes(zoho)[0].json() == {"workflow_rules": [{"id": RULE_ID, "status": {"active": True}}]}


@pytest.mark.parametrize("body", [{"workflow_rules": ["a"]}, {"workflow_rules": 5}])
def test_status_operators_fail_typed_on_an_answer_of_another_shape(zoho, body):
    zoho.get(RULE_URL, json=body)
    with pytest.raises(ZohoCRMServerError):
        run(DeactivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID))
    assert writes(zoho) == []


def test_activate_when_active_writes_nothing(zoho):
    serve_rule(zoho, active=True)
    assert run(ActivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID)) == {
        "rule_id": RULE_ID,
        "active": True,
        "changed": False,
    }
    assert writes(zoho) == []


@pytest.mark.parametrize(("flag", "sent"), [(False, False), (True, True), ("True", True), (" false ", False)])
def test_deactivate_sends_active_false_and_the_flag(zoho, flag, sent):
    serve_rule(zoho, active=True)
    zoho.put(RULE_URL, json=UPDATED)
    result = run(DeactivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, delete_schedule_action=flag))
    assert result == {"rule_id": RULE_ID, "active": False, "changed": True}
    status = writes(zoho)[0].json()["workflow_rules"][0]["status"]
    assert status == {"active": False, "delete_schedule_action": sent}


def test_deactivate_when_inactive_warns_about_the_flag(zoho, mocker):
    log = mocker.patch.object(DeactivateWorkflowRuleOperator, "log", new_callable=mocker.PropertyMock).return_value
    serve_rule(zoho, active=False)
    result = run(DeactivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, delete_schedule_action=True))
    assert result["changed"] is False
    assert writes(zoho) == []
    assert "had no effect" in log.warning.call_args.args[0]


def test_status_dry_run_returns_the_plan(zoho):
    serve_rule(zoho, active=True)
    result = run(DeactivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, dry_run=True))
    assert writes(zoho) == []
    assert result["dry_run"] is True
    assert result["would_change"] is True
    assert result["changed"] is False
    (planned,) = result["plan"]
    assert planned["method"] == "PUT"
    assert planned["path"] == f"settings/automation/workflow_rules/{RULE_ID}"
    assert planned["json"] == {
        "workflow_rules": [{"id": RULE_ID, "status": {"active": False, "delete_schedule_action": False}}]
    }


def test_status_dry_run_in_state_plans_nothing(zoho):
    serve_rule(zoho, active=True)
    result = run(ActivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, dry_run=True))
    assert result["plan"] == []
    assert result["would_change"] is False


# --- update ----------------------------------------------------------------------------------------------------


def test_update_sends_only_what_changes(zoho):
    current = serve_rule(zoho)
    zoho.put(RULE_URL, json=UPDATED)
    update = {"id": RULE_ID, "name": "Renamed", "description": current["description"]}
    result = run(UpdateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, rule=update))
    assert result == {"rule_id": RULE_ID, "changed": True, "changed_keys": ["name"], "message": "workflow updated"}
    assert writes(zoho)[0].json() == {"workflow_rules": [{"name": "Renamed"}]}


def test_update_already_applied_writes_nothing(zoho):
    current = serve_rule(zoho)
    update = {"name": current["name"], "conditions": [{"id": SECOND_CONDITION, "sequence_number": 2}]}
    result = run(UpdateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, rule=update))
    assert result == {"rule_id": RULE_ID, "changed": False, "changed_keys": [], "message": None}
    assert writes(zoho) == []


def test_update_checked_against_the_current_rule_before_writing(zoho):
    serve_rule(zoho)
    op = UpdateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, rule={"conditions": [new_condition(1)]})
    with pytest.raises(ZohoCRMValidationError) as info:
        op.execute(context={})
    assert info.value.json_path == "rule.conditions[0].sequence_number"
    assert writes(zoho) == []


def test_update_trigger_category_needs_the_current_rule(zoho):
    serve_rule(zoho, trigger="create")
    op = UpdateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, rule={"execute_when": {"type": "score_update"}})
    with pytest.raises(ZohoCRMValidationError, match="stays in its category"):
        op.execute(context={})
    assert writes(zoho) == []


def test_update_dry_run(zoho):
    serve_rule(zoho)
    update = {"conditions": [new_condition(3)]}
    result = run(UpdateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, rule=update, dry_run=True))
    assert writes(zoho) == []
    assert result["changed_keys"] == ["conditions"]
    assert result["plan"][0]["json"] == {"workflow_rules": [update]}


def test_update_zoho_error_is_typed(zoho):
    serve_rule(zoho)
    item = {
        "code": "INVALID_DATA",
        "details": {"json_path": "$.workflow_rules[0].conditions[0].instant_actions.actions[0].id"},
        "message": "Invalid action ID",
        "status": "error",
    }
    zoho.put(RULE_URL, status_code=400, json={"workflow_rules": [item]})
    op = UpdateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, rule={"conditions": [new_condition(3)]})
    with pytest.raises(ZohoCRMValidationError, match="Invalid action ID"):
        op.execute(context={})


# --- reorder ---------------------------------------------------------------------------------------------------


def test_reorder_sends_the_moves_and_reads_the_order_back(zoho):
    serve_order(zoho, ["1", "2", "3"], ["3", "1", "2"])
    zoho.put(REORDER_URL, json={"reorder": []})
    result = run(ReorderWorkflowRulesOperator(task_id="t", module="Leads", order=["3"]))
    assert result == {
        "module": "Leads",
        "moves": [{"id": "3", "module_specific_sequence": 1}],
        "order": ["3", "1", "2"],
        "changed": True,
    }
    (put,) = writes(zoho)
    assert put.qs == {"module": ["leads"]}
    assert put.json() == {"reorder": {"workflow_rules": [{"id": "3", "module_specific_sequence": 1}]}}


def test_reorder_in_order_writes_nothing(zoho):
    serve_order(zoho, ["1", "2", "3"])
    result = run(ReorderWorkflowRulesOperator(task_id="t", module="Leads", order={"2": 2}))
    assert result == {"module": "Leads", "moves": [], "order": ["1", "2", "3"], "changed": False}
    assert writes(zoho) == []
    assert len(api_requests(zoho)) == 1


def test_reorder_dry_run(zoho):
    serve_order(zoho, ["1", "2", "3"])
    result = run(ReorderWorkflowRulesOperator(task_id="t", module="Leads", order=["3", "2", "1"], dry_run=True))
    assert writes(zoho) == []
    assert result["order"] == ["3", "2", "1"]
    assert result["plan"][0]["json"]["reorder"]["workflow_rules"] == result["moves"]


def test_reorder_unknown_ids_fail_before_writing(zoho):
    serve_order(zoho, ["1", "2", "3"])
    with pytest.raises(ZohoCRMValidationError) as info:
        ReorderWorkflowRulesOperator(task_id="t", module="Leads", order={"9": 1, "1": 4}).execute(context={})
    assert len(info.value.details["problems"]) == 2
    assert writes(zoho) == []


def test_reorder_of_more_than_ten_rules_sends_successive_requests_of_ten(zoho):
    current = [str(100 + n) for n in range(15)]
    wanted = current[::-1]
    serve_order(zoho, current, wanted)
    zoho.put(REORDER_URL, json={"reorder": []})
    result = run(ReorderWorkflowRulesOperator(task_id="t", module="Leads", order=wanted))
    assert result["order"] == wanted
    assert len(result["moves"]) == 14
    puts = writes(zoho)
    assert [len(put.json()["reorder"]["workflow_rules"]) for put in puts] == [10, 4]
    assert all(put.qs == {"module": ["leads"]} for put in puts)


def test_reorder_dry_run_of_more_than_ten_rules_plans_every_request(zoho):
    current = [str(100 + n) for n in range(25)]
    serve_order(zoho, current)
    result = run(ReorderWorkflowRulesOperator(task_id="t", module="Leads", order=current[::-1], dry_run=True))
    assert writes(zoho) == []
    assert [len(r["json"]["reorder"]["workflow_rules"]) for r in result["plan"]] == [10, 10, 4]
    assert [r["summary"].split(":")[0] for r in result["plan"]] == [
        "move 10 Leads rule(s) (request 1 of 3)",
        "move 10 Leads rule(s) (request 2 of 3)",
        "move 4 Leads rule(s) (request 3 of 3)",
    ]


def test_reorder_stops_at_a_failed_request(zoho):
    current = [str(100 + n) for n in range(25)]  # three requests planned
    serve_order(zoho, current)
    failure = {
        "code": "INVALID_DATA",
        "details": {"api_name": "id"},
        "message": "Invalid process id",
        "status": "error",
    }
    zoho.put(REORDER_URL, [{"json": {"reorder": []}}, {"status_code": 400, "json": {"reorder": [failure]}}])
    with pytest.raises(ZohoCRMValidationError, match="Invalid process id"):
        ReorderWorkflowRulesOperator(task_id="t", module="Leads", order=current[::-1]).execute(context={})
    assert len(writes(zoho)) == 2


def test_reorder_result_that_differs_is_an_error(zoho):
    serve_order(zoho, ["1", "2", "3"], ["1", "2", "3"])
    zoho.put(REORDER_URL, json={"reorder": []})
    with pytest.raises(ZohoCRMError, match="another order than wanted") as info:
        ReorderWorkflowRulesOperator(task_id="t", module="Leads", order=["3"]).execute(context={})
    assert info.value.details["actual"] == ["1", "2", "3"]


# --- invalid inputs: a typed error and no request at all ----------------------------------------------------------

bad_ids = st.one_of(
    st.text(max_size=12).filter(lambda s: not (s.isascii() and s.isdigit())),
    st.integers(max_value=0),
    st.booleans(),
    st.none(),
    st.floats(),
    st.lists(st.integers(), max_size=2),
)
bad_modules = st.one_of(
    st.text(max_size=12).filter(
        lambda s: not (s[:1].isascii() and s[:1].isalpha() and s.isascii() and s.replace("_", "").isalnum())
    ),
    st.integers(),
    st.none(),
)
good_ids = st.integers(min_value=1, max_value=10**18).map(str)
bad_orders = st.one_of(
    st.just([]),
    st.just({}),
    st.text(max_size=5),
    st.integers(),
    st.lists(bad_ids, min_size=1, max_size=3),
    st.lists(good_ids, min_size=1, max_size=3).map(lambda ids: ids + ids[:1]),
    st.dictionaries(good_ids, st.one_of(st.integers(max_value=0), st.booleans(), st.text(max_size=2)), min_size=1),
)
bad_names = st.one_of(
    st.text(min_size=101, max_size=140).filter(lambda s: s.strip()),
    st.tuples(st.text(max_size=10), st.sampled_from("#%^&*()"), st.text(max_size=10)).map("".join),
    st.sampled_from(["", "  ", None, 7]),
)
bad_rules = st.one_of(
    bad_names.map(lambda name: {"name": name}),
    st.lists(st.integers(1, 3), min_size=2, max_size=4)
    .filter(lambda ns: len(set(ns)) < len(ns))
    .map(lambda ns: {"conditions": [new_condition(n) for n in ns]}),
    st.one_of(st.integers(max_value=0), st.text(max_size=2), st.floats()).map(
        lambda n: {"conditions": [new_condition(n)]}
    ),
    st.text(max_size=8)
    .filter(lambda p: p not in SCHEDULE_PERIODS)
    .map(lambda p: {"conditions": [new_condition(1, scheduled_actions=[scheduled_group(None, period=p)])]}),
    st.sampled_from(["colour", "modules", "Name"]).map(lambda key: {key: 1}),
    st.just({"lock": {"status": True}}),
    st.just({"conditions": [{"id": "1", "_delete": False}]}),
    st.just({"execute_when": {"type": "create", "details": {"repeat": True}}}),
    st.sampled_from([None, [], "rule", 3]),
)


def assert_rejected_without_requests(operator: ZohoCRMBaseOperator) -> None:
    with requests_mock_module.Mocker() as mock:
        with pytest.raises(ZohoCRMValidationError):
            operator.execute(context={})
        assert mock.request_history == []


_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(module=st.one_of(bad_modules, st.just("Leads")), order=st.one_of(bad_orders, st.just(["1"])))
def test_reorder_rejects_invalid_input_without_requests(zoho_conn, module, order):
    if module == "Leads" and order == ["1"]:
        return
    assert_rejected_without_requests(ReorderWorkflowRulesOperator(task_id="t", module=module, order=order))


@_settings
@given(rule_id=st.one_of(bad_ids, good_ids), update=st.one_of(bad_rules, st.just({"name": "fine"})))
def test_update_rejects_invalid_input_without_requests(zoho_conn, rule_id, update):
    if update == {"name": "fine"} and isinstance(rule_id, str) and rule_id.isdigit():
        return
    assert_rejected_without_requests(UpdateWorkflowRuleOperator(task_id="t", rule_id=rule_id, rule=update))


@_settings
@given(rule_id=bad_ids)
def test_activate_rejects_invalid_ids_without_requests(zoho_conn, rule_id):
    assert_rejected_without_requests(ActivateWorkflowRuleOperator(task_id="t", rule_id=rule_id))


@_settings
@given(
    rule_id=st.one_of(bad_ids, good_ids),
    flag=st.one_of(st.booleans(), st.none(), st.integers(), st.text(max_size=6)),
)
def test_deactivate_rejects_invalid_input_without_requests(zoho_conn, rule_id, flag):
    flag_ok = isinstance(flag, bool) or (isinstance(flag, str) and flag.strip().lower() in ("true", "false"))
    if flag_ok and isinstance(rule_id, str) and rule_id.isdigit():
        return
    assert_rejected_without_requests(
        DeactivateWorkflowRuleOperator(task_id="t", rule_id=rule_id, delete_schedule_action=flag)
    )

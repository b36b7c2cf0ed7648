"""The workflow-rules store of the emulator, driven directly (no HTTP): Zoho v8 pages 002 and 003."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unit.api.samples import (
    DOC_ACTIVATE,
    DOC_ADD_AND_REMOVE_ACTIONS,
    DOC_ADD_AND_REMOVE_CONDITIONS,
    DOC_UPDATE_NAME_AND_TRIGGER,
)

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.modules import seed_modules
from airflow_provider_zohocrm.testing.emulator.workflow_rules import WorkflowRuleStore
from airflow_provider_zohocrm.testing.emulator.workflow_rules_seed import API_USER, OTHER_USER

ROOT = "$.workflow_rules[0]"
PARAM_INVALID = "The value provided to the param is Invalid"
NAME_CHARS_MESSAGE = "Rule Name should not contain the following special characters: #, %, ^, &, *, (, )"

# Seeded rules the tests lean on (see workflow_rules_seed.py).
WEB_LEADS = "4876876000010880001"  # Leads, create, assign_owner + email, no scheduled actions
TRADE_SHOW = "4876876000011037080"  # Leads, reorder sample -> position 7
COLD_LEADS = "4876876000011150005"  # Leads, inactive, create_or_edit, scheduled business_days 3, activation sample
HIGH_VALUE = "4876876000015014033"  # Leads, conditions ...014036 (seq 1) and ...013021 (seq 2)
FIRST_CONDITION, SECOND_CONDITION = "4876876000015014036", "4876876000015013021"
STATUS_ALERT = "4876876000012204101"  # Leads, field_update with trigger criteria
CONVERT_LEADS = "4876876000013310021"  # Leads, locked, edit, convert action
WELCOME = "4876876000015005001"  # Contacts, condition ...005002 with add_tags ...005009 + email
WELCOME_CONDITION, WELCOME_TAGS = "4876876000015005002", "4876876000015005009"
WON_DEAL = "4876876000014400019"  # Deals, field_update, scheduled hrs 2, two queued records
VENDOR_SECTIONS = "4876876000014800033"  # Vendors, section_update
UNKNOWN = "4876876000099999999"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    """A settable clock, so modified_time is predictable."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> WorkflowRuleStore:
    return WorkflowRuleStore(seed_modules(), clock=clock)


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")


def get(store: WorkflowRuleStore, rule_id: str) -> dict[str, Any]:
    status, body = store.get_rule(rule_id)
    assert status == 200
    assert body is not None
    return body["workflow_rules"][0]


def update(store: WorkflowRuleStore, rule_id: str | None, **fields: Any) -> tuple[int, dict[str, Any] | None]:
    return store.update_rules(rule_id, {"workflow_rules": [fields]})


def listed(store: WorkflowRuleStore, **params: str) -> list[dict[str, Any]]:
    status, body = store.list_rules(params)
    assert status == 200
    assert body is not None
    return list(body["workflow_rules"])


def order(store: WorkflowRuleStore, module: str = "Leads") -> list[str]:
    return [rule["id"] for rule in listed(store, module=module)]


def item_error(result: tuple[int, dict[str, Any] | None], key: str = "workflow_rules") -> dict[str, Any]:
    status, body = result
    assert status == 400
    assert body is not None
    (item,) = body[key]
    assert item["status"] == "error"
    return dict(item)


def expect_item_error(
    result: tuple[int, dict[str, Any] | None], code: str, message: str, json_path: str | None = None, **details: Any
) -> dict[str, Any]:
    item = item_error(result)
    assert (item["code"], item["message"]) == (code, message)
    if json_path is not None:
        assert item["details"]["json_path"] == json_path
    for key, value in details.items():
        assert item["details"][key] == value
    return item


def whole_error(excinfo: pytest.ExceptionInfo[ZohoError]) -> tuple[int, str, str, dict[str, Any]]:
    error = excinfo.value
    return error.status, error.code, error.message, error.details


def success(rule_id: str, message: str) -> dict[str, Any]:
    return {"code": "SUCCESS", "details": {"id": rule_id}, "message": message, "status": "success"}


def leaf(field: str, value: str, comparator: str = "equal") -> dict[str, Any]:
    return {
        "comparator": comparator,
        "field": {"api_name": field, "id": "4876876000000009001"},
        "type": "value",
        "value": value,
    }


def group(count: int) -> dict[str, Any]:
    return {"group_operator": "AND", "group": [leaf(f"Field_{n}", str(n)) for n in range(count)]}


def email(action_id: str = "4876876000000339001") -> dict[str, Any]:
    return {"type": "email_notifications", "id": action_id}


def new_condition(sequence: int, criteria: Any, *actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "sequence_number": sequence,
        "criteria_details": {"criteria": criteria},
        "instant_actions": {"actions": list(actions) or [email()]},
    }


def new_rule(module: str = "Leads", trigger: str = "create", **extra: Any) -> dict[str, Any]:
    return {
        "name": "Route partner leads",
        "module": {"api_name": module},
        "execute_when": {"type": trigger, "details": {}},
        "conditions": [new_condition(1, leaf("Lead_Source", "Partner"))],
        **extra,
    }


def create(store: WorkflowRuleStore, **rule: Any) -> str:
    status, body = store.create_rule({"workflow_rules": [new_rule(**rule)]})
    assert status == 201, body
    assert body is not None
    return str(body["workflow_rules"][0]["details"]["id"])


# --- seed ---------------------------------------------------------------------------------------------


def test_seed_is_a_realistic_org(store: WorkflowRuleStore) -> None:
    rules = listed(store, include_inner_details="true")
    modules = {rule["module"]["api_name"] for rule in rules}
    locked = [rule for rule in rules if rule["lock"]["status"]]
    assert len(rules) >= 20
    assert {"Leads", "Contacts", "Deals", "Vendors", "Projects"} <= modules
    assert len(order(store, "Leads")) >= 7
    assert {rule["status"]["active"] for rule in rules} == {True, False}
    assert [rule["id"] for rule in locked] == [CONVERT_LEADS]
    assert locked[0]["lock"]["message"]
    assert locked[0]["deletable"] is False
    assert all(rule["id"].isdigit() and rule["conditions"] for rule in rules)
    assert {"create", "edit", "create_or_edit", "field_update", "date_or_datetime", "score_increase"} <= {
        rule["execute_when"]["type"] for rule in rules
    }
    assert any(cond["scheduled_actions"] for rule in rules for cond in rule["conditions"])


def test_seed_is_deterministic(clock: FakeClock) -> None:
    first = WorkflowRuleStore(seed_modules(), clock=clock).snapshot()
    assert first == WorkflowRuleStore(seed_modules(), clock=clock).snapshot()


def test_seed_skips_modules_that_are_absent_and_can_be_off() -> None:
    modules = [module for module in seed_modules() if module["api_name"] != "Projects"]
    assert "Projects" not in {r["module"]["api_name"] for r in listed(WorkflowRuleStore(modules))}
    empty = {"workflow_rules": [], "info": {"per_page": 200, "count": 0, "page": 1, "more_records": False}}
    assert WorkflowRuleStore(seed_modules(), seed=False).list_rules({}) == (200, empty)


def test_every_seeded_rule_survives_a_get_then_put_round_trip(store: WorkflowRuleStore) -> None:
    for summary in listed(store):
        before = get(store, summary["id"])
        assert update(store, summary["id"], **before)[0] == 200, summary["name"]
        after = get(store, summary["id"])
        assert after["conditions"] == before["conditions"]
        assert after["execute_when"] == before["execute_when"]


# --- list ---------------------------------------------------------------------------------------------


def test_list_groups_by_module_in_execution_order(store: WorkflowRuleStore) -> None:
    status, body = store.list_rules({})
    assert status == 200
    assert body is not None
    modules = [rule["module"]["api_name"] for rule in body["workflow_rules"]]
    assert modules == sorted(modules, key=[m["api_name"] for m in seed_modules()].index)
    assert body["info"] == {"per_page": 200, "count": len(modules), "page": 1, "more_records": False}
    assert order(store)[:3] == [WEB_LEADS, TRADE_SHOW, COLD_LEADS]


def test_list_items_are_summaries_unless_inner_details_are_asked_for(store: WorkflowRuleStore) -> None:
    summary = listed(store, module="Contacts")[0]
    assert set(summary) == {
        "id",
        "name",
        "description",
        "module",
        "execute_when",
        "status",
        "created_time",
        "modified_time",
        "created_by",
        "modified_by",
        "last_executed_time",
        "editable",
        "deletable",
        "source",
        "lock",
    }
    detailed = listed(store, module="Contacts", include_inner_details="true")[0]
    assert detailed == get(store, detailed["id"])


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ({"module": "Deals"}, lambda r: r["module"]["api_name"] == "Deals"),
        ({"status_active": "false"}, lambda r: r["status"]["active"] is False),
        ({"status_active": "TRUE"}, lambda r: r["status"]["active"] is True),
        (
            {"module": "Leads", "execute_on": "create"},
            lambda r: r["module"]["api_name"] == "Leads" and r["execute_when"]["type"] == "create",
        ),
        ({"module": "Leads", "trigger_module": "Leads"}, lambda r: r["module"]["api_name"] == "Leads"),
        (
            {"filter": json.dumps({"field": {"api_name": "name"}, "comparator": "contains", "value": "LEAD"})},
            lambda r: "lead" in r["name"].lower(),
        ),
    ],
)
def test_list_filters(store: WorkflowRuleStore, params: dict[str, str], predicate: Any) -> None:
    everything = listed(store)
    matching = listed(store, **params)
    assert matching
    assert matching == [rule for rule in everything if predicate(rule)]


def test_list_pages(store: WorkflowRuleStore) -> None:
    everything = listed(store)
    status, body = store.list_rules({"per_page": "5", "page": "2"})
    assert status == 200
    assert body is not None
    assert body["workflow_rules"] == everything[5:10]
    assert body["info"] == {"per_page": 5, "count": 5, "page": 2, "more_records": True}
    last_page = -(-len(everything) // 5)
    status, body = store.list_rules({"per_page": "5", "page": str(last_page)})
    assert body is not None
    assert body["info"]["more_records"] is False
    past = {"workflow_rules": [], "info": {"per_page": 5, "count": 0, "page": last_page + 1, "more_records": False}}
    assert store.list_rules({"per_page": "5", "page": str(last_page + 1)}) == (200, past)


def test_list_sorts_by_modified_time(store: WorkflowRuleStore, clock: FakeClock) -> None:
    clock.now = START + 60
    assert update(store, TRADE_SHOW, name="Tag trade show leads")[0] == 200
    newest_first = listed(store, sort_by="modified_time")
    assert newest_first[0]["id"] == TRADE_SHOW
    times = [datetime.fromisoformat(rule["modified_time"]) for rule in newest_first]
    assert times == sorted(times, reverse=True)
    oldest_first = listed(store, sort_by="modified_time", sort_order="asc")
    assert [datetime.fromisoformat(rule["modified_time"]) for rule in oldest_first] == sorted(times)
    assert oldest_first[-1]["id"] == TRADE_SHOW


def test_list_answers_200_with_an_empty_list_when_nothing_matches(store: WorkflowRuleStore) -> None:
    """Zoho's definitions of this list show no 204: an empty page is 200 with an empty list and ``info``."""
    empty = {"workflow_rules": [], "info": {"per_page": 200, "count": 0, "page": 1, "more_records": False}}
    no_match = json.dumps({"field": {"api_name": "name"}, "comparator": "contains", "value": "zzz"})
    assert store.list_rules({"filter": no_match}) == (200, empty)
    assert store.list_rules({"module": "Vendors", "status_active": "false"}) == (200, empty)


@pytest.mark.parametrize(
    ("params", "code", "message", "param"),
    [
        ({"module": "Nope"}, "INVALID_MODULE", PARAM_INVALID, "module"),
        ({"per_page": "0"}, "INVALID_DATA", PARAM_INVALID, "per_page"),
        ({"per_page": "201"}, "INVALID_DATA", PARAM_INVALID, "per_page"),
        ({"per_page": "ten"}, "INVALID_DATA", PARAM_INVALID, "per_page"),
        ({"page": "0"}, "INVALID_DATA", PARAM_INVALID, "page"),
        ({"status_active": "yes"}, "INVALID_DATA", PARAM_INVALID, "status_active"),
        ({"sort_by": "name"}, "INVALID_DATA", PARAM_INVALID, "sort_by"),
        ({"sort_order": "up"}, "INVALID_DATA", PARAM_INVALID, "sort_order"),
        (
            {"include_inner_details": "1"},
            "INVALID_DATA",
            "The value provided to the param is Invalid",
            "include_inner_details",
        ),
        ({"execute_on": "create"}, "REQUIRED_PARAM_MISSING", "required param not found", "module"),
        ({"trigger_module": "Leads"}, "REQUIRED_PARAM_MISSING", "required param not found", "module"),
        (
            {"module": "Leads", "execute_on": "sometime"},
            "INVALID_DATA",
            "The value provided to the param is Invalid",
            "execute_on",
        ),
        ({"filter": "{not json"}, "INVALID_DATA", PARAM_INVALID, "filter"),
        (
            {"filter": json.dumps({"field": {"api_name": "id"}, "comparator": "contains", "value": "1"})},
            "INVALID_DATA",
            "The value provided to the param is Invalid",
            "filter",
        ),
    ],
)
def test_list_rejects_bad_params(
    store: WorkflowRuleStore, params: dict[str, str], code: str, message: str, param: str
) -> None:
    with pytest.raises(ZohoError) as excinfo:
        store.list_rules(params)
    assert whole_error(excinfo) == (400, code, message, {"param_name": param})


def test_results_are_copies(store: WorkflowRuleStore) -> None:
    listed(store)[0]["name"] = "changed"
    get(store, WEB_LEADS)["conditions"].clear()
    store.snapshot()["workflow_rules"][0]["status"]["active"] = False
    rule = get(store, WEB_LEADS)
    assert rule["name"] == "Assign web leads to inside sales"
    assert rule["conditions"]
    assert rule["status"]["active"] is True


# --- get one ------------------------------------------------------------------------------------------


def test_get_one_has_conditions_and_actions(store: WorkflowRuleStore) -> None:
    rule = get(store, WON_DEAL)
    assert (rule["deprecated"], rule["category"], rule["source"]) == (False, "default", "crm")
    (condition,) = rule["conditions"]
    assert condition["sequence_number"] == 1
    assert condition["criteria_details"]["criteria"]["field"]["api_name"] == "Stage"
    assert condition["instant_actions"]["actions"][0]["type"] == "tasks"
    (later,) = condition["scheduled_actions"]
    assert later["execute_after"] == {"period": "hours", "unit": 2}
    assert rule["created_time"].endswith("+00:00")


@pytest.mark.parametrize("rule_id", [UNKNOWN, "abc", ""])
def test_get_unknown_or_malformed_id(store: WorkflowRuleStore, rule_id: str) -> None:
    with pytest.raises(ZohoError) as excinfo:
        store.get_rule(rule_id)
    assert whole_error(excinfo) == (400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": 3})


# --- create -------------------------------------------------------------------------------------------


def test_create_appends_to_the_module_order(store: WorkflowRuleStore, clock: FakeClock) -> None:
    before = order(store, "Vendors")
    status, body = store.create_rule({"workflow_rules": [new_rule("Vendors")]})
    assert status == 201
    assert body is not None
    rule_id = body["workflow_rules"][0]["details"]["id"]
    assert body == {"workflow_rules": [success(rule_id, "workflow created")]}
    assert order(store, "Vendors") == [*before, rule_id]
    rule = get(store, rule_id)
    assert rule["status"] == {"active": True}
    assert rule["created_time"] == rule["modified_time"] == iso(clock.now)
    assert rule["created_by"] == API_USER
    assert rule["execute_when"]["details"]["trigger_module"] == {"api_name": "Vendors", "id": "4876876000000002193"}
    assert rule["conditions"][0]["id"].isdigit()


@pytest.mark.parametrize("missing", ["name", "module", "execute_when", "conditions"])
def test_create_needs_the_mandatory_fields(store: WorkflowRuleStore, missing: str) -> None:
    rule = new_rule()
    del rule[missing]
    result = store.create_rule({"workflow_rules": [rule]})
    expect_item_error(result, "MANDATORY_NOT_FOUND", "Required field is missing", f"{ROOT}.{missing}")


def test_create_rejects_unknown_module_and_inactive_rules(store: WorkflowRuleStore) -> None:
    result = store.create_rule({"workflow_rules": [new_rule("Unicorns")]})
    expect_item_error(result, "INVALID_DATA", "The value given seems to be invalid.", f"{ROOT}.module")
    result = store.create_rule({"workflow_rules": [new_rule(status={"active": False})]})
    expect_item_error(result, "INVALID_DATA", "invalid data", f"{ROOT}.status.active")


def test_create_enforces_the_per_module_limits(store: WorkflowRuleStore) -> None:
    for _ in range(75 - 6):  # Leads starts with six active rules
        create(store)
    result = store.create_rule({"workflow_rules": [new_rule()]})
    expect_item_error(result, "INVALID_DATA", "Active Rules Limit Exceeds", limit=75)
    while len(order(store, "Vendors")) < 125:
        store.set_status(create(store, module="Vendors"), active=False)
    result = store.create_rule({"workflow_rules": [new_rule("Vendors")]})
    expect_item_error(result, "INVALID_DATA", "Total Rules Limit Exceeds", limit=125)


# --- update: envelope and id ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "message", "details"),
    [
        ([], "INVALID_DATA", "Invalid data type", {"expected_data_type": "jsonobject", "json_path": "$"}),
        (
            {},
            "MANDATORY_NOT_FOUND",
            "Required field is missing",
            {"api_name": "workflow_rules", "json_path": "$.workflow_rules"},
        ),
        (
            {"workflow_rules": []},
            "MANDATORY_NOT_FOUND",
            "Required field is missing",
            {"api_name": "workflow_rules", "json_path": "$.workflow_rules"},
        ),
        (
            {"workflow_rules": {"name": "x"}},
            "INVALID_DATA",
            "Invalid data type",
            {"api_name": "workflow_rules", "json_path": "$.workflow_rules", "expected_data_type": "jsonarray"},
        ),
        (
            {"workflow_rules": [{"name": "a"}, {"name": "b"}]},
            "INVALID_DATA",
            "invalid data",
            {"api_name": "workflow_rules", "json_path": "$.workflow_rules", "maximum_length": 1},
        ),
    ],
)
def test_update_envelope_errors_fail_the_whole_request(
    store: WorkflowRuleStore, body: Any, code: str, message: str, details: dict[str, Any]
) -> None:
    with pytest.raises(ZohoError) as excinfo:
        store.update_rules(WEB_LEADS, body)
    assert whole_error(excinfo) == (400, code, message, details)


def test_update_item_that_is_not_an_object(store: WorkflowRuleStore) -> None:
    result = store.update_rules(WEB_LEADS, {"workflow_rules": ["rename"]})
    expect_item_error(result, "INVALID_DATA", "Invalid data type", ROOT, expected_data_type="jsonobject")


def test_update_without_url_id_needs_a_known_body_id(store: WorkflowRuleStore) -> None:
    missing = update(store, None, name="Renamed")
    expect_item_error(missing, "MANDATORY_NOT_FOUND", "The workflow processid is mandatory", f"{ROOT}.id")
    unknown = update(store, None, id=UNKNOWN, name="Renamed")
    expect_item_error(unknown, "INVALID_DATA", "the id given seems to be invalid", f"{ROOT}.id")
    assert update(store, None, id=WEB_LEADS, name="Renamed")[0] == 200
    assert get(store, WEB_LEADS)["name"] == "Renamed"


def test_update_url_id_wins_over_body_id(store: WorkflowRuleStore) -> None:
    status, body = update(store, WEB_LEADS, id=TRADE_SHOW, name="Renamed")
    assert (status, body) == (200, {"workflow_rules": [success(WEB_LEADS, "workflow updated")]})
    assert get(store, WEB_LEADS)["name"] == "Renamed"
    assert get(store, TRADE_SHOW)["name"] == "Tag trade-show leads"


@pytest.mark.parametrize("rule_id", [UNKNOWN, "abc"])
def test_update_unknown_url_id(store: WorkflowRuleStore, rule_id: str) -> None:
    with pytest.raises(ZohoError) as excinfo:
        update(store, rule_id, name="Renamed")
    assert whole_error(excinfo) == (400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": 3})


def test_successful_update_bumps_modified_time_and_user(store: WorkflowRuleStore, clock: FakeClock) -> None:
    store.edit_rule(WEB_LEADS, description="edited in the UI")
    clock.now = START + 3600
    assert update(store, WEB_LEADS, description="Routed by the API")[0] == 200
    rule = get(store, WEB_LEADS)
    assert (rule["modified_time"], rule["modified_by"]) == (iso(START + 3600), API_USER)
    assert rule["created_time"] == "2025-01-13T08:30:00+00:00"


def test_failed_update_changes_nothing(store: WorkflowRuleStore, clock: FakeClock) -> None:
    before = get(store, WEB_LEADS)
    clock.now = START + 60
    item_error(update(store, WEB_LEADS, name="Renamed", execute_when={"type": "missed_call"}))
    assert get(store, WEB_LEADS) == before


# --- update: the 002 samples ----------------------------------------------------------------------------


def doc_body(sample: dict[str, Any]) -> dict[str, Any]:
    """A PUT body around a fresh copy of a page-002 sample, so the store never holds the shared one."""
    return {"workflow_rules": [copy.deepcopy(sample)]}


def test_sample_update_name_and_trigger(store: WorkflowRuleStore) -> None:
    body = doc_body(DOC_UPDATE_NAME_AND_TRIGGER)
    assert store.update_rules(WEB_LEADS, body) == (200, {"workflow_rules": [success(WEB_LEADS, "workflow updated")]})
    rule = get(store, WEB_LEADS)
    assert rule["name"] == "Updated Rule Name"
    assert rule["execute_when"] == {
        "type": "edit",
        "details": {"trigger_module": {"api_name": "Leads", "id": "4876876000000002175"}, "repeat": True},
    }


def test_sample_add_and_remove_actions(store: WorkflowRuleStore) -> None:
    body = doc_body(DOC_ADD_AND_REMOVE_ACTIONS)  # condition WELCOME_CONDITION, deleting action WELCOME_TAGS
    assert store.update_rules(WELCOME, body) == (200, {"workflow_rules": [success(WELCOME, "workflow updated")]})
    (condition,) = get(store, WELCOME)["conditions"]
    kept = [(action["type"], action["id"]) for action in condition["instant_actions"]["actions"]]
    assert kept == [("email_notifications", "4876876000000329011"), ("tasks", "4876876000000329765")]


def test_sample_add_and_remove_conditions(store: WorkflowRuleStore) -> None:
    body = doc_body(DOC_ADD_AND_REMOVE_CONDITIONS)  # HIGH_VALUE: delete FIRST_CONDITION, add one
    criteria = body["workflow_rules"][0]["conditions"][1]["criteria_details"]["criteria"]
    assert store.update_rules(None, body) == (200, {"workflow_rules": [success(HIGH_VALUE, "workflow updated")]})
    first, second = get(store, HIGH_VALUE)["conditions"]
    assert second["id"] == SECOND_CONDITION
    assert (first["sequence_number"], second["sequence_number"]) == (1, 2)
    assert first["criteria_details"]["criteria"] == criteria
    assert [action["type"] for action in first["instant_actions"]["actions"]] == ["assign_owner", "add_tags"]
    assert all(action["id"].isdigit() for action in first["instant_actions"]["actions"])
    assert first["scheduled_actions"] is None


def test_sample_update_criteria(store: WorkflowRuleStore) -> None:
    # Not DOC_UPDATE_CRITERIA: the same criteria, but with this file's leaf() field ids.
    criteria = {
        "group_operator": "AND",
        "group": [
            leaf("Annual_Revenue", "999999999999999", "greater_than"),
            leaf("Company", "Zylker", "contains"),
        ],
    }
    body = {"workflow_rules": [{"id": HIGH_VALUE, "conditions": [{"id": SECOND_CONDITION, "criteria": criteria}]}]}
    assert store.update_rules(None, body)[0] == 200
    assert get(store, HIGH_VALUE)["conditions"][1]["criteria_details"]["criteria"] == criteria


def test_sample_activate(store: WorkflowRuleStore) -> None:
    body = doc_body(DOC_ACTIVATE)  # activates COLD_LEADS
    assert store.update_rules(None, body) == (200, {"workflow_rules": [success(COLD_LEADS, "workflow updated")]})
    assert get(store, COLD_LEADS)["status"] == {"active": True}
    assert listed(store, module="Leads", status_active="true")[2]["id"] == COLD_LEADS


@pytest.mark.parametrize(("delete_schedule_action", "pending", "deleted"), [(True, 0, 2), (False, 2, 0), (None, 2, 0)])
def test_sample_deactivate_with_or_without_deleting_scheduled_actions(
    store: WorkflowRuleStore, delete_schedule_action: bool | None, pending: int, deleted: int
) -> None:
    status: dict[str, Any] = {"active": False}  # the 002 sample says true; deactivation is false
    if delete_schedule_action is not None:
        status["delete_schedule_action"] = delete_schedule_action
    assert update(store, None, id=WON_DEAL, status=status)[0] == 200
    assert get(store, WON_DEAL)["status"] == {"active": False}
    (snapshot,) = [rule for rule in store.snapshot()["workflow_rules"] if rule["id"] == WON_DEAL]
    assert snapshot["scheduled_action_records"] == {"pending": pending, "deleted": deleted}


def test_activation_beyond_the_active_limit(store: WorkflowRuleStore) -> None:
    for _ in range(75 - 6):
        create(store)
    result = update(store, COLD_LEADS, status={"active": True})
    expect_item_error(result, "INVALID_DATA", "Active Rules Limit Exceeds", f"{ROOT}.status.active", limit=75)
    assert update(store, WEB_LEADS, status={"active": True})[0] == 200  # already active: no new slot needed


@pytest.mark.parametrize(
    ("status", "path", "code"),
    [
        ({}, f"{ROOT}.status.active", "MANDATORY_NOT_FOUND"),
        ({"active": "no"}, f"{ROOT}.status.active", "INVALID_DATA"),
        ({"active": False, "delete_schedule_action": "yes"}, f"{ROOT}.status.delete_schedule_action", "INVALID_DATA"),
    ],
)
def test_status_must_be_well_formed(store: WorkflowRuleStore, status: dict[str, Any], path: str, code: str) -> None:
    item = item_error(update(store, WEB_LEADS, status=status))
    assert (item["code"], item["details"]["json_path"]) == (code, path)


# --- update: every 002 error ----------------------------------------------------------------------------


def test_name_at_most_100_characters(store: WorkflowRuleStore) -> None:
    assert update(store, WEB_LEADS, name="n" * 100)[0] == 200
    result = update(store, WEB_LEADS, name="n" * 101)
    expect_item_error(
        result, "INVALID_DATA", "The length of name has exceeded the limit", f"{ROOT}.name", maximum_length=100
    )


@pytest.mark.parametrize("char", list("#%^&*()"))
def test_name_without_special_characters(store: WorkflowRuleStore, char: str) -> None:
    result = update(store, WEB_LEADS, name=f"Leads {char} web")
    expect_item_error(result, "INVALID_DATA", NAME_CHARS_MESSAGE, f"{ROOT}.name", api_name="name")


def test_trigger_must_be_valid_for_the_module(store: WorkflowRuleStore) -> None:
    result = update(store, WEB_LEADS, execute_when={"type": "missed_call"})
    item = expect_item_error(result, "INVALID_DATA", "The given trigger is not valid.", f"{ROOT}.execute_when.type")
    assert "create" in item["details"]["supported_values"]


@pytest.mark.parametrize("trigger", ["score_increase", "date_or_datetime", "rollup_summary_update"])
def test_trigger_cannot_change_category(store: WorkflowRuleStore, trigger: str) -> None:
    result = update(store, WEB_LEADS, execute_when={"type": trigger})
    item = expect_item_error(
        result, "INVALID_DATA", "Trigger type cannot be changed across categories", f"{ROOT}.execute_when.type"
    )
    assert "create_or_edit" in item["details"]["supported_values"]


def test_trigger_can_change_within_its_category(store: WorkflowRuleStore) -> None:
    assert update(store, STATUS_ALERT, execute_when={"type": "create"})[0] == 200
    assert get(store, STATUS_ALERT)["execute_when"]["details"] == {
        "trigger_module": {"api_name": "Leads", "id": "4876876000000002175"}
    }  # field_update's trigger criteria do not apply to create
    assert update(store, "4876876000012204017", execute_when={"type": "score_update"})[0] == 200


def test_the_trigger_module_decides_the_categories() -> None:
    modules = [*seed_modules(), {"api_name": "Calls", "id": "4876876000000002201"}]
    store = WorkflowRuleStore(modules, seed=False)
    calls_rule = create(store, module="Calls", trigger="missed_call")
    assert update(store, calls_rule, execute_when={"type": "delete"})[0] == 200
    result = update(store, calls_rule, execute_when={"type": "create"})
    expect_item_error(result, "INVALID_DATA", "The given trigger is not valid.")
    relational = {"module_selection": "all", "criteria": None, "module": None}
    conditions = [
        {"id": get(store, calls_rule)["conditions"][0]["id"], "criteria_details": {"relational_criteria": relational}}
    ]
    assert update(store, calls_rule, conditions=conditions)[0] == 200


@pytest.mark.parametrize(
    ("fields", "message", "path"),
    [
        ({"module": {"api_name": "Contacts"}}, "The module of a workflow rule cannot be changed", f"{ROOT}.module"),
        (
            {"execute_when": {"details": {"trigger_module": {"api_name": "Deals"}}}},
            "The trigger module of a workflow rule cannot be changed",
            f"{ROOT}.execute_when.details.trigger_module",
        ),
    ],
)
def test_module_and_trigger_module_are_fixed(
    store: WorkflowRuleStore, fields: dict[str, Any], message: str, path: str
) -> None:
    expect_item_error(update(store, WEB_LEADS, **fields), "NOT_ALLOWED", message, path)
    same = {"module": {"api_name": "Leads", "id": "4876876000000002175"}}
    assert update(store, WEB_LEADS, **same)[0] == 200


def test_repeat_only_for_edit_triggers(store: WorkflowRuleStore) -> None:
    result = update(store, WEB_LEADS, execute_when={"details": {"repeat": True}})
    expect_item_error(
        result,
        "DEPENDENT_MISMATCH",
        "Repeat not supported for this trigger",
        f"{ROOT}.execute_when.details.repeat",
        dependee={"api_name": "type", "json_path": f"{ROOT}.execute_when.type"},
    )


def test_edit_triggers_need_repeat(store: WorkflowRuleStore) -> None:
    result = update(store, WEB_LEADS, execute_when={"type": "edit"})
    expect_item_error(
        result, "DEPENDENT_FIELD_MISSING", "A dependent field is missing", f"{ROOT}.execute_when.details.repeat"
    )
    assert update(store, COLD_LEADS, execute_when={"type": "edit"})[0] == 200  # repeat carries over


def test_dependent_values_must_be_null_for_the_trigger(store: WorkflowRuleStore) -> None:
    message = "The dependent value should be null for the selected trigger"
    result = update(store, WEB_LEADS, execute_when={"details": {"section_ids": ["4876876000000091055"]}})
    expect_item_error(result, "DEPENDENT_MISMATCH", message, f"{ROOT}.execute_when.details.section_ids")
    relational = {"module_selection": "all", "criteria": None, "module": None}
    conditions = [{"id": SECOND_CONDITION, "criteria_details": {"relational_criteria": relational}}]
    result = update(store, HIGH_VALUE, conditions=conditions)
    path = f"{ROOT}.conditions[0].criteria_details.relational_criteria"
    expect_item_error(result, "DEPENDENT_MISMATCH", message, path)


def test_repeat_excludes_scheduled_actions(store: WorkflowRuleStore) -> None:
    result = update(store, COLD_LEADS, execute_when={"details": {"repeat": True}})
    expect_item_error(
        result,
        "DEPENDENT_MISMATCH",
        "Dependent Field is not matching",
        f"{ROOT}.conditions[0].scheduled_actions",
        dependee={"api_name": "repeat", "json_path": f"{ROOT}.execute_when.details.repeat"},
    )
    removed = [{"id": "4876876000011150008", "scheduled_actions": None}]
    assert update(store, COLD_LEADS, execute_when={"details": {"repeat": True}}, conditions=removed)[0] == 200


@pytest.mark.parametrize(
    ("conditions", "path"),
    [
        ([new_condition(4, leaf("Rating", "Warm"))], f"{ROOT}.conditions[0].sequence_number"),
        ([new_condition(2, leaf("Rating", "Warm"))], f"{ROOT}.conditions[0].sequence_number"),
        ([new_condition(0, leaf("Rating", "Warm"))], f"{ROOT}.conditions[0].sequence_number"),
        ([new_condition("3", leaf("Rating", "Warm"))], f"{ROOT}.conditions[0].sequence_number"),  # type: ignore[arg-type]
        (
            [{"id": FIRST_CONDITION, "sequence_number": 1}, new_condition(5, leaf("Rating", "Warm"))],
            f"{ROOT}.conditions[1].sequence_number",
        ),
        ([{"id": FIRST_CONDITION, "_delete": None}], f"{ROOT}.conditions[0].sequence_number"),
    ],
)
def test_sequence_numbers_run_from_one_without_gaps(
    store: WorkflowRuleStore, conditions: list[dict[str, Any]], path: str
) -> None:
    expect_item_error(
        update(store, HIGH_VALUE, conditions=conditions), "INVALID_DATA", "Invalid sequence number is given", path
    )


def test_conditions_can_be_renumbered(store: WorkflowRuleStore) -> None:
    swap = [{"id": FIRST_CONDITION, "sequence_number": 2}, {"id": SECOND_CONDITION, "sequence_number": 1}]
    assert update(store, HIGH_VALUE, conditions=swap)[0] == 200
    assert [cond["id"] for cond in get(store, HIGH_VALUE)["conditions"]] == [SECOND_CONDITION, FIRST_CONDITION]


def test_new_condition_needs_a_sequence_number(store: WorkflowRuleStore) -> None:
    condition = new_condition(3, leaf("Rating", "Warm"))
    del condition["sequence_number"]
    result = update(store, HIGH_VALUE, conditions=[condition])
    expect_item_error(
        result, "MANDATORY_NOT_FOUND", "Required field is missing", f"{ROOT}.conditions[0].sequence_number"
    )


def _extra_conditions(count: int) -> list[dict[str, Any]]:
    """``count`` new conditions after the two of HIGH_VALUE, within the per-type action limits."""
    actions = [{"type": "field_updates", "id": f"48768760000003402{n:02d}"} for n in range(5)]
    actions += [email(f"48768760000003392{n:02d}") for n in range(count - 5)]
    return [new_condition(3 + n, leaf("Rating", f"R{n}"), action) for n, action in enumerate(actions)]


def test_at_most_ten_conditions(store: WorkflowRuleStore) -> None:
    assert update(store, HIGH_VALUE, conditions=_extra_conditions(8))[0] == 200
    assert len(get(store, HIGH_VALUE)["conditions"]) == 10
    result = update(store, HIGH_VALUE, conditions=[new_condition(11, leaf("Rating", "Hot"))])
    expect_item_error(result, "LIMIT_EXCEEDED", "Workflow condition limit exceeded", f"{ROOT}.conditions", limit=10)


def test_condition_criteria_check_at_most_25_fields(store: WorkflowRuleStore) -> None:
    assert update(store, HIGH_VALUE, conditions=[{"id": SECOND_CONDITION, "criteria": group(25)}])[0] == 200
    result = update(store, HIGH_VALUE, conditions=[{"id": SECOND_CONDITION, "criteria": group(26)}])
    path = f"{ROOT}.conditions[0].criteria_details.criteria"
    expect_item_error(result, "LIMIT_EXCEEDED", "Fields limit exceeded", path, limit=25)


def test_trigger_criteria_check_at_most_5_fields(store: WorkflowRuleStore) -> None:
    assert update(store, STATUS_ALERT, execute_when={"details": {"criteria": group(5)}})[0] == 200
    result = update(store, STATUS_ALERT, execute_when={"details": {"criteria": group(6)}})
    path = f"{ROOT}.execute_when.details.criteria"
    expect_item_error(result, "LIMIT_EXCEEDED", "The Limit of criteria fields is exceeded", path, limit=5)


def test_at_most_10_section_ids(store: WorkflowRuleStore) -> None:
    sections = [f"48768760000000910{n:02d}" for n in range(11)]
    assert update(store, VENDOR_SECTIONS, execute_when={"details": {"section_ids": sections[:10]}})[0] == 200
    result = update(store, VENDOR_SECTIONS, execute_when={"details": {"section_ids": sections}})
    path = f"{ROOT}.execute_when.details.section_ids"
    expect_item_error(result, "LIMIT_EXCEEDED", "The Limit of selected section ids exceeded", path, limit=10)


def test_criteria_cannot_repeat_across_conditions(store: WorkflowRuleStore) -> None:
    same = get(store, HIGH_VALUE)["conditions"][1]["criteria_details"]["criteria"]
    result = update(store, HIGH_VALUE, conditions=[new_condition(3, same)])
    item = expect_item_error(result, "AMBIGUITY_DURING_PROCESSING", "The given criteria is part of another condition")
    assert [due["json_path"] for due in item["details"]["ambiguity_due_to"]] == [
        f"{ROOT}.conditions[1].criteria_details",
        f"{ROOT}.conditions[0].criteria_details",
    ]


def test_a_condition_keeps_at_least_one_action(store: WorkflowRuleStore) -> None:
    removal = [{"id": WELCOME_TAGS, "_delete": None}, {"id": "4876876000000329011", "_delete": None}]
    result = update(store, WELCOME, conditions=[{"id": WELCOME_CONDITION, "instant_actions": {"actions": removal}}])
    path = f"{ROOT}.conditions[0].instant_actions.actions"
    expect_item_error(result, "CANNOT_REMOVE", "Actions cannot be empty", path)


def test_a_rule_keeps_at_least_one_condition(store: WorkflowRuleStore) -> None:
    result = update(store, WELCOME, conditions=[{"id": WELCOME_CONDITION, "_delete": None}])
    expect_item_error(result, "CANNOT_REMOVE", "Conditions cannot be empty", f"{ROOT}.conditions")


@pytest.mark.parametrize(
    ("conditions", "message", "path"),
    [
        (
            [{"id": UNKNOWN, "sequence_number": 1}],
            "This given conditionid seems to be invalid",
            f"{ROOT}.conditions[0].id",
        ),
        ([{"id": UNKNOWN, "_delete": None}], "This given conditionid seems to be invalid", f"{ROOT}.conditions[0].id"),
        (
            [{"id": WELCOME_CONDITION, "instant_actions": {"actions": [{"id": UNKNOWN, "_delete": None}]}}],
            "Invalid action ID",
            f"{ROOT}.conditions[0].instant_actions.actions[0].id",
        ),
        (
            [{"id": WELCOME_CONDITION, "instant_actions": {"actions": [{"id": UNKNOWN, "type": "add_tags"}]}}],
            "Invalid action ID",
            f"{ROOT}.conditions[0].instant_actions.actions[0].id",
        ),
        (
            [{"id": WELCOME_CONDITION, "instant_actions": {"actions": [{"id": WELCOME_TAGS, "type": "tasks"}]}}],
            "Invalid action ID",
            f"{ROOT}.conditions[0].instant_actions.actions[0].id",
        ),
        (
            [{"id": WELCOME_CONDITION, "instant_actions": {"actions": [{"id": "task-1", "type": "tasks"}]}}],
            "Invalid action ID",
            f"{ROOT}.conditions[0].instant_actions.actions[0].id",
        ),
        (
            [{"id": WELCOME_CONDITION, "scheduled_actions": [{"id": UNKNOWN, "_delete": None}]}],
            "Invalid action ID",
            f"{ROOT}.conditions[0].scheduled_actions[0].id",
        ),
    ],
)
def test_unknown_condition_and_action_ids(
    store: WorkflowRuleStore, conditions: list[dict[str, Any]], message: str, path: str
) -> None:
    expect_item_error(update(store, WELCOME, conditions=conditions), "INVALID_DATA", message, path)


@pytest.mark.parametrize(
    "execute_after",
    [
        {"period": "fortnights", "unit": 1},
        {"period": "B_DAYS", "unit": 1},
        {"period": "hrs", "unit": -1},
        {"period": "b_hours", "unit": "2"},
        {"period": "hours", "unit": 1.5},
        {"period": "hours", "unit": True},
        {"period": "minutes", "unit": 1},
        {"period": "minutes", "unit": 181},
        {"period": "years", "unit": 11},
        {"period": "b_days", "unit": 2001},
    ],
)
def test_scheduled_periods_and_units(store: WorkflowRuleStore, execute_after: dict[str, Any]) -> None:
    later = [{"id": "4876876000011150015", "execute_after": execute_after}]
    result = update(store, COLD_LEADS, conditions=[{"id": "4876876000011150008", "scheduled_actions": later}])
    path = f"{ROOT}.conditions[0].scheduled_actions[0].execute_after.unit"
    expect_item_error(result, "DEPENDENT_MISMATCH", "Given Unit is not supported for the period.", path)


@pytest.mark.parametrize(
    ("period", "unit"),
    [
        *[(period, 5) for period in ("minutes", "hours", "days", "weeks", "months", "years")],
        *[(period, 5) for period in ("business_hours", "business_days", "b_days", "b_hours", "hrs")],
        ("hours", 0),
        ("business_days", 0),
        ("minutes", 180),
        ("days", 2000),
    ],
)
def test_documented_periods_are_accepted(store: WorkflowRuleStore, period: str, unit: int) -> None:
    """Zoho's definitions' periods (unit from 0, within each period's range) and the update page's aliases,
    which read back under the published name (the only ones the definitions of the GET answer list)."""
    later = [{"id": "4876876000011150015", "execute_after": {"period": period, "unit": unit}}]
    assert update(store, COLD_LEADS, conditions=[{"id": "4876876000011150008", "scheduled_actions": later}])[0] == 200
    (group,) = get(store, COLD_LEADS)["conditions"][0]["scheduled_actions"]
    published = {"b_days": "business_days", "b_hours": "business_hours", "hrs": "hours"}.get(period, period)
    assert group["execute_after"] == {"period": published, "unit": unit}


def test_seeded_delays_use_zohos_published_periods(store: WorkflowRuleStore) -> None:
    periods = {
        group["execute_after"]["period"]
        for rule in store.snapshot()["workflow_rules"]
        for condition in rule["conditions"]
        for group in condition["scheduled_actions"] or []
    }
    assert periods
    assert periods <= {"minutes", "hours", "days", "weeks", "months", "years", "business_hours", "business_days"}


def test_convert_is_not_a_scheduled_action(store: WorkflowRuleStore) -> None:
    later = [{"execute_after": {"period": "b_days", "unit": 1}, "actions": [{"type": "convert", "details": {}}]}]
    result = update(store, COLD_LEADS, conditions=[{"id": "4876876000011150008", "scheduled_actions": later}])
    path = f"{ROOT}.conditions[0].scheduled_actions[0].actions[0].type"
    expect_item_error(result, "INVALID_DATA", "Data type not supported", path)


def test_at_most_five_scheduled_actions(store: WorkflowRuleStore) -> None:
    later = [
        {"execute_after": {"period": "hrs", "unit": n + 1}, "actions": [email(f"48768760000003393{n:02d}")]}
        for n in range(5)
    ]
    result = update(store, COLD_LEADS, conditions=[{"id": "4876876000011150008", "scheduled_actions": later}])
    path = f"{ROOT}.conditions[0].scheduled_actions"
    expect_item_error(result, "LIMIT_EXCEEDED", "Scheduled actions limit exceeded", path, limit=5)
    assert (
        update(store, COLD_LEADS, conditions=[{"id": "4876876000011150008", "scheduled_actions": later[:4]}])[0] == 200
    )


def test_the_same_action_twice_in_a_condition(store: WorkflowRuleStore) -> None:
    task = {"id": "4876876000000329765", "type": "tasks"}
    result = update(
        store, WELCOME, conditions=[{"id": WELCOME_CONDITION, "instant_actions": {"actions": [task, task]}}]
    )
    path = f"{ROOT}.conditions[0].instant_actions.actions[1]"
    expect_item_error(result, "DUPLICATE_DATA", "Duplicate action not allowed", path, api_name="actions")


@pytest.mark.parametrize(
    ("actions", "api_name", "limit"),
    [
        ([email(f"48768760000003394{n:02d}") for n in range(5)], "email_notifications", 5),
        ([{"type": "assign_owner", "details": {}} for _ in range(3)], "assign_owner", 3),
        ([{"type": "add_tags", "details": {}} for _ in range(2)], "add_tags", 1),
        (
            [{"type": "webhooks", "id": "4876876000000331001"}, {"type": "webhooks", "id": "4876876000000331002"}],
            "webhooks",
            1,
        ),
    ],
)
def test_per_type_action_limits(
    store: WorkflowRuleStore, actions: list[dict[str, Any]], api_name: str, limit: int
) -> None:
    conditions = [{"id": "4876876000010880003", "instant_actions": {"actions": actions}}]
    item = expect_item_error(
        update(store, WEB_LEADS, conditions=conditions), "LIMIT_EXCEEDED", "Actions limit exceeded"
    )
    assert item["details"] == {
        "api_name": api_name,
        "json_path": f"{ROOT}.conditions[0].instant_actions.actions",
        "limit": limit,
    }


def test_associate_actions_need_an_id(store: WorkflowRuleStore) -> None:
    actions = [{"type": "tasks", "name": "Call back"}]
    result = update(store, WELCOME, conditions=[{"id": WELCOME_CONDITION, "instant_actions": {"actions": actions}}])
    path = f"{ROOT}.conditions[0].instant_actions.actions[0]"
    expect_item_error(
        result,
        "DEPENDENT_FIELD_MISSING",
        "A dependent field is missing",
        f"{path}.id",
        dependee={"api_name": "type", "json_path": f"{path}.type"},
    )


def test_actions_need_a_known_type(store: WorkflowRuleStore) -> None:
    conditions = [{"id": WELCOME_CONDITION, "instant_actions": {"actions": [{"name": "?"}]}}]
    path = f"{ROOT}.conditions[0].instant_actions.actions[0].type"
    expect_item_error(
        update(store, WELCOME, conditions=conditions), "MANDATORY_NOT_FOUND", "Required field is missing", path
    )
    conditions = [{"id": WELCOME_CONDITION, "instant_actions": {"actions": [{"type": "fax"}]}}]
    expect_item_error(
        update(store, WELCOME, conditions=conditions), "INVALID_DATA", "The value given seems to be invalid.", path
    )


def test_actions_must_suit_the_trigger(store: WorkflowRuleStore) -> None:
    result = update(store, WEB_LEADS, execute_when={"type": "delete"})  # assign_owner cannot run on delete
    item = expect_item_error(result, "AMBIGUITY_DURING_PROCESSING", "action not supported for this trigger")
    assert item["details"]["ambiguity_due_to"] == [
        {"api_name": "type", "json_path": f"{ROOT}.execute_when.type"},
        {"api_name": "type", "json_path": f"{ROOT}.conditions[0].instant_actions.actions[0].type"},
    ]


def test_convert_needs_criteria_and_no_repeat(store: WorkflowRuleStore) -> None:
    message = "This error may occur due to conflicting configurations in your workflow rule"
    no_criteria = [{"id": "4876876000013310023", "criteria_details": {"criteria": None}}]
    expect_item_error(update(store, CONVERT_LEADS, conditions=no_criteria), "AMBIGUITY_DURING_PROCESSING", message)
    repeat = {"details": {"repeat": True}}
    item = expect_item_error(update(store, CONVERT_LEADS, execute_when=repeat), "AMBIGUITY_DURING_PROCESSING", message)
    assert item["details"]["ambiguity_due_to"][0]["json_path"] == f"{ROOT}.execute_when.details.repeat"


def test_convert_is_for_leads_only(store: WorkflowRuleStore) -> None:
    actions = [{"type": "convert", "details": {}}]
    result = update(store, WELCOME, conditions=[{"id": WELCOME_CONDITION, "instant_actions": {"actions": actions}}])
    path = f"{ROOT}.conditions[0].instant_actions.actions[0].type"
    expect_item_error(result, "NOT_ALLOWED", "The unsupported action is given", path)


def test_lock_needs_a_message(store: WorkflowRuleStore) -> None:
    result = update(store, WEB_LEADS, lock={"status": True})
    expect_item_error(
        result,
        "DEPENDENT_FIELD_MISSING",
        "A dependent field is missing",
        f"{ROOT}.lock.message",
        dependee={"api_name": "status", "json_path": f"{ROOT}.lock.status"},
    )
    expect_item_error(update(store, WEB_LEADS, lock={}), "MANDATORY_NOT_FOUND", "Required field is missing")


def test_lock_and_unlock(store: WorkflowRuleStore) -> None:
    assert update(store, WEB_LEADS, lock={"status": True, "message": "Quarter close"})[0] == 200
    rule = get(store, WEB_LEADS)
    assert rule["lock"] == {"status": True, "locked_by": API_USER, "message": "Quarter close"}
    assert rule["deletable"] is False
    assert update(store, WEB_LEADS, lock={"status": False})[0] == 200
    rule = get(store, WEB_LEADS)
    assert rule["lock"] == {"status": False, "locked_by": None, "message": None}
    assert rule["deletable"] is True


def test_locked_rules_stay_updatable_through_the_api(store: WorkflowRuleStore) -> None:
    assert update(store, CONVERT_LEADS, description="Audit finished")[0] == 200
    assert get(store, CONVERT_LEADS)["lock"]["locked_by"] == OTHER_USER


# --- delete -------------------------------------------------------------------------------------------


def test_delete_one_closes_the_gap(store: WorkflowRuleStore) -> None:
    before = order(store)
    assert store.delete_rule(TRADE_SHOW) == (200, {"workflow_rules": [success(TRADE_SHOW, "workflow deleted")]})
    assert order(store) == [rule_id for rule_id in before if rule_id != TRADE_SHOW]
    leads = [rule for rule in store.snapshot()["workflow_rules"] if rule["module"]["api_name"] == "Leads"]
    assert [rule["module_specific_sequence"] for rule in leads] == list(range(1, len(before)))
    with pytest.raises(ZohoError):
        store.get_rule(TRADE_SHOW)


def test_delete_one_unknown_or_locked(store: WorkflowRuleStore) -> None:
    with pytest.raises(ZohoError) as excinfo:
        store.delete_rule(UNKNOWN)
    assert whole_error(excinfo) == (400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": 3})
    with pytest.raises(ZohoError) as excinfo:
        store.delete_rule(CONVERT_LEADS)
    locked = "Sorry, you cannot perform this operation as the record is locked."
    assert whole_error(excinfo) == (400, "NOT_ALLOWED", locked, {"resource_path_index": 3})
    assert get(store, CONVERT_LEADS)


def test_delete_many(store: WorkflowRuleStore) -> None:
    status, body = store.delete_rules({"ids": f"{TRADE_SHOW}, {WELCOME}"})
    deleted = "WorkFlow Rule deleted successfully"
    assert (status, body) == (200, {"workflow_rules": [success(TRADE_SHOW, deleted), success(WELCOME, deleted)]})
    status, body = store.delete_rules({"ids": f"{WEB_LEADS},{UNKNOWN},{CONVERT_LEADS}"})
    assert status == 207
    assert body == {
        "workflow_rules": [
            success(WEB_LEADS, deleted),
            {
                "code": "INVALID_DATA",
                "details": {"id": UNKNOWN},
                "message": "the id given seems to be invalid",
                "status": "error",
            },
            {
                "code": "NOT_ALLOWED",
                "details": {"id": CONVERT_LEADS},
                "message": "Sorry, you cannot perform this operation as the record is locked.",
                "status": "error",
            },
        ]
    }
    status, body = store.delete_rules({"ids": f"{UNKNOWN},{TRADE_SHOW}"})
    assert status == 400
    assert body is not None
    assert [item["code"] for item in body["workflow_rules"]] == ["INVALID_DATA", "INVALID_DATA"]


def test_delete_many_checks_the_module(store: WorkflowRuleStore) -> None:
    status, body = store.delete_rules({"ids": f"{WELCOME},{WON_DEAL}", "module": "Deals"})
    assert status == 207
    assert body is not None
    assert [item["code"] for item in body["workflow_rules"]] == ["INVALID_DATA", "SUCCESS"]
    with pytest.raises(ZohoError) as excinfo:
        store.delete_rules({"ids": WELCOME, "module": "Nope"})
    assert excinfo.value.code == "INVALID_MODULE"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"param_name": "ids"})),
        ({"ids": " , "}, ("REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"param_name": "ids"})),
        (
            {"ids": ",".join(str(4876876000099999900 + n) for n in range(11))},
            ("INVALID_DATA", "Ids maximum length exceeded", {"maximum_length": 10, "param_name": "ids"}),
        ),
    ],
)
def test_delete_many_param_errors(
    store: WorkflowRuleStore, params: dict[str, str], expected: tuple[str, str, dict[str, Any]]
) -> None:
    with pytest.raises(ZohoError) as excinfo:
        store.delete_rules(params)
    assert whole_error(excinfo) == (400, *expected)


def test_delete_many_accepts_ten(store: WorkflowRuleStore) -> None:
    ids = [rule["id"] for rule in listed(store) if not rule["lock"]["status"]][:10]
    assert store.delete_rules({"ids": ",".join(ids)})[0] == 200


# --- reorder ------------------------------------------------------------------------------------------


def reorder_body(*moves: tuple[str, Any]) -> dict[str, Any]:
    return {"reorder": {"workflow_rules": [{"id": rule_id, "module_specific_sequence": pos} for rule_id, pos in moves]}}


def test_reorder_sample(store: WorkflowRuleStore) -> None:
    before = order(store)
    result = store.reorder({"module": "Leads"}, reorder_body((COLD_LEADS, 1), (TRADE_SHOW, 7)))
    message = "rules reordered successfully"
    assert result == (200, {"reorder": [success(TRADE_SHOW, message), success(COLD_LEADS, message)]})
    others = [rule_id for rule_id in before if rule_id not in (COLD_LEADS, TRADE_SHOW)]
    assert order(store) == [COLD_LEADS, *others[:5], TRADE_SHOW, *others[5:]]


def test_reorder_already_in_order_answers_an_empty_array(store: WorkflowRuleStore) -> None:
    current = order(store)
    assert store.reorder({"module": "Leads"}, reorder_body((current[0], 1), (current[3], 4))) == (200, {"reorder": []})
    assert order(store) == current


def test_reorder_answers_only_for_listed_rules_that_moved(store: WorkflowRuleStore) -> None:
    first, second, third = order(store)[:3]
    status, body = store.reorder({"module": "Leads"}, reorder_body((first, 1), (third, 2)))
    assert status == 200
    assert body == {"reorder": [success(third, "rules reordered successfully")]}
    assert order(store)[:3] == [first, third, second]


@pytest.mark.parametrize(
    ("moves", "message", "path"),
    [
        (((COLD_LEADS, 1), (UNKNOWN, 2)), "Invalid process id", "$.reorder.workflow_rules[1].id"),
        (((WELCOME, 1),), "Invalid process id", "$.reorder.workflow_rules[0].id"),
        (((COLD_LEADS, 1), (COLD_LEADS, 2)), "duplicate data", "$.reorder.workflow_rules[1].id"),
        (((COLD_LEADS, 1), (TRADE_SHOW, 1)), "duplicate data", "$.reorder.workflow_rules[1].module_specific_sequence"),
        (
            ((COLD_LEADS, 0),),
            "Invalid sequence number is given",
            "$.reorder.workflow_rules[0].module_specific_sequence",
        ),
        (
            ((COLD_LEADS, 9),),
            "Invalid sequence number is given",
            "$.reorder.workflow_rules[0].module_specific_sequence",
        ),
        (((COLD_LEADS, "1"),), "Invalid data type", "$.reorder.workflow_rules[0].module_specific_sequence"),
    ],
)
def test_reorder_is_all_or_nothing(
    store: WorkflowRuleStore, moves: tuple[tuple[str, Any], ...], message: str, path: str
) -> None:
    before = order(store)
    item = item_error(store.reorder({"module": "Leads"}, reorder_body(*moves)), key="reorder")
    assert (item["code"], item["message"], item["details"]["json_path"]) == ("INVALID_DATA", message, path)
    assert order(store) == before


def test_reorder_takes_at_most_ten_rules(clock: FakeClock) -> None:
    """Zoho's cap: more than 10 items fail the whole request with maximum_length, wrapped under "reorder"."""
    store = WorkflowRuleStore(seed_modules(), clock=clock)
    for n in range(4):
        create(store, name=f"Extra {n}", conditions=[new_condition(1, leaf("Lead_Source", f"S{n}"))])
    before = order(store)
    assert len(before) == 12
    ten = [(rule_id, position) for position, rule_id in enumerate(reversed(before[:10]), start=1)]
    assert store.reorder({"module": "Leads"}, reorder_body(*ten))[0] == 200
    now = order(store)
    eleven = [(rule_id, position) for position, rule_id in enumerate(reversed(now[:11]), start=1)]
    status, body = store.reorder({"module": "Leads"}, reorder_body(*eleven))
    assert (status, body) == (
        400,
        {
            "reorder": [
                {
                    "code": "INVALID_DATA",
                    "details": {
                        "api_name": "workflow_rules",
                        "json_path": "$.reorder.workflow_rules",
                        "maximum_length": 10,
                    },
                    "message": "Invalid data",
                    "status": "error",
                }
            ]
        },
    )
    assert order(store) == now


def test_reorder_accepts_the_last_position(store: WorkflowRuleStore) -> None:
    assert store.reorder({"module": "Leads"}, reorder_body((WEB_LEADS, 8)))[0] == 200
    assert order(store)[-1] == WEB_LEADS


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (400, "REQUIRED_PARAM_MISSING", "required param not found", {"param_name": "module"})),
        ({"module": ""}, (400, "REQUIRED_PARAM_MISSING", "required param not found", {"param_name": "module"})),
        ({"module": "Nope"}, (400, "INVALID_MODULE", "Invalid Module", {"param_name": "module"})),
    ],
)
def test_reorder_module_param(store: WorkflowRuleStore, params: dict[str, str], expected: tuple[Any, ...]) -> None:
    with pytest.raises(ZohoError) as excinfo:
        store.reorder(params, reorder_body((COLD_LEADS, 1)))
    assert whole_error(excinfo) == expected


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"workflow_rules": [{"id": COLD_LEADS, "module_specific_sequence": 1}]}, "MANDATORY_NOT_FOUND", "$.reorder"),
        ({"reorder": {}}, "MANDATORY_NOT_FOUND", "$.reorder.workflow_rules"),
        ({"reorder": {"workflow_rules": []}}, "MANDATORY_NOT_FOUND", "$.reorder.workflow_rules"),
        ({"reorder": {"workflow_rules": {}}}, "INVALID_DATA", "$.reorder.workflow_rules"),
        ({"reorder": []}, "INVALID_DATA", "$.reorder"),
        (
            {"reorder": {"workflow_rules": [{"id": COLD_LEADS}]}},
            "MANDATORY_NOT_FOUND",
            "$.reorder.workflow_rules[0].module_specific_sequence",
        ),
        (
            {"reorder": {"workflow_rules": [{"module_specific_sequence": 1}]}},
            "MANDATORY_NOT_FOUND",
            "$.reorder.workflow_rules[0].id",
        ),
    ],
)
def test_reorder_body_shape(store: WorkflowRuleStore, body: Any, code: str, path: str) -> None:
    item = item_error(store.reorder({"module": "Leads"}, body), key="reorder")
    assert (item["code"], item["details"]["json_path"]) == (code, path)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), module=st.sampled_from(["Leads", "Contacts", "Deals", "Projects", "Vendors"]))
def test_any_valid_reorder_is_a_permutation_with_listed_rules_in_place(data: st.DataObject, module: str) -> None:
    store = WorkflowRuleStore(seed_modules(), clock=FakeClock())
    before = order(store, module)
    chosen = data.draw(st.lists(st.sampled_from(before), unique=True, min_size=1))
    positions = data.draw(st.permutations(range(1, len(before) + 1)))[: len(chosen)]
    status, body = store.reorder({"module": module}, reorder_body(*zip(chosen, positions, strict=True)))
    after = order(store, module)
    assert status == 200
    assert body is not None
    assert sorted(after) == sorted(before)
    assert all(after[position - 1] == rule_id for rule_id, position in zip(chosen, positions, strict=True))
    unlisted = [rule_id for rule_id in before if rule_id not in chosen]
    assert [rule_id for rule_id in after if rule_id not in chosen] == unlisted
    moved = {
        rule_id for rule_id, position in zip(chosen, positions, strict=True) if before.index(rule_id) != position - 1
    }
    assert {item["details"]["id"] for item in body["reorder"]} == moved


# --- control helpers ------------------------------------------------------------------------------------


def test_set_status_flips_without_limits(store: WorkflowRuleStore, clock: FakeClock) -> None:
    clock.now = START + 5
    store.set_status(COLD_LEADS, active=True)
    rule = get(store, COLD_LEADS)
    assert rule["status"] == {"active": True}
    assert (rule["modified_time"], rule["modified_by"]) == (iso(START + 5), OTHER_USER)


def test_edit_rule_simulates_another_user(store: WorkflowRuleStore, clock: FakeClock) -> None:
    clock.now = START + 7
    store.edit_rule(WEB_LEADS, name="Renamed in the UI", lock={"status": True, "locked_by": OTHER_USER, "message": "m"})
    rule = get(store, WEB_LEADS)
    assert (rule["name"], rule["modified_time"], rule["modified_by"]) == (
        "Renamed in the UI",
        iso(START + 7),
        OTHER_USER,
    )
    assert rule["deletable"] is False
    with pytest.raises(ZohoError):
        store.edit_rule(WEB_LEADS, id="1")


@pytest.mark.parametrize("call", [lambda s: s.set_status(UNKNOWN, True), lambda s: s.edit_rule(UNKNOWN, name="x")])
def test_control_helpers_need_an_existing_rule(store: WorkflowRuleStore, call: Any) -> None:
    with pytest.raises(ZohoError) as excinfo:
        call(store)
    assert excinfo.value.status == 404


def test_snapshot_is_json_with_positions(store: WorkflowRuleStore) -> None:
    snapshot = json.loads(json.dumps(store.snapshot()))
    assert snapshot["order"]["Leads"] == order(store)
    first = snapshot["workflow_rules"][0]
    assert (first["id"], first["module_specific_sequence"]) == (WEB_LEADS, 1)
    assert first["scheduled_action_records"] == {"pending": 0, "deleted": 0}

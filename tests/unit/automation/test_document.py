"""The snapshot document: built from Zoho's list answers, checked before pause or restore trusts it."""

from __future__ import annotations

import copy
import json

import pytest

from airflow_provider_zohocrm.automation.document import check_document, rules_of, workflows_of
from airflow_provider_zohocrm.automation.tables import snapshot_table
from airflow_provider_zohocrm.exceptions import ZohoCRMServerError, ZohoCRMValidationError

from .model import T0, TAKEN_AT, doc, rule, workflow

SAMPLE = doc({"Leads": [rule("11"), rule("22", active=False)], "Contacts": []}, [workflow("91", "draft")])


def test_build_records_status_position_and_times_in_execution_order() -> None:
    assert SAMPLE == {
        "version": 1,
        "taken_at": TAKEN_AT,
        "modules": {
            "Leads": {
                "workflow_rules": [
                    {"id": "11", "name": "Rule 11", "active": True, "position": 1, "modified_time": T0},
                    {"id": "22", "name": "Rule 22", "active": False, "position": 2, "modified_time": T0},
                ]
            },
            "Contacts": {"workflow_rules": []},
        },
        "connected_workflows": [
            {"id": "91", "name": "Workflow 91", "status": "draft", "primary_module": "Leads", "modified_time": T0}
        ],
    }
    assert json.loads(json.dumps(SAMPLE)) == SAMPLE


def test_connected_workflows_not_recorded_are_null_not_empty() -> None:
    document = doc({"Leads": []})
    assert document["connected_workflows"] is None
    assert workflows_of(document) == []
    assert check_document(document) is document


def test_rules_of_an_unknown_module_is_empty() -> None:
    assert rules_of(SAMPLE, "Deals") == []
    assert [r["id"] for r in rules_of(SAMPLE, "Leads")] == ["11", "22"]


def _broken(**changes: object) -> dict:
    document = copy.deepcopy(SAMPLE)
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ("not a dict", "must be a JSON object"),
        (_broken(version=2), "snapshot.version must be 1"),
        (_broken(taken_at=None), "snapshot.taken_at"),
        (_broken(modules=[]), "snapshot.modules must be an object"),
        (_broken(modules={"Le ads": {"workflow_rules": []}}), "module API name"),
        (_broken(modules={"Leads": {}}), "snapshot.modules.Leads.workflow_rules must be a list"),
        (_broken(modules={"Leads": {"workflow_rules": [{"id": "x", "active": True, "position": 1}]}}), "Zoho id"),
        (_broken(modules={"Leads": {"workflow_rules": [{"id": "1", "active": "yes", "position": 1}]}}), "active"),
        (_broken(modules={"Leads": {"workflow_rules": [{"id": "1", "active": True, "position": 2}]}}), "position"),
        (_broken(connected_workflows={}), "connected_workflows must be a list or null"),
        (_broken(connected_workflows=[{"id": "9", "status": "on"}]), "status must be one of"),
    ],
)
def test_a_broken_document_is_refused_naming_the_path(document: object, problem: str) -> None:
    with pytest.raises(ZohoCRMValidationError, match="not a version-1 automation snapshot") as info:
        check_document(document)
    assert any(problem in p for p in info.value.details["problems"]), info.value.details["problems"]


# Listed as Zoho's list example shows rules: nulls, extra keys, no position key (list order is execution order).
ZOHO_LISTED = [
    {
        "id": "4876876000006526160",
        "name": "GetFieldUpdate",
        "description": None,
        "module": {"api_name": "Leads", "id": "4876876000000000125"},
        "execute_when": {"type": "create", "details": {"trigger_module": {"api_name": "Leads", "id": "1"}}},
        "status": {"active": True},
        "created_time": "2025-12-03T01:30:24-08:00",
        "modified_time": "2025-12-03T01:30:24-08:00",
        "created_by": {"name": "A User", "id": "2"},
        "modified_by": {"name": "A User", "id": "2"},
        "last_executed_time": None,
        "editable": True,
        "deletable": True,
        "source": "crm",
        "lock": {"locked_by": None, "message": None, "status": False},
        "a_key_zoho_added_later": [None],
    },
    {"id": "4876876000006526223", "name": None, "status": None, "modified_time": None},
    {"id": "4876876000006526224", "status": {"active": "yes"}},
]


def test_zohos_list_shape_with_nulls_and_extra_keys_builds_a_document() -> None:
    workflows = [{"id": "4876876000019209007", "name": None, "status": None, "primary_module": None}]
    document = doc({"Leads": ZOHO_LISTED}, workflows)
    assert [(r["id"], r["name"], r["active"], r["position"]) for r in rules_of(document, "Leads")] == [
        ("4876876000006526160", "GetFieldUpdate", True, 1),
        ("4876876000006526223", None, False, 2),
        ("4876876000006526224", None, False, 3),
    ]
    table = snapshot_table(document)
    assert "GetFieldUpdate" in table
    assert "None" not in table
    assert json.loads(json.dumps(document)) == document


@pytest.mark.parametrize("listed", [{"name": "no id"}, {"id": None}, {"id": "12a"}, {"id": ["1"]}])
def test_a_listed_rule_without_a_usable_id_is_a_server_error(listed: dict) -> None:
    with pytest.raises(ZohoCRMServerError, match="without a usable id"):
        doc({"Leads": [listed]})
    with pytest.raises(ZohoCRMServerError, match="without a usable id"):
        doc({"Leads": []}, [listed])

"""The emulator answers connected-workflow and cadence calls in Zoho's shapes (tests/schemas/*.json).

Each schema is first checked against a body Zoho publishes for that answer (so it is not stricter
than Zoho), and against a wrong shape (so it can fail); then the emulator's answers must match it.
"""

from __future__ import annotations

from typing import Any

import pytest
from emulator_client import Api
from schemas.check import assert_matches

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

CONNECTED = "settings/connected_workflows"
CADENCES = "settings/automation/cadences"
UNENROL = "Contacts/actions/unenrol_from_cadences"
MANUAL = "554023000004092008"  # CadenceTest1, Contacts
ENROLLED = "554023000001798647"
LEADS_WORKFLOW = "4876876000019209007"  # active
ACCOUNTS_WORKFLOW = "4876876000019209021"  # inactive

# Bodies from Zoho's pages and definitions (zoho/crm-oas v8.0 examples), trimmed to what they show.
ZOHO_CREATE = {
    "connected_workflows": [
        {
            "code": "SUCCESS",
            "details": {"id": "4876876000019340001"},
            "message": "connected workflow created successfully",
            "status": "success",
        }
    ]
}
ZOHO_DEACTIVATE = {
    "connected_workflows": [
        {
            "code": "SUCCESS",
            "details": {"id": "4876876000019209007"},
            "message": "connected workflow deactivated successfully",
            "status": "success",
        }
    ]
}
ZOHO_CADENCES = {
    "cadences": [
        {
            "summary": {"task_follow_up_count": 2, "call_follow_up_count": 1, "email_follow_up_count": 3},
            "description": "Cadence for leads",
            "created_time": "2025-10-30T08:46:14+00:00",
            "module": {"api_name": "Leads", "id": "111111000000002648"},
            "active": True,
            "execution_details": {
                "unenroll_properties": {"end_date": "2025-12-31", "type": "date"},
                "end_date": "2025-12-31",
                "automatic_unenroll": False,
                "type": "automatic_unenroll",
                "execute_every": {"unit": 1, "period": "days"},
            },
            "published": True,
            "type": "Custom view",
            "created_by": {"name": "Nish test", "id": "111111000000057812"},
            "modified_time": "2025-01-01T16:43:11+05:30",
            "name": "Onboard Leads",
            "modified_by": {"name": "Nish test", "id": "111111000000057812"},
            "id": "2001",
            "custom_view": {"name": "All Contacts", "id": "111111000000051423"},
            "status": "active",
        }
    ],
    "info": {"per_page": 20, "count": 1, "page": 1, "more_records": False},
}
ZOHO_UNENROL_SUCCESS = {
    "code": "SUCCESS",
    "details": {"id": "534412000002201155", "cadences": [{"name": "Cadence 1", "id": "1234567890456789"}]},
    "message": "records manually unenrolled",
    "status": "success",
}
ZOHO_UNENROL_INVALID = {
    "code": "INVALID_DATA",
    "details": {"api_name": "ids", "json_path": "$.ids[1]"},
    "message": "given id seems to be invalid",
    "status": "error",
}
ZOHO_LIMIT = {
    "code": "LIMIT_EXCEEDED",
    "details": {"limit": 5, "limit_due_to": [{"api_name": "cadences_ids", "json_path": "$.cadences_ids"}]},
    "message": "Limit Exceeded, You cannot give more than 5 cadences ids",
    "status": "error",
}


@pytest.mark.parametrize(
    ("name", "zoho_body"),
    [
        ("connected_workflow_create", ZOHO_CREATE),
        ("connected_workflow_action", ZOHO_DEACTIVATE),
        ("cadences_list", ZOHO_CADENCES),
        ("unenroll", {"data": [ZOHO_UNENROL_SUCCESS]}),  # 200
        ("unenroll", {"data": [ZOHO_UNENROL_SUCCESS, ZOHO_UNENROL_INVALID]}),  # 207
        ("unenroll", {"data": [ZOHO_UNENROL_INVALID, {**ZOHO_UNENROL_INVALID, "details": {"api_name": "ids"}}]}),
        ("unenroll", ZOHO_LIMIT),  # 400, one error object
    ],
)
def test_each_schema_accepts_the_body_zoho_publishes(name: str, zoho_body: dict[str, Any]) -> None:
    assert_matches(name, zoho_body)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("cadences_list", {**ZOHO_CADENCES, "cadences": [{**ZOHO_CADENCES["cadences"][0], "type": "custom_view"}]}),
        ("cadences_list", {"cadences": ZOHO_CADENCES["cadences"]}),  # no info
        ("connected_workflows_list", {"connected_workflows": [{"id": "1", "name": "x", "status": "paused"}]}),
        ("connected_workflow", {"connected_workflows": {"id": "1"}}),
        ("connected_workflow_create", {"connected_workflows": [ZOHO_UNENROL_INVALID]}),
        ("connected_workflow_action", {"data": ZOHO_DEACTIVATE["connected_workflows"]}),
        ("unenroll", {"data": [{**ZOHO_UNENROL_SUCCESS, "status": "ok"}]}),
        ("unenroll", {"data": []}),
    ],
)
def test_each_schema_rejects_another_shape(name: str, wrong: dict[str, Any]) -> None:
    with pytest.raises(AssertionError, match=name):
        assert_matches(name, wrong)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_connected_workflow_answers_match_zohos_shapes(api: Api) -> None:
    listed = ok(api.get(CONNECTED))
    assert_matches("connected_workflows_list", listed)
    assert any(w["description"] is None for w in listed["connected_workflows"])  # Zoho's null, kept
    assert_matches("connected_workflow", ok(api.get(f"{CONNECTED}/{LEADS_WORKFLOW}")))
    created = ok(
        api.post(CONNECTED, json={"connected_workflows": [{"name": "cp", "primary_module": {"api_name": "Contacts"}}]}),
        201,
    )
    assert_matches("connected_workflow_create", created)
    new_id = created["connected_workflows"][0]["details"]["id"]
    assert_matches("connected_workflow", ok(api.get(f"{CONNECTED}/{new_id}")))
    for path in (
        f"{new_id}/actions/activate",
        f"{LEADS_WORKFLOW}/actions/deactivate",
        f"{ACCOUNTS_WORKFLOW}/actions/activate",
    ):
        assert_matches("connected_workflow_action", ok(api.put(f"{CONNECTED}/{path}")))


def test_a_repeated_action_can_be_answered_already_in_that_state(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.state.connected_workflows.answer_already_in_state(True)
    for action, workflow, code in [
        ("activate", LEADS_WORKFLOW, "ALREADY_ACTIVATED"),
        ("deactivate", ACCOUNTS_WORKFLOW, "ALREADY_DEACTIVATED"),
    ]:
        response = api.put(f"{CONNECTED}/{workflow}/actions/{action}")
        assert response.status_code == 400
        assert_matches("error", response.json())
        assert response.json()["code"] == code
    assert_matches("connected_workflow_action", ok(api.put(f"{CONNECTED}/{LEADS_WORKFLOW}/actions/deactivate")))


def test_cadence_answers_match_zohos_shapes(api: Api) -> None:
    listed = ok(api.get(CADENCES))
    assert_matches("cadences_list", listed)
    assert {c["type"] for c in listed["cadences"]} == {"Manual enrollment", "Custom view"}
    assert_matches("cadences_list", ok(api.get(CADENCES, params={"module": "Contacts", "per_page": 1})))
    assert_matches("unenroll", ok(api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": [ENROLLED]})))
    mixed = ok(api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": [ENROLLED, "999000000000000001"]}), 207)
    assert_matches("unenroll", mixed)
    for body in (
        {"cadences_ids": [MANUAL], "ids": ["999000000000000001", "999000000000000002"]},  # {"data": [error, ...]}
        {"cadences_ids": [MANUAL] * 6, "ids": [ENROLLED]},  # LIMIT_EXCEEDED
        {"cadences_ids": [MANUAL]},  # MANDATORY_NOT_FOUND
        {"cadences_ids": ["554023000004092009"], "ids": [ENROLLED]},  # NOT_ALLOWED
    ):
        assert_matches("unenroll", ok(api.post(UNENROL, json=body), 400))

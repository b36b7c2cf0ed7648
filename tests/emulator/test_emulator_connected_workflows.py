"""Connected workflows against pages 000 (deactivate) and 001 (create)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_client import TIMEOUT, Api, error_of, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

BASE = "settings/connected_workflows"
SAMPLE_CREATE = {
    "connected_workflows": [
        {
            "name": "contacts-process",
            "description": "contacts connected workflow sample",
            "primary_module": {"api_name": "Contacts", "id": "4876876000000002179"},
        }
    ]
}
LEADS_ACTIVE = "4876876000019209007"  # seeded; the id of page 000's sample response
ACCOUNTS_INACTIVE = "4876876000019209021"
VENDORS_DRAFT = "4876876000019209035"


def _create(api: Api, **fields: Any) -> requests.Response:
    item = {"name": "deals-process", "primary_module": {"api_name": "Deals"}, **fields}
    return api.post(BASE, json={"connected_workflows": [item]})


def test_page_001_sample_creates_a_draft(api: Api) -> None:
    response = api.post(BASE, json=SAMPLE_CREATE)
    assert response.status_code == 201
    assert response.json() == {
        "connected_workflows": [
            {
                "code": "SUCCESS",
                "details": {"id": "4876876000019340001"},
                "message": "connected workflow created successfully",
                "status": "success",
            }
        ]
    }
    [created] = api.get(f"{BASE}/4876876000019340001").json()["connected_workflows"]
    assert created["status"] == "draft"
    assert created["primary_module"] == {"api_name": "Contacts", "id": "4876876000000002179"}
    assert created["involved_modules"] == [created["primary_module"]]


def test_list_has_every_status_and_documented_fields(api: Api) -> None:
    response = api.get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert {w["status"] for w in body["connected_workflows"]} == {"draft", "active", "inactive"}
    assert body["info"] == {"per_page": 200, "count": 3, "page": 1, "more_records": False}
    fields = {
        "id", "name", "description", "status", "sequence_number", "created_time", "created_by",
        "modified_time", "modified_by", "primary_module", "involved_modules",
    }  # fmt: skip
    assert all(set(w) == fields for w in body["connected_workflows"])


def test_empty_list_is_204() -> None:
    with ZohoCRMEmulator(seed=False) as emulator:
        api = Api(emulator, fetch_token(emulator)["access_token"])
        response = api.get(BASE)
        assert response.status_code == 204
        assert response.content == b""


def test_page_000_deactivate_sample_and_activate(api: Api) -> None:
    response = api.put(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate")
    assert response.status_code == 200
    assert response.json() == {
        "connected_workflows": [
            {
                "code": "SUCCESS",
                "details": {"id": "4876876000019209007"},
                "message": "connected workflow deactivated successfully",
                "status": "success",
            }
        ]
    }
    assert api.get(f"{BASE}/{LEADS_ACTIVE}").json()["connected_workflows"][0]["status"] == "inactive"
    activated = api.put(f"{BASE}/{LEADS_ACTIVE}/actions/activate").json()["connected_workflows"][0]
    assert activated["message"] == "connected workflow activated successfully"
    assert api.get(f"{BASE}/{LEADS_ACTIVE}").json()["connected_workflows"][0]["status"] == "active"


def test_same_state_transitions_are_idempotent(api: Api) -> None:
    assert api.put(f"{BASE}/{LEADS_ACTIVE}/actions/activate").status_code == 200
    assert api.put(f"{BASE}/{ACCOUNTS_INACTIVE}/actions/deactivate").status_code == 200
    assert api.put(f"{BASE}/{VENDORS_DRAFT}/actions/activate").status_code == 200


def test_repeats_can_be_answered_already_in_that_state_as_zohos_cadence_actions_are(
    emulator: ZohoCRMEmulator, api: Api
) -> None:
    emulator.state.connected_workflows.answer_already_in_state(True)
    before = emulator.snapshot()["connected_workflows"]
    assert error_of(api.put(f"{BASE}/{LEADS_ACTIVE}/actions/activate")) == (
        400,
        "ALREADY_ACTIVATED",
        {"resource_path_index": 2},
        "The connected workflow is already activated",
    )
    assert error_of(api.put(f"{BASE}/{ACCOUNTS_INACTIVE}/actions/deactivate"))[:3] == (400, "ALREADY_DEACTIVATED", {})
    assert emulator.snapshot()["connected_workflows"] == before  # nothing changed, not even modified_time
    assert api.put(f"{BASE}/{VENDORS_DRAFT}/actions/activate").status_code == 200  # a real change still succeeds
    emulator.reset()
    assert emulator.state.connected_workflows.already_in_state_errors is False  # a reset restores the default


def test_deactivating_a_draft_is_invalid(api: Api) -> None:
    status, code, details, _ = error_of(api.put(f"{BASE}/{VENDORS_DRAFT}/actions/deactivate"))
    assert (status, code, details) == (400, "INVALID_DATA", {"status": "draft"})


@pytest.mark.parametrize("bad_id", ["72638273648927364", "not-a-number"])
def test_invalid_id(api: Api, bad_id: str) -> None:
    for response in (api.put(f"{BASE}/{bad_id}/actions/deactivate"), api.get(f"{BASE}/{bad_id}")):
        assert error_of(response) == (
            400,
            "INVALID_DATA",
            {"resource_path_index": 2},
            "The given ID seems to be invalid",
        )


def test_feature_not_supported_on_free_edition(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_config(edition="free")
    expected = (400, "FEATURE_NOT_SUPPORTED", {}, "Your edition doesn't support this feature")
    assert error_of(api.post(BASE, json=SAMPLE_CREATE)) == expected
    assert error_of(api.put(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate")) == expected
    emulator.set_config(edition="standard")
    assert api.get(BASE).status_code == 200


def test_invalid_request_method(api: Api) -> None:
    for response in (api.delete(BASE), api.get(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate")):
        assert error_of(response) == (
            400,
            "INVALID_REQUEST_METHOD",
            {},
            "The http request method type is not a valid one",
        )


def test_duplicate_name(api: Api) -> None:
    status, code, details, _ = error_of(_create(api, name="lead qualification PROCESS"))
    assert (status, code) == (400, "DUPLICATE_DATA")
    assert details == {"api_name": "name", "json_path": "$.connected_workflows[0].name"}


def test_mandatory_name(api: Api) -> None:
    response = api.post(BASE, json={"connected_workflows": [{"primary_module": {"api_name": "Deals"}}]})
    assert error_of(response) == (
        400,
        "MANDATORY_NOT_FOUND",
        {"api_name": "name", "json_path": "$.connected_workflows[0].name"},
        "Required field not found",
    )


@pytest.mark.parametrize(
    ("fields", "message", "json_path"),
    [
        ({"primary_module": {"api_name": "Nope"}}, "The module is invalid", "primary_module.api_name"),
        ({"primary_module": {"id": "1"}}, "The module is invalid", "primary_module.id"),
        ({"name": "x" * 51}, "Name field exceeds maximum length of 50 characters", "name"),
        ({"name": "bad#name"}, "The value of the name field does not match the allowed regex pattern", "name"),
        ({"description": "d" * 501}, "Description field exceeds maximum length of 500 characters", "description"),
    ],
)
def test_invalid_data(api: Api, fields: dict[str, Any], message: str, json_path: str) -> None:
    status, code, details, got_message = error_of(_create(api, **fields))
    assert (status, code, got_message) == (400, "INVALID_DATA", message)
    assert details["json_path"] == f"$.connected_workflows[0].{json_path}"


def test_name_pattern_allows_symbols_unicode_and_spaces(api: Api) -> None:
    assert _create(api, name="Deals: no").status_code == 400
    assert _create(api, name="Déals process_1 -.|$?,'/!\\ ünïcødé").status_code == 201


def test_ambiguous_primary_module(api: Api) -> None:
    response = _create(api, primary_module={"api_name": "Deals", "id": "4876876000000002179"})
    status, code, details, message = error_of(response)
    assert (status, code, message) == (400, "AMBIGUITY_DURING_PROCESSING", "Ambiguity while processing the request")
    assert [d["json_path"] for d in details["ambiguity_due_to"]] == [
        "$.connected_workflows[0].primary_module.api_name",
        "$.connected_workflows[0].primary_module.id",
    ]


def test_expected_field_missing(api: Api) -> None:
    status, code, _, message = error_of(_create(api, primary_module={}))
    assert (status, code, message) == (400, "EXPECTED_FIELD_MISSING", "Expected field missing")


def test_one_workflow_per_primary_module(api: Api) -> None:
    status, code, details, _ = error_of(_create(api, primary_module={"api_name": "Leads"}))
    assert (status, code, details["limit"]) == (400, "LIMIT_EXCEEDED", 1)
    assert _create(api, name="projects", primary_module={"id": "4876876000009901001"}).status_code == 201


def test_scope_mismatch(emulator: ZohoCRMEmulator, make_api: Any) -> None:
    emulator.set_config(scopes=["ZohoCRM.settings.connected_workflows.READ"])
    api = make_api()
    assert api.get(BASE).status_code == 200
    assert error_of(api.post(BASE, json=SAMPLE_CREATE))[:2] == (401, "OAUTH_SCOPE_MISMATCH")
    assert error_of(api.put(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate"))[:2] == (401, "OAUTH_SCOPE_MISMATCH")


def test_no_permission(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_config(revoked_permissions=["connected_workflows"])
    assert error_of(api.put(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate")) == (
        403,
        "NO_PERMISSION",
        {"permissions": ["Crm_Implied_Manage_Connected_Workflow"]},
        "permission denied",
    )
    assert api.get("settings/automation/cadences").status_code == 200


def test_invalid_url_pattern_and_v7(api: Api) -> None:
    expected = (404, "INVALID_URL_PATTERN", {}, "Please check if the URL trying to access is a correct one")
    assert error_of(api.put(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate_now")) == expected
    assert error_of(api.put(f"/crm/v7/{BASE}/{LEADS_ACTIVE}/actions/deactivate")) == expected


def test_internal_error_via_fault(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(method="PUT", path=f"/crm/v8/{BASE}/", status=500)
    assert error_of(api.put(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate")) == (
        500,
        "INTERNAL_ERROR",
        {},
        "Internal Server Error",
    )
    assert api.put(f"{BASE}/{LEADS_ACTIVE}/actions/deactivate").status_code == 200


def test_control_api_flips_status(emulator: ZohoCRMEmulator, api: Api) -> None:
    url = f"{emulator.url}/__emulator__/connected_workflows/{VENDORS_DRAFT}/status"
    assert requests.post(url, json={"status": "active"}, timeout=TIMEOUT).json()["status"] == "active"
    assert api.get(f"{BASE}/{VENDORS_DRAFT}").json()["connected_workflows"][0]["status"] == "active"
    assert requests.post(url, json={"status": "bogus"}, timeout=TIMEOUT).status_code == 400

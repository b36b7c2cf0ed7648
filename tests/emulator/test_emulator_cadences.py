"""Cadences: the list and manual enrol/unenrol, against page 004 and the OAS error catalogue."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_client import TIMEOUT, Api, error_of, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

UNENROL = "Contacts/actions/unenrol_from_cadences"
ENROL = "Contacts/actions/enrol_in_cadences"
MANUAL = "554023000004092008"  # CadenceTest1, Contacts, manual enrollment (page 004's sample)
AUTOMATIC = "554023000004092009"  # Contacts, custom view
LEADS_MANUAL = "554023000004092001"
ENROLLED = "554023000001798647"


def test_page_004_sample(emulator: ZohoCRMEmulator, api: Api) -> None:
    assert emulator.state.cadences.is_enrolled(MANUAL, ENROLLED)
    response = api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": [ENROLLED]})
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "code": "SUCCESS",
                "details": {"cadences": [{"name": "CadenceTest1", "id": MANUAL}], "id": ENROLLED},
                "message": "records manually unenrolled",
                "status": "success",
            }
        ]
    }
    assert not emulator.state.cadences.is_enrolled(MANUAL, ENROLLED)
    assert ENROLLED not in emulator.snapshot()["enrollments"][MANUAL]


def test_v7_path_and_body_without_content_type(api: Api) -> None:
    body = b'{"cadences_ids": ["554023000004092008"], "ids": ["554023000001798647"]}'
    response = api.post(f"/crm/v7/{UNENROL}", data=body)
    assert "Content-Type" not in response.request.headers
    assert response.status_code == 200


def test_enrol_then_unenrol(emulator: ZohoCRMEmulator, api: Api) -> None:
    record = "554023000001000001"
    enrolled = api.post(ENROL, json={"cadences_ids": [MANUAL], "ids": [record]})
    assert enrolled.json()["data"][0]["message"] == "records manually enrolled"
    assert emulator.state.cadences.is_enrolled(MANUAL, record)
    api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": [record]})
    assert not emulator.state.cadences.is_enrolled(MANUAL, record)


def test_unenrolling_a_record_not_enrolled_succeeds(api: Api) -> None:
    response = api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": ["554023000001000002"]})
    assert response.status_code == 200


def test_list_cadences(api: Api) -> None:
    body = api.get("settings/automation/cadences").json()
    cadences = body["cadences"]
    assert {c["module"]["api_name"] for c in cadences} == {"Leads", "Contacts", "Deals"}
    # Zoho's list labels the type for display; custom-view cadences name their view, manual ones none.
    assert {c["type"] for c in cadences} == {"Manual enrollment", "Custom view"}
    assert all((c["type"] == "Custom view") == ("custom_view" in c) for c in cadences)
    assert all(c["execution_details"]["type"] is None for c in cadences if c["type"] == "Manual enrollment")
    assert body["info"]["count"] == len(cadences) == 6
    contacts = api.get("settings/automation/cadences", params={"module": "Contacts"}).json()["cadences"]
    assert [c["id"] for c in contacts] == [MANUAL, AUTOMATIC]


def test_a_single_cadence_shows_the_type_key_not_the_label(api: Api) -> None:
    listed = {c["id"]: c for c in api.get("settings/automation/cadences").json()["cadences"]}
    for cadence_id, label, key in [
        (MANUAL, "Manual enrollment", "manual_enrollment"),
        (AUTOMATIC, "Custom view", "custom_view"),
    ]:
        single = api.get(f"settings/automation/cadences/{cadence_id}")
        assert single.status_code == 200
        (cadence,) = single.json()["cadences"]
        assert (listed[cadence_id]["type"], cadence["type"]) == (label, key)
        assert {k: v for k, v in cadence.items() if k != "type"} == {
            k: v for k, v in listed[cadence_id].items() if k != "type"
        }


def test_an_unknown_cadence_id_is_invalid_data(api: Api) -> None:
    status, code, details, _ = error_of(api.get("settings/automation/cadences/554023000004099999"))
    assert (status, code, details) == (400, "INVALID_DATA", {"resource_path_index": 3})


def test_no_cadences_is_204() -> None:
    with ZohoCRMEmulator(seed=False) as emulator:
        response = Api(emulator, fetch_token(emulator)["access_token"]).get("settings/automation/cadences")
        assert (response.status_code, response.content) == (204, b"")


def test_mixed_results_are_207(emulator: ZohoCRMEmulator, api: Api) -> None:
    ids = [ENROLLED, "999000000000000001", "12", "554023000001625028"]
    response = api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": ids})
    assert response.status_code == 207
    data = response.json()["data"]
    assert [item["status"] for item in data] == ["success", "error", "error", "success"]
    assert data[1] == {
        "code": "INVALID_DATA",
        "details": {"api_name": "ids", "json_path": "$.ids[1]"},
        "message": "given id seems to be invalid",
        "status": "error",
    }
    assert emulator.snapshot()["enrollments"][MANUAL] == []


def test_all_records_failing_is_400(api: Api) -> None:
    response = api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": ["999000000000000001"]})
    assert response.status_code == 400
    assert response.json()["data"][0]["code"] == "INVALID_DATA"


@pytest.mark.parametrize(
    ("body", "message", "details"),
    [
        ({"cadences_ids": [MANUAL]}, "Record ids not found", {"api_name": "ids", "json_path": "$.ids"}),
        ({"ids": [ENROLLED]}, "Cadences ids not found", {"api_name": "cadences_ids", "json_path": "$.cadences_ids"}),
        ({"ids": [], "cadences_ids": [MANUAL]}, "Record ids not found", {"api_name": "ids", "json_path": "$.ids"}),
    ],
)
def test_mandatory_not_found(api: Api, body: dict[str, Any], message: str, details: dict[str, str]) -> None:
    assert error_of(api.post(UNENROL, json=body)) == (400, "MANDATORY_NOT_FOUND", details, message)


def test_invalid_data_for_unknown_cadence_and_non_array(api: Api) -> None:
    status, code, details, _ = error_of(api.post(UNENROL, json={"cadences_ids": [MANUAL, "1"], "ids": [ENROLLED]}))
    assert (status, code, details) == (
        400,
        "INVALID_DATA",
        {"api_name": "cadences_ids", "json_path": "$.cadences_ids[1]"},
    )
    other_module = api.post(UNENROL, json={"cadences_ids": [LEADS_MANUAL], "ids": [ENROLLED]})
    assert error_of(other_module)[1] == "INVALID_DATA"
    status, code, details, _ = error_of(api.post(UNENROL, json={"cadences_ids": MANUAL, "ids": [ENROLLED]}))
    assert (status, code, details["expected_data_type"]) == (400, "INVALID_DATA", "jsonarray")


def test_automatic_cadence_is_not_allowed(emulator: ZohoCRMEmulator, api: Api) -> None:
    response = api.post(UNENROL, json={"cadences_ids": [AUTOMATIC], "ids": [ENROLLED]})
    assert error_of(response) == (
        400,
        "NOT_ALLOWED",
        {"api_name": "cadences_id", "json_path": "$.cadences_id[0]"},
        "id given is not manual enrollment cadence",
    )
    assert emulator.state.cadences.is_enrolled(MANUAL, ENROLLED)


def _ids(count: int) -> list[str]:
    return [str(554023000001000000 + n) for n in range(count)]


def test_limit_exceeded_cadences(api: Api) -> None:
    response = api.post(UNENROL, json={"cadences_ids": _ids(6), "ids": [ENROLLED]})
    assert error_of(response) == (
        400,
        "LIMIT_EXCEEDED",
        {"limit": 5, "limit_due_to": [{"api_name": "cadences_ids", "json_path": "$.cadences_ids"}]},
        "Limit Exceeded, You cannot give more than 5 cadences ids",
    )


def test_limit_exceeded_records(api: Api) -> None:
    response = api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": _ids(101)})
    assert error_of(response) == (
        400,
        "LIMIT_EXCEEDED",
        {"limit": 100, "limit_due_to": [{"api_name": "ids", "json_path": "$.ids"}]},
        "Limit Exceeded, You cannot give more than 100 record ids",
    )
    assert api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": _ids(100)}).status_code == 200


def test_limit_exceeded_both(api: Api) -> None:
    status, code, details, _ = error_of(api.post(UNENROL, json={"cadences_ids": _ids(6), "ids": _ids(101)}))
    assert (status, code) == (400, "LIMIT_EXCEEDED")
    assert details["limit_due_to"] == [
        {"api_name": "cadences_ids", "json_path": "$.cadences_ids", "limit": 5},
        {"api_name": "ids", "json_path": "$.ids", "limit": 100},
    ]


@pytest.mark.parametrize("module", ["Accounts", "Nope"])
def test_unsupported_module(api: Api, module: str) -> None:
    response = api.post(f"{module}/actions/unenrol_from_cadences", json={"cadences_ids": [MANUAL], "ids": [ENROLLED]})
    assert error_of(response)[:2] == (400, "INVALID_MODULE")


def test_custom_module_is_supported(api: Api) -> None:
    response = api.post("Projects/actions/unenrol_from_cadences", json={"cadences_ids": [MANUAL], "ids": [ENROLLED]})
    assert error_of(response)[1] == "INVALID_DATA"  # the module is fine; the cadence belongs to Contacts


def test_scope_per_module(emulator: ZohoCRMEmulator, make_api: Any) -> None:
    emulator.set_config(scopes="ZohoCRM.modules.Contacts.CREATE")
    api = make_api()
    body = {"cadences_ids": [MANUAL], "ids": [ENROLLED]}
    assert api.post(UNENROL, json=body).status_code == 200
    assert error_of(api.post("Leads/actions/unenrol_from_cadences", json=body)) == (
        401,
        "OAUTH_SCOPE_MISMATCH",
        {},
        "invalid oauth scope to access this URL",
    )
    assert error_of(api.get("settings/automation/cadences"))[1] == "OAUTH_SCOPE_MISMATCH"


def test_no_permission(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_config(revoked_permissions=["cadences"])
    assert error_of(api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": [ENROLLED]})) == (
        403,
        "NO_PERMISSION",
        {"permissions": ["Crm_Implied_Manage_UnEnroll_Series"]},
        "permission denied",
    )


@pytest.mark.parametrize("edition", ["free", "standard", "professional"])
def test_edition_below_enterprise(emulator: ZohoCRMEmulator, api: Api, edition: str) -> None:
    emulator.set_config(edition=edition)
    assert error_of(api.get("settings/automation/cadences"))[:2] == (400, "FEATURE_NOT_SUPPORTED")
    emulator.set_config(edition="ultimate")
    assert api.get("settings/automation/cadences").status_code == 200


def test_unenrolling_unknown_records_stores_nothing(emulator: ZohoCRMEmulator, api: Api) -> None:
    before = emulator.snapshot()["enrollments"]
    for start in range(0, 2000, 100):
        ids = [str(554023000100000000 + n) for n in range(start, start + 100)]
        assert api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": ids}).status_code == 200
    assert emulator.snapshot()["enrollments"] == before


NEW_CADENCE = "554023000004093001"


def test_add_cadence_through_the_control_api(emulator: ZohoCRMEmulator, api: Api) -> None:
    control = f"{emulator.url}/__emulator__/cadences"
    spec = {"id": NEW_CADENCE, "name": "Added", "module": "Contacts", "manual": True}
    created = requests.post(control, json=spec, timeout=TIMEOUT)
    assert created.status_code == 201
    assert created.json()["cadence"]["type"] == "manual_enrollment"
    listed = {
        c["id"]: c for c in api.get("settings/automation/cadences", params={"module": "Contacts"}).json()["cadences"]
    }
    assert listed[NEW_CADENCE]["name"] == "Added"
    record = "554023000001000003"
    api.post(ENROL, json={"cadences_ids": [NEW_CADENCE], "ids": [record]})
    assert emulator.snapshot()["enrollments"][NEW_CADENCE] == [record]
    assert requests.post(control, json=spec, timeout=TIMEOUT).status_code == 400  # the id exists


def test_add_cadence_in_python_automatic_and_checked(emulator: ZohoCRMEmulator, api: Api) -> None:
    cadence = emulator.add_cadence(NEW_CADENCE, "Auto", "Deals", manual=False)
    assert (cadence["type"], cadence["module"]["api_name"]) == ("custom_view", "Deals")
    assert (
        error_of(
            api.post("Deals/actions/unenrol_from_cadences", json={"cadences_ids": [NEW_CADENCE], "ids": [ENROLLED]})
        )[1]
        == "NOT_ALLOWED"
    )
    for args, problem in [
        (("12", "x", "Contacts"), "15-19 digits"),
        (("554023000004093002", "", "Contacts"), "name"),
        (("554023000004093002", "x", "Accounts"), "module must be one of"),
    ]:
        with pytest.raises(ValueError, match=problem):
            emulator.add_cadence(*args)
    assert emulator.snapshot()["enrollments"][NEW_CADENCE] == []


def test_enrol_records_through_the_control_api(emulator: ZohoCRMEmulator, api: Api) -> None:
    """Set-up for large un-enroll runs: any number of records at once, then un-enrolled through the API."""
    control = f"{emulator.url}/__emulator__/cadences/{MANUAL}/enrollments"
    records = [f"5540230000{n:09d}" for n in range(1000)]
    answer = requests.post(control, json={"ids": records}, timeout=TIMEOUT)
    assert answer.json() == {"cadence_id": MANUAL, "added": 1000, "enrolled": 1002}  # two were seeded
    assert requests.post(control, json={"ids": records[:10]}, timeout=TIMEOUT).json()["added"] == 0
    assert api.post(UNENROL, json={"cadences_ids": [MANUAL], "ids": records[:100]}).status_code == 200
    assert len(emulator.snapshot()["enrollments"][MANUAL]) == 902
    assert emulator.stats()["api_requests"] == 1  # the control calls are not API calls


@pytest.mark.parametrize(
    ("cadence_id", "ids", "problem"),
    [
        (AUTOMATIC, [ENROLLED], "not a manual-enrollment cadence"),
        ("554023000004099999", [ENROLLED], "no cadence"),
        (MANUAL, ["9990230000000001"], "ids must be a list of record ids"),
        (MANUAL, "554023000001798647", "ids must be a list of record ids"),
    ],
)
def test_enrol_records_refuses_what_the_api_would(
    emulator: ZohoCRMEmulator, cadence_id: str, ids: Any, problem: str
) -> None:
    answer = requests.post(
        f"{emulator.url}/__emulator__/cadences/{cadence_id}/enrollments", json={"ids": ids}, timeout=TIMEOUT
    )
    assert answer.status_code == 400
    assert problem in answer.json()["error"]
    with pytest.raises(ValueError, match=problem):
        emulator.enrol_records(cadence_id, ids)

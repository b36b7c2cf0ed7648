"""Routing, versions, bodies and the small read-only endpoints (modules, users, org)."""

from __future__ import annotations

import http.client
from typing import Any

import pytest
from emulator_client import Api, error_of

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

WORKFLOW_RULES = "settings/automation/workflow_rules"


class RecordingRuleStore:
    """Stands in for WorkflowRuleStore to check which method each route reaches, with what."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        def method(*args: Any) -> tuple[int, dict[str, Any]]:
            self.calls.append((name, args))
            return 200, {"called": name}

        return method


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", f"{WORKFLOW_RULES}?module=Leads", ("list_rules", ({"module": "Leads"},))),
        ("POST", WORKFLOW_RULES, ("create_rule", ({"workflow_rules": [{}]},))),
        ("PUT", WORKFLOW_RULES, ("update_rules", (None, {"workflow_rules": [{}]}))),
        ("DELETE", f"{WORKFLOW_RULES}?ids=1,2", ("delete_rules", ({"ids": "1,2"},))),
        ("GET", f"{WORKFLOW_RULES}/42", ("get_rule", ("42",))),
        ("PUT", f"{WORKFLOW_RULES}/42", ("update_rules", ("42", {"workflow_rules": [{}]}))),
        ("DELETE", f"{WORKFLOW_RULES}/42", ("delete_rule", ("42",))),
        (
            "PUT",
            f"{WORKFLOW_RULES}/actions/reorder?module=Leads",
            ("reorder", ({"module": "Leads"}, {"workflow_rules": [{}]})),
        ),
    ],
)
def test_workflow_rule_routes(emulator: ZohoCRMEmulator, api: Api, method: str, path: str, expected: Any) -> None:
    store = RecordingRuleStore()
    emulator.state.workflow_rules = store  # type: ignore[assignment]
    body = {"workflow_rules": [{}]} if method in ("POST", "PUT") else None
    response = api.request(method, path, json=body)
    assert response.json() == {"called": expected[0]}
    assert store.calls == [expected]


def test_workflow_rules_are_served_by_the_real_store(emulator: ZohoCRMEmulator, api: Api) -> None:
    rules = api.get(WORKFLOW_RULES, params={"module": "Leads"}).json()["workflow_rules"]
    assert rules
    assert api.get(f"{WORKFLOW_RULES}/{rules[0]['id']}").status_code == 200


def test_workflow_rules_are_v8_only(api: Api) -> None:
    assert error_of(api.get(f"/crm/v7/{WORKFLOW_RULES}"))[:2] == (404, "INVALID_URL_PATTERN")
    assert error_of(api.get(WORKFLOW_RULES + "/1/actions/usage"))[:2] == (404, "INVALID_URL_PATTERN")
    assert error_of(api.post(f"{WORKFLOW_RULES}/actions/reorder"))[:2] == (400, "INVALID_REQUEST_METHOD")


@pytest.mark.parametrize("path", ["/crm/v8/nope", "/crm/v6/settings/modules", "/crm/v8/", "/nope", "/"])
def test_unknown_paths(api: Api, path: str) -> None:
    assert error_of(api.get(path)) == (
        404,
        "INVALID_URL_PATTERN",
        {},
        "Please check if the URL trying to access is a correct one",
    )


def test_malformed_json_is_invalid_data(api: Api) -> None:
    response = api.post("settings/connected_workflows", data=b"{not json")
    assert error_of(response)[:2] == (400, "INVALID_DATA")


def test_modules(api: Api) -> None:
    modules = api.get("settings/modules").json()["modules"]
    assert {m["api_name"] for m in modules} >= {"Leads", "Contacts", "Deals", "Vendors", "Projects"}
    [contacts] = api.get("/crm/v7/settings/modules/Contacts").json()["modules"]
    assert contacts["id"] == "4876876000000002179"
    assert api.get("settings/modules/4876876000000002179").json()["modules"] == [contacts]
    assert error_of(api.get("settings/modules/Nope"))[:2] == (400, "INVALID_MODULE")


def test_modules_scope(emulator: ZohoCRMEmulator, make_api: Any) -> None:
    emulator.set_config(scopes="ZohoCRM.settings.modules.READ")
    api = make_api()
    assert api.get("settings/modules").status_code == 200
    assert error_of(api.get(WORKFLOW_RULES))[:2] == (401, "OAUTH_SCOPE_MISMATCH")


def test_current_user_and_org(api: Api) -> None:
    [user] = api.get("users", params={"type": "CurrentUser"}).json()["users"]
    assert user["email"] == "emulator@example.com"
    [org] = api.get("org").json()["org"]
    assert org["zgid"]
    assert org["id"]


def test_http11_keep_alive(emulator: ZohoCRMEmulator, token: str) -> None:
    host, port = emulator.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        for path in ("/crm/v8/settings/modules", "/crm/v8/nope", "/crm/v8/settings/automation/cadences"):
            connection.request("GET", path, headers={"Authorization": f"Zoho-oauthtoken {token}"})
            response = connection.getresponse()
            assert len(response.read()) == int(response.headers["Content-Length"])
            assert not response.will_close
    finally:
        connection.close()

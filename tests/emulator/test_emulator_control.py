"""The control API over HTTP, and the journal's redaction."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from emulator_client import TIMEOUT, Api, error_of, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


def _control(emulator: ZohoCRMEmulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{emulator.url}/__emulator__/{path}", timeout=TIMEOUT, **kwargs)


def test_journal_never_holds_secrets(emulator: ZohoCRMEmulator, token: str, api: Api) -> None:
    api.post(
        "Contacts/actions/unenrol_from_cadences",
        json={"cadences_ids": ["554023000004092008"], "ids": [emulator.client_secret]},
    )
    requests.post(
        f"{emulator.url}/oauth/v2/token",
        params={"client_secret": emulator.client_secret, "refresh_token": emulator.refresh_token},
        timeout=TIMEOUT,
    )
    entries = _control(emulator, "GET", "journal").json()["entries"]
    dumped = json.dumps(entries)
    for secret in (emulator.client_secret, emulator.refresh_token, token):
        assert secret not in dumped
    token_call, api_call, raw_token_call = entries
    assert token_call["form"]["client_secret"] == "[redacted]"
    assert token_call["form"]["client_id"] == emulator.client_id
    assert api_call["authorized"] is True
    assert "Authorization" not in api_call["headers"]
    assert api_call["json"]["cadences_ids"] == ["554023000004092008"]
    assert raw_token_call["query"]["refresh_token"] == "[redacted]"


def test_journal_since_and_clear(emulator: ZohoCRMEmulator, api: Api) -> None:
    api.get("org")
    last = _control(emulator, "GET", "journal").json()["last_seq"]
    api.get("users")
    newer = _control(emulator, "GET", "journal", params={"since": last}).json()["entries"]
    assert [e["path"] for e in newer] == ["/crm/v8/users"]
    assert newer[0]["status"] == 200
    assert _control(emulator, "DELETE", "journal").json() == {"cleared": 3}
    assert emulator.journal == []


def test_reset_restores_everything(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_config(edition="free")
    emulator.add_fault(status=500)
    emulator.advance_clock(100)
    assert _control(emulator, "POST", "reset", json={"seed": False}).json() == {"reset": True}
    assert error_of(api.get("org"))[1] == "INVALID_TOKEN"  # tokens do not survive a reset
    fresh = Api(emulator, fetch_token(emulator)["access_token"])
    assert fresh.get("settings/connected_workflows").status_code == 204
    state = _control(emulator, "GET", "state").json()
    assert state["config"]["edition"] == "enterprise"
    assert state["faults"] == []
    assert state["clock"]["offset"] == 0
    emulator.reset()
    assert emulator.snapshot()["connected_workflows"]


def test_state_snapshot(emulator: ZohoCRMEmulator, token: str) -> None:
    state = _control(emulator, "GET", "state").json()
    assert set(state) >= {"workflow_rules", "connected_workflows", "cadences", "enrollments", "tokens", "modules"}
    assert state["tokens"]["live_access_tokens"] == 1
    assert token not in json.dumps(state)
    assert state["enrollments"]["554023000004092008"] == ["554023000001625028", "554023000001798647"]


def test_clock_config_and_stats(emulator: ZohoCRMEmulator, api: Api) -> None:
    assert _control(emulator, "POST", "clock", json={"advance": 3601}).json() == {"offset": 3601}
    assert error_of(api.get("org"))[1] == "INVALID_TOKEN"
    config = _control(emulator, "POST", "config", json={"latency_ms": 5, "scopes": "ZohoCRM.modules.ALL"}).json()
    assert (config["latency_ms"], config["scopes"]) == (5, ["ZohoCRM.modules.ALL"])
    assert _control(emulator, "POST", "config", json={"bogus": 1}).status_code == 400
    assert _control(emulator, "POST", "config", json={"edition": "platinum"}).status_code == 400
    assert _control(emulator, "POST", "clock", json={"advance": -1}).status_code == 400
    stats = _control(emulator, "GET", "stats").json()
    assert stats["token_grants"] == 1
    assert stats["api_requests"] == 1


def test_workflow_rule_status_and_edit(emulator: ZohoCRMEmulator, api: Api) -> None:
    rule = api.get("settings/automation/workflow_rules", params={"module": "Leads"}).json()["workflow_rules"][0]
    flipped = _control(
        emulator, "POST", f"workflow_rules/{rule['id']}/status", json={"active": not rule["status"]["active"]}
    )
    assert flipped.status_code == 200
    [after] = api.get(f"settings/automation/workflow_rules/{rule['id']}").json()["workflow_rules"]
    assert after["status"]["active"] is not rule["status"]["active"]
    renamed = _control(emulator, "POST", f"workflow_rules/{rule['id']}", json={"name": "Renamed elsewhere"})
    assert renamed.json()["workflow_rules"][0]["name"] == "Renamed elsewhere"
    assert _control(emulator, "POST", "workflow_rules/1/status", json={"active": True}).json()["code"] == "NOT_FOUND"
    assert _control(emulator, "POST", f"workflow_rules/{rule['id']}/status", json={}).status_code == 400


def test_unknown_control_endpoint_and_bad_body(emulator: ZohoCRMEmulator) -> None:
    assert _control(emulator, "GET", "nope").status_code == 404
    assert _control(emulator, "POST", "reset", data=b"[1]").status_code == 400
    assert _control(emulator, "POST", "reset", data=b"{").status_code == 400


def test_control_calls_are_not_journaled_or_limited(emulator: ZohoCRMEmulator) -> None:
    emulator.add_fault(status=500, count=None)
    assert _control(emulator, "GET", "stats").json()["requests"] == 0
    assert emulator.journal == []


def test_connection_helpers(emulator: ZohoCRMEmulator) -> None:
    doc = json.loads(emulator.connection_json())
    assert doc == {
        "conn_type": "zoho_crm",
        "login": "1000.EMULATORCLIENT",
        "password": "emulator-client-secret",
        "extra": {
            "refresh_token": "1000.emulator-refresh-token",
            "accounts_url": emulator.url,
            "api_url": emulator.url,
        },
    }
    assert emulator.connection_env("my_zoho") == {"AIRFLOW_CONN_MY_ZOHO": emulator.connection_json()}


def test_the_emulator_serves_https_with_a_context(tmp_path: Any) -> None:
    """Clients that reach it beyond loopback need TLS: the provider refuses plain http to other hosts."""
    from support.tls import make_certificates

    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    certificates = make_certificates(tmp_path, ["127.0.0.1"])
    with ZohoCRMEmulator(ssl_context=certificates.server_context()) as emulator:
        assert emulator.url.startswith("https://127.0.0.1:")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{emulator.url}/__emulator__/stats", timeout=TIMEOUT)  # not trusted without the CA
        answer = requests.get(f"{emulator.url}/__emulator__/stats", timeout=TIMEOUT, verify=str(certificates.ca))
        assert answer.json()["requests"] == 0
        token = requests.post(
            f"{emulator.url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": emulator.client_id,
                "client_secret": emulator.client_secret,
                "refresh_token": emulator.refresh_token,
            },
            timeout=TIMEOUT,
            verify=str(certificates.ca),
        ).json()
        assert Api(emulator, token["access_token"]).get("org", verify=str(certificates.ca)).status_code == 200
        with pytest.MonkeyPatch.context() as patch:  # the provider's session trusts REQUESTS_CA_BUNDLE
            patch.setenv("REQUESTS_CA_BUNDLE", str(certificates.ca))
            patch.setenv("AIRFLOW_CONN_ZOHO_CRM_TLS", emulator.connection_json())
            assert ZohoCRMHook("zoho_crm_tls").get_workflow_rules("Leads")

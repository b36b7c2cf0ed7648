"""Token endpoint and API authentication."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests
from emulator_client import TIMEOUT, Api, error_of, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


def test_refresh_grant_in_form_body(emulator: ZohoCRMEmulator) -> None:
    body = fetch_token(emulator)
    assert re.fullmatch(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}", body["access_token"])
    assert body["expires_in"] == 3600
    assert body["api_domain"] == emulator.url
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "ZohoCRM.settings.ALL ZohoCRM.modules.ALL"


def test_refresh_grant_in_query_string(emulator: ZohoCRMEmulator) -> None:
    params = {
        "grant_type": "refresh_token",
        "client_id": emulator.client_id,
        "client_secret": emulator.client_secret,
        "refresh_token": emulator.refresh_token,
    }
    response = requests.post(f"{emulator.url}/oauth/v2/token", params=params, timeout=TIMEOUT)
    assert response.status_code == 200
    assert "access_token" in response.json()


def test_token_errors_come_back_as_http_200(emulator: ZohoCRMEmulator) -> None:
    assert fetch_token(emulator, client_id="1000.OTHER") == {"error": "invalid_client"}
    assert fetch_token(emulator, client_secret="wrong") == {"error": "invalid_client"}
    assert fetch_token(emulator, refresh_token="1000.unknown") == {"error": "invalid_code"}
    assert fetch_token(emulator, grant_type="authorization_code") == {"error": "unsupported_grant_type"}


def test_eleventh_token_in_ten_minutes_is_access_denied(emulator: ZohoCRMEmulator) -> None:
    for _ in range(10):
        assert "access_token" in fetch_token(emulator)
    assert fetch_token(emulator) == {
        "error_description": "You have made too many requests continuously. Please try again after some time.",
        "error": "Access Denied",
        "status": "failure",
    }
    emulator.advance_clock(601)
    assert "access_token" in fetch_token(emulator)
    assert emulator.stats()["token_denials"] == 1


def test_token_expires_with_the_clock(emulator: ZohoCRMEmulator, api: Api) -> None:
    assert api.get("settings/modules").status_code == 200
    emulator.advance_clock(3600)
    assert error_of(api.get("settings/modules")) == (401, "INVALID_TOKEN", {}, "invalid oauth token")


def test_configurable_token_lifetime() -> None:
    with ZohoCRMEmulator(token_lifetime=60) as emulator:
        assert fetch_token(emulator)["expires_in"] == 60


def test_sixteenth_live_token_kills_the_oldest(emulator: ZohoCRMEmulator) -> None:
    tokens = [fetch_token(emulator)["access_token"] for _ in range(10)]
    emulator.advance_clock(601)
    tokens += [fetch_token(emulator)["access_token"] for _ in range(6)]
    assert error_of(Api(emulator, tokens[0]).get("settings/modules"))[1] == "INVALID_TOKEN"
    assert all(Api(emulator, t).get("settings/modules").status_code == 200 for t in tokens[1:])


def test_missing_or_malformed_authorization(emulator: ZohoCRMEmulator, token: str) -> None:
    expected = (401, "AUTHENTICATION_FAILURE", {}, "Authentication failed")
    assert error_of(Api(emulator, None).get("settings/modules")) == expected
    bearer = requests.get(
        f"{emulator.url}/crm/v8/settings/modules", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    assert error_of(bearer) == expected


def test_unknown_token_is_invalid(emulator: ZohoCRMEmulator) -> None:
    assert error_of(Api(emulator, "1000.nope.nope").get("settings/modules"))[:2] == (401, "INVALID_TOKEN")


def test_scope_mismatch(emulator: ZohoCRMEmulator, make_api: Any) -> None:
    emulator.set_config(scopes="ZohoCRM.settings.workflow_rules.READ,ZohoCRM.modules.contacts.CREATE")
    api = make_api()
    mismatch = (401, "OAUTH_SCOPE_MISMATCH", {}, "invalid oauth scope to access this URL")
    assert error_of(api.get("settings/connected_workflows")) == mismatch
    assert error_of(api.put("settings/automation/workflow_rules/actions/reorder")) == mismatch  # READ only
    assert error_of(api.post("Leads/actions/unenrol_from_cadences", json={})) == mismatch
    assert api.post("Contacts/actions/unenrol_from_cadences", json={}).json()["code"] == "MANDATORY_NOT_FOUND"


def test_control_api_revokes_and_expires(emulator: ZohoCRMEmulator, api: Api) -> None:
    control = f"{emulator.url}/__emulator__"
    assert requests.post(f"{control}/tokens/expire", timeout=TIMEOUT).json() == {"expired": 1}
    assert error_of(api.get("settings/modules"))[1] == "INVALID_TOKEN"
    revoked = requests.post(f"{control}/tokens/revoke", json={}, timeout=TIMEOUT).json()
    assert revoked == {"revoked": [emulator.refresh_token]}
    assert fetch_token(emulator) == {"error": "invalid_code"}


DEAD_TOKEN_ANSWERS = {
    "INVALID_TOKEN": "invalid oauth token",
    "INVALID_OAUTHTOKEN": "invalid oauth token",
    "AUTHENTICATION_FAILURE": "Authentication failed",
}


@pytest.mark.parametrize("code", list(DEAD_TOKEN_ANSWERS))
def test_dead_token_code_is_configurable(emulator: ZohoCRMEmulator, api: Api, code: str) -> None:
    emulator.set_config(dead_token_code=code)
    dead = (401, code, {}, DEAD_TOKEN_ANSWERS[code])
    assert error_of(Api(emulator, "1000.nope.nope").get("org")) == dead  # unknown
    emulator.add_fault(kind="invalidate_token", path="/crm/")
    assert error_of(api.get("org")) == dead  # killed by a fault
    assert error_of(api.get("org")) == dead  # and stays dead
    fresh = Api(emulator, fetch_token(emulator)["access_token"])
    assert fresh.get("org").status_code == 200
    emulator.advance_clock(3600)
    assert error_of(fresh.get("org")) == dead  # expired
    # No token at all is still AUTHENTICATION_FAILURE, whatever the dead-token code.
    assert error_of(Api(emulator, None).get("org"))[:2] == (401, "AUTHENTICATION_FAILURE")


def test_dead_token_code_over_the_control_api(emulator: ZohoCRMEmulator) -> None:
    control = f"{emulator.url}/__emulator__/config"
    assert requests.get(control, timeout=TIMEOUT).json()["dead_token_code"] == "INVALID_TOKEN"
    answer = requests.post(control, json={"dead_token_code": "INVALID_OAUTHTOKEN"}, timeout=TIMEOUT)
    assert answer.json()["dead_token_code"] == "INVALID_OAUTHTOKEN"
    refused = requests.post(control, json={"dead_token_code": "EXPIRED"}, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert "dead_token_code must be one of" in refused.json()["error"]
    emulator.reset()
    assert emulator.config.dead_token_code == "INVALID_TOKEN"
    with ZohoCRMEmulator(dead_token_code="AUTHENTICATION_FAILURE") as other:
        assert other.config.dead_token_code == "AUTHENTICATION_FAILURE"


def test_token_mint_limit_is_configurable(emulator: ZohoCRMEmulator) -> None:
    """A tighter throttle than Zoho's 10: the second mint in the window is "Access Denied"."""
    config = requests.post(f"{emulator.url}/__emulator__/config", json={"token_mint_limit": 1}, timeout=TIMEOUT)
    assert config.json()["token_mint_limit"] == 1
    assert "access_token" in fetch_token(emulator)
    assert fetch_token(emulator)["error"] == "Access Denied"
    assert (emulator.stats()["token_grants"], emulator.stats()["token_denials"]) == (1, 1)
    emulator.advance_clock(601)
    assert "access_token" in fetch_token(emulator)
    with pytest.raises(ValueError, match="token_mint_limit must be an integer >= 0"):
        emulator.set_config(token_mint_limit=-1)


def test_a_slow_token_endpoint_slows_only_the_token_calls() -> None:
    with ZohoCRMEmulator(token_latency_ms=400) as emulator:
        started = time.monotonic()
        token = fetch_token(emulator)["access_token"]
        minted = time.monotonic() - started
        started = time.monotonic()
        assert Api(emulator, token).get("org").status_code == 200
        called = time.monotonic() - started
        emulator.set_config(token_latency_ms=None, latency_ms=0)
        started = time.monotonic()
        fetch_token(emulator)
        fast = time.monotonic() - started
    assert minted >= 0.4
    assert called < 0.3
    assert fast < 0.3
    with pytest.raises(ValueError, match="token_latency_ms"):
        emulator.set_config(token_latency_ms=-5)

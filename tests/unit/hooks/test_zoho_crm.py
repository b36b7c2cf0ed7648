"""ZohoCRMHook: class attributes, lazy connection reading and test_connection()."""

from __future__ import annotations

import logging

import pytest
import requests

from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, FileTokenCache
from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from unit.helpers import (
    CANARIES,
    TOKEN_URL,
    WORKFLOW_PATH,
    WORKFLOW_URL,
    emulator_conn,
    mock_token,
    token_body,
    token_requests,
)


def test_class_attributes():
    assert ZohoCRMHook.conn_type == "zoho_crm"
    assert ZohoCRMHook.conn_name_attr == "zoho_crm_conn_id"
    assert ZohoCRMHook.default_conn_name == "zoho_crm_default"
    assert ZohoCRMHook.hook_name == "Zoho CRM"


def test_constructor_reads_nothing(requests_mock, mocker):
    get_connection = mocker.patch.object(ZohoCRMHook, "get_connection", side_effect=AssertionError("read too early"))
    hook = ZohoCRMHook("not_defined_anywhere", timeout=3)
    assert hook.zoho_crm_conn_id == "not_defined_anywhere"
    assert get_connection.call_count == 0
    assert requests_mock.request_history == []


def test_settings_are_read_once(zoho_conn, mocker):
    spy = mocker.patch.object(ZohoCRMHook, "get_connection", side_effect=ZohoCRMHook.get_connection)
    hook = ZohoCRMHook()
    assert hook.settings is hook.settings
    assert spy.call_count == 1
    assert hook.settings.conn_id == "zoho_crm_default"


def test_conn_id_argument_selects_the_connection(make_zoho_conn):
    make_zoho_conn("zoho_eu", data_center="eu")
    make_zoho_conn()
    assert ZohoCRMHook("zoho_eu").settings.api_url == "https://www.zohoapis.eu"
    assert ZohoCRMHook().settings.api_url == "https://www.zohoapis.com"


def test_invalid_connection_fails_on_first_use_not_in_init(make_zoho_conn, requests_mock):
    make_zoho_conn(refresh_token="")
    hook = ZohoCRMHook()
    with pytest.raises(ZohoCRMConnectionConfigError, match="refresh_token is missing"):
        hook.request("GET", "org")
    assert requests_mock.request_history == []


def test_ui_field_behaviour():
    behaviour = ZohoCRMHook.get_ui_field_behaviour()
    assert behaviour["relabeling"] == {"login": "Client ID", "password": "Client Secret"}
    assert set(behaviour["hidden_fields"]) == {"host", "schema", "port", "extra"}
    behaviour["relabeling"]["login"] = "changed"
    behaviour["hidden_fields"].append("login")
    fresh = ZohoCRMHook.get_ui_field_behaviour()
    assert fresh["relabeling"]["login"] == "Client ID"
    assert "login" not in fresh["hidden_fields"]


# --- test_connection ---------------------------------------------------------------------------


def _assert_no_secret(message: str) -> None:
    for canary in CANARIES:
        assert canary not in message


def test_test_connection_success(zoho_conn, requests_mock):
    mock_token(requests_mock)
    called = requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})
    ok, message = ZohoCRMHook().test_connection()
    assert ok is True
    assert message == "Connected to Zoho CRM (us, production)"
    assert called.call_count == 1
    assert called.request_history[0].qs == {"per_page": ["1"], "page": ["1"]}


def test_test_connection_names_data_center_and_environment(make_zoho_conn, requests_mock):
    make_zoho_conn(data_center="jp", environment="sandbox")
    mock_token(requests_mock, url="https://accounts.zoho.jp/oauth/v2/token", api_domain="https://www.zohoapis.jp")
    requests_mock.get("https://sandbox.zohoapis.jp/crm/v8/settings/automation/workflow_rules", json={})
    assert ZohoCRMHook().test_connection() == (True, "Connected to Zoho CRM (jp, sandbox)")


@pytest.mark.parametrize(
    ("token_answer", "api_answer", "expected"),
    [
        ({"json": {"error": "invalid_code"}}, None, "invalid_code"),
        ({"json": {"error": "invalid_client"}}, None, "invalid_client"),
        ({"json": {"error": "Access Denied"}}, None, "Access Denied"),
        ({"exc": requests.ConnectionError}, None, "Could not reach the Zoho accounts server"),
        (
            None,
            {"status_code": 401, "json": {"code": "OAUTH_SCOPE_MISMATCH", "message": "invalid oauth scope"}},
            "OAUTH_SCOPE_MISMATCH",
        ),
        (
            None,
            {"status_code": 403, "json": {"code": "NO_PERMISSION", "message": "permission denied"}},
            "NO_PERMISSION",
        ),
        (None, {"status_code": 404, "text": "nope"}, "404"),
        (None, {"status_code": 400, "json": {"code": "INVALID_REQUEST", "message": "bad"}}, "INVALID_REQUEST"),
    ],
)
def test_test_connection_failure(zoho_conn, requests_mock, recorded_sleeps, token_answer, api_answer, expected):
    requests_mock.post(TOKEN_URL, **(token_answer or {"json": token_body()}))
    requests_mock.get(WORKFLOW_URL, **(api_answer or {"json": {}}))
    ok, message = ZohoCRMHook(max_attempts=2).test_connection()
    assert ok is False
    assert expected in message
    _assert_no_secret(message)


def test_test_connection_with_a_broken_connection(make_zoho_conn, requests_mock):
    make_zoho_conn(data_center="mars")
    ok, message = ZohoCRMHook().test_connection()
    assert ok is False
    assert "data_center" in message
    assert "'mars'" in message
    _assert_no_secret(message)
    assert requests_mock.request_history == []


def test_test_connection_with_an_undefined_connection(requests_mock):
    ok, message = ZohoCRMHook("zoho_crm_nowhere").test_connection()
    assert ok is False
    assert "'zoho_crm_nowhere'" in message
    assert requests_mock.request_history == []


def test_test_connection_mints_a_token_and_reads_with_it(zoho_conn, requests_mock):
    requests_mock.post(
        TOKEN_URL,
        [{"json": token_body("cached-token-1111")}, {"json": token_body("fresh-token-2222")}],
    )
    api = requests_mock.get(WORKFLOW_URL, json={})
    ZohoCRMHook().request("GET", "settings/automation/workflow_rules")
    assert ZohoCRMHook().test_connection()[0]
    # A cached token proves nothing about the credentials now: a new one was minted and read with.
    assert len(token_requests(requests_mock)) == 2
    assert api.request_history[-1].headers["Authorization"] == "Zoho-oauthtoken fresh-token-2222"
    # ... and kept: the tasks that follow mint nothing.
    ZohoCRMHook().request("GET", "settings/automation/workflow_rules")
    assert len(token_requests(requests_mock)) == 2


def test_test_connection_while_minting_is_refused(zoho_conn, requests_mock, recorded_sleeps):
    token = requests_mock.post(TOKEN_URL, json={"error": "Access Denied", "status": "failure"})
    api = requests_mock.get(WORKFLOW_URL, json={})
    for _ in range(2):
        ok, message = ZohoCRMHook().test_connection()
        assert ok is False
        assert message.startswith(
            "Could not test the credentials now (Access Denied): Zoho refused to mint another access token"
        )
        assert "Test again after that time" in message
        _assert_no_secret(message)
    assert token.call_count == 1  # the refusal is remembered: the second test does not ask again
    assert api.call_count == 0
    assert recorded_sleeps == []


# --- test_connection against the emulator ------------------------------------------------------


def test_test_connection_with_good_credentials(emulator, emulator_hook):
    assert emulator_hook.test_connection() == (True, "Connected to Zoho CRM (us, production)")
    assert emulator.stats()["token_grants"] == 1
    assert [entry["path"] for entry in emulator.journal] == ["/oauth/v2/token", f"/crm/v8/{WORKFLOW_PATH}"]


def test_test_connection_mints_although_a_token_is_cached(emulator, emulator_hook):
    emulator_hook.request("GET", WORKFLOW_PATH)
    assert ZohoCRMHook().test_connection()[0] is True
    assert emulator.stats()["token_grants"] == 2


@pytest.mark.parametrize("auth_cache", ["file", "memory"])
def test_test_connection_wrong_secret_with_a_good_token_cached(emulator, monkeypatch, auth_cache):
    good = ZohoCRMHook(emulator_conn(emulator, monkeypatch, "zoho_good", auth_cache=auth_cache))
    wrong = ZohoCRMHook(
        emulator_conn(emulator, monkeypatch, "zoho_wrong", auth_cache=auth_cache, password="wrong-client-secret")
    )
    good.request("GET", WORKFLOW_PATH)
    # The good token cached under the wrong connection's own key too, as a cache keyed without
    # the secret held it: the test must not trust it.
    token = MEMORY_CACHE.load(good.transport.tokens.key)
    MEMORY_CACHE.store(wrong.transport.tokens.key, token)
    if auth_cache == "file":
        FileTokenCache().store(wrong.transport.tokens.key, token)
    assert wrong.request("GET", WORKFLOW_PATH)["workflow_rules"]  # the planted token does serve calls

    ok, message = wrong.test_connection()
    assert ok is False
    assert message.startswith("invalid_client: ")
    assert "client secret is likely wrong" in message
    assert "Check the Client ID and Client Secret in the connection" in message
    assert "wrong-client-secret" not in message
    assert emulator.client_secret not in message
    assert good.test_connection()[0] is True


def test_test_connection_after_the_secret_was_regenerated(emulator, emulator_hook):
    emulator_hook.request("GET", WORKFLOW_PATH)
    emulator.tokens.client_secret = "regenerated-client-secret"  # Zoho's console issued a new secret
    assert emulator_hook.request("GET", WORKFLOW_PATH)["workflow_rules"]  # the cached token still works
    ok, message = ZohoCRMHook().test_connection()
    assert ok is False
    assert "client secret" in message


@pytest.mark.parametrize("how", ["revoked", "wrong"])
def test_test_connection_with_a_dead_refresh_token(emulator, emulator_hook, monkeypatch, how):
    emulator_hook.request("GET", WORKFLOW_PATH)
    conn_id = "zoho_crm_default"
    if how == "revoked":
        emulator.revoke_refresh_token()
    else:
        conn_id = emulator_conn(emulator, monkeypatch, "zoho_other", refresh_token="1000.not-a-refresh-token")
    ok, message = ZohoCRMHook(conn_id).test_connection()
    assert ok is False
    assert message.startswith("invalid_code: Zoho rejected the refresh token")
    assert "1000.not-a-refresh-token" not in message


def test_test_connection_without_the_scope(emulator):
    emulator.set_config(scopes="ZohoCRM.modules.ALL")
    ok, message = ZohoCRMHook().test_connection()
    assert ok is False
    assert "OAUTH_SCOPE_MISMATCH" in message


def test_test_connection_after_ten_mints(emulator, emulator_hook, recorded_sleeps):
    for _ in range(10):
        assert ZohoCRMHook().test_connection()[0] is True
    for _ in range(2):
        ok, message = ZohoCRMHook().test_connection()
        assert ok is False
        assert "Could not test the credentials now (Access Denied): Zoho refused to mint" in message
    assert emulator.stats()["token_denials"] == 1


def test_test_connection_leaks_no_secret(emulator, monkeypatch, caplog, capfd):
    import airflow.providers.common.compat.sdk as compat_sdk

    monkeypatch.setattr(compat_sdk, "mask_secret", lambda value: None)  # nothing passes by being redacted
    caplog.set_level(logging.DEBUG)
    messages = [ZohoCRMHook().test_connection()[1]]
    messages.append(
        ZohoCRMHook(emulator_conn(emulator, monkeypatch, "zoho_a", password="wrong-secret-5e8d")).test_connection()[1]
    )
    messages.append(
        ZohoCRMHook(
            emulator_conn(emulator, monkeypatch, "zoho_b", refresh_token="1000.wrong-refresh-6c2f")
        ).test_connection()[1]
    )
    emulator.revoke_refresh_token()
    messages.append(ZohoCRMHook().test_connection()[1])
    assert [message.split(":")[0] for message in messages] == [
        "Connected to Zoho CRM (us, production)",
        "invalid_client",
        "invalid_code",
        "invalid_code",
    ]
    out, err = capfd.readouterr()
    texts = [*messages, caplog.text, *(record.getMessage() for record in caplog.records), out, err]
    secrets = [emulator.client_secret, emulator.refresh_token, "wrong-secret-5e8d", "1000.wrong-refresh-6c2f"]
    secrets += emulator.tokens.issued()
    assert len(secrets) == 5  # the one good test minted one token
    assert caplog.records
    for text in texts:
        for secret in secrets:
            assert secret not in text

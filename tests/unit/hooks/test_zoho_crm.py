"""ZohoCRMHook: class attributes, lazy connection reading and test_connection()."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from unit.helpers import CANARIES, TOKEN_URL, WORKFLOW_URL, mock_token, token_body, token_requests


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


def test_test_connection_reuses_the_cached_token(zoho_conn, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, json={})
    assert ZohoCRMHook().test_connection()[0]
    assert ZohoCRMHook().test_connection()[0]
    assert len(token_requests(requests_mock)) == 1

"""ZohoTransport through the hook: URLs, headers, dead-token renewal, retries, error mapping."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_zohocrm import __version__
from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, AccessToken
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMNotFoundError,
    ZohoCRMPermissionError,
    ZohoCRMRateLimitError,
    ZohoCRMRedirectError,
    ZohoCRMServerError,
    ZohoCRMTransportError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from airflow_provider_zohocrm.transport import ZohoTransport

from .helpers import (
    ACCESS_TOKEN,
    API_ROOT,
    INVALID_TOKEN,
    RULE_ITEM_INVALID_NAME,
    TOKEN_URL,
    WORKFLOW_PATH,
    WORKFLOW_URL,
    api_requests,
    make_settings,
    token_body,
    token_requests,
)

# --- requests as sent --------------------------------------------------------------------------


def test_request_shape(hook, requests_mock):
    called = requests_mock.post(f"{API_ROOT}/settings/automation/workflow_rules", status_code=201, json={"ok": 1})
    result = hook.request("post", WORKFLOW_PATH, params={"module": "Leads"}, json={"workflow_rules": [{"name": "n"}]})
    assert result == {"ok": 1}
    (request,) = called.request_history
    assert request.method == "POST"
    assert request.qs == {"module": ["leads"]}  # requests_mock lower-cases qs values
    assert "module=Leads" in request.url
    assert request.json() == {"workflow_rules": [{"name": "n"}]}
    assert request.headers["Authorization"] == f"Zoho-oauthtoken {ACCESS_TOKEN}"
    assert request.headers["User-Agent"] == f"airflow-provider-zohocrm/{__version__}"
    assert request.timeout == 30.0


def test_api_version_and_timeout_from_the_connection(make_zoho_conn, zoho_token, requests_mock):
    make_zoho_conn(api_version="v7", timeout=4)
    called = requests_mock.get("https://www.zohoapis.com/crm/v7/org", json={"org": []})
    ZohoCRMHook().request("GET", "org")
    assert called.call_count == 1
    assert called.request_history[0].timeout == 4.0


def test_hook_timeout_argument_reaches_requests(zoho_conn, zoho_token, requests_mock):
    called = requests_mock.get(f"{API_ROOT}/org", json={"org": []})
    ZohoCRMHook(timeout=2.5).request("GET", "org")
    assert called.request_history[0].timeout == 2.5
    assert token_requests(requests_mock)[0].timeout == 2.5


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_every_method(hook, requests_mock, method):
    called = requests_mock.register_uri(method, f"{API_ROOT}/org", json={"m": method})
    assert hook.request(method.lower(), "org") == {"m": method}
    assert called.call_count == 1


def test_get_conn_is_the_keep_alive_session(hook):
    session = hook.get_conn()
    assert isinstance(session, requests.Session)
    assert hook.get_conn() is session
    assert hook.transport.session is session


def test_close_closes_the_session(hook, mocker):
    close = mocker.spy(hook.transport.session, "close")
    hook.transport.close()
    assert close.call_count == 1


# --- response bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "answer"), [(204, {}), (200, {"text": ""}), (201, {"content": b""})])
def test_empty_bodies_are_empty_dicts(hook, requests_mock, status, answer):
    requests_mock.delete(f"{API_ROOT}/org", status_code=status, **answer)
    assert hook.request("DELETE", "org") == {}


@pytest.mark.parametrize("answer", [{"text": "<html>ok</html>"}, {"json": [1, 2]}, {"json": "x"}])
def test_success_without_a_json_object_is_a_server_error_not_retried(hook, requests_mock, recorded_sleeps, answer):
    called = requests_mock.get(f"{API_ROOT}/org", **answer)
    with pytest.raises(ZohoCRMServerError) as info:
        hook.request("GET", "org")
    assert info.value.status_code == 200
    assert called.call_count == 1
    assert recorded_sleeps == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_api_redirect_is_its_own_error_and_not_followed(hook, requests_mock, recorded_sleeps, status):
    location = "https://evil.example/org?token=abc"
    called = requests_mock.get(f"{API_ROOT}/org", status_code=status, headers={"Location": location})
    elsewhere = requests_mock.get("https://evil.example/org", json={"org": []})
    with pytest.raises(ZohoCRMRedirectError) as info:
        hook.request("GET", "org")
    error = info.value
    assert isinstance(error, ZohoCRMServerError)
    assert error.status_code == status
    assert "redirect to https://evil.example/org" in str(error)
    assert "token=abc" not in str(error)  # the query of a redirect target is never repeated
    assert "api_url (now https://www.zohoapis.com)" in str(error)
    assert error.details["api_url"] == "https://www.zohoapis.com"
    assert (called.call_count, elsewhere.call_count, recorded_sleeps) == (1, 0, [])


# --- 401 INVALID_TOKEN -------------------------------------------------------------------------


DEAD_TOKEN_CODES = ["INVALID_OAUTHTOKEN", "INVALID_TOKEN", "AUTHENTICATION_FAILURE"]


@pytest.mark.parametrize("code", DEAD_TOKEN_CODES)
def test_dead_token_refreshes_once_and_retries_once(zoho_conn, requests_mock, recorded_sleeps, code):
    requests_mock.post(TOKEN_URL, [{"json": token_body("old-token-1111")}, {"json": token_body("new-token-2222")}])
    dead = {"code": code, "details": {}, "message": "invalid oauth token", "status": "error"}
    called = requests_mock.get(WORKFLOW_URL, [{"status_code": 401, "json": dead}, {"json": {"ok": True}}])
    hook = ZohoCRMHook()
    assert hook.request("GET", WORKFLOW_PATH) == {"ok": True}
    assert len(token_requests(requests_mock)) == 2
    assert [r.headers["Authorization"] for r in called.request_history] == [
        "Zoho-oauthtoken old-token-1111",
        "Zoho-oauthtoken new-token-2222",
    ]
    assert recorded_sleeps == []
    assert MEMORY_CACHE.load(hook.transport.tokens.key).value == "new-token-2222"
    # The file cache now holds the new token too: a new process would not use the revoked one.
    MEMORY_CACHE.clear()
    hook.request("GET", WORKFLOW_PATH)
    assert called.request_history[-1].headers["Authorization"] == "Zoho-oauthtoken new-token-2222"
    assert len(token_requests(requests_mock)) == 2


@pytest.mark.parametrize("code", DEAD_TOKEN_CODES)
def test_second_dead_token_is_an_auth_error_without_a_loop(zoho_conn, requests_mock, recorded_sleeps, code):
    requests_mock.post(TOKEN_URL, [{"json": token_body("t-1111")}, {"json": token_body("t-2222")}])
    dead = {"code": code, "details": {}, "message": "invalid oauth token", "status": "error"}
    called = requests_mock.get(WORKFLOW_URL, status_code=401, json=dead)
    with pytest.raises(ZohoCRMAuthError) as info:
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert info.value.code == code
    assert info.value.status_code == 401
    assert len(token_requests(requests_mock)) == 2
    assert called.call_count == 2
    assert recorded_sleeps == []


@pytest.mark.parametrize("code", ["OAUTH_SCOPE_MISMATCH", "SOMETHING_NEW", None])
def test_other_401s_do_not_refresh(hook, requests_mock, code):
    called = requests_mock.get(WORKFLOW_URL, status_code=401, json={"code": code, "message": "m", "status": "error"})
    with pytest.raises(ZohoCRMAuthError) as info:
        hook.request("GET", WORKFLOW_PATH)
    assert info.value.code == code
    assert len(token_requests(requests_mock)) == 1
    assert called.call_count == 1


def test_invalid_token_reuses_a_token_another_caller_already_refreshed(zoho_conn, requests_mock):
    requests_mock.post(TOKEN_URL, json=token_body("stale-1111"))
    called = requests_mock.get(WORKFLOW_URL, [{"status_code": 401, "json": INVALID_TOKEN}, {"json": {"ok": 1}}])
    transport = ZohoCRMHook().transport
    original_send = transport._send

    def send(token, *args):
        response = original_send(token, *args)
        if response.status_code == 401:  # meanwhile another thread refreshed and stored a new token
            fresh = AccessToken("fresh-2222", token.expires_at, token.refresh_at)
            MEMORY_CACHE.store(transport.tokens.key, fresh)
        return response

    transport._send = send
    assert transport.request("GET", WORKFLOW_PATH) == {"ok": 1}
    assert [r.headers["Authorization"] for r in called.request_history] == [
        "Zoho-oauthtoken stale-1111",
        "Zoho-oauthtoken fresh-2222",
    ]
    assert len(token_requests(requests_mock)) == 1
    assert MEMORY_CACHE.load(transport.tokens.key).value == "fresh-2222"


# --- 429 and retries ---------------------------------------------------------------------------


def test_429_with_retry_after_waits_at_least_that_long(hook, requests_mock, recorded_sleeps):
    called = requests_mock.get(
        WORKFLOW_URL, [{"status_code": 429, "headers": {"Retry-After": "7"}, "json": {}}, {"json": {"ok": 1}}]
    )
    assert hook.request("GET", WORKFLOW_PATH) == {"ok": 1}
    assert called.call_count == 2
    assert len(recorded_sleeps) == 1
    assert recorded_sleeps[0] >= 7


def test_429_without_retry_after_backs_off_exponentially(hook, requests_mock, recorded_sleeps):
    called = requests_mock.get(WORKFLOW_URL, [{"status_code": 429, "json": {}}] * 3 + [{"json": {"ok": 1}}])
    assert hook.request("GET", WORKFLOW_PATH) == {"ok": 1}
    assert called.call_count == 4
    assert len(recorded_sleeps) == 3
    for attempt, slept in enumerate(recorded_sleeps, start=1):
        assert 0 <= slept <= 0.5 * 2 ** (attempt - 1)


@pytest.mark.parametrize("retry_after", ["soon", "Wed, 21 Oct 2015 07:28:00 GMT", "-3"])
def test_unusable_retry_after_falls_back_to_backoff(hook, requests_mock, recorded_sleeps, retry_after):
    requests_mock.get(WORKFLOW_URL, [{"status_code": 429, "headers": {"Retry-After": retry_after}}, {"json": {}}])
    hook.request("GET", WORKFLOW_PATH)
    assert 0 <= recorded_sleeps[0] <= 0.5


@pytest.mark.parametrize(("max_attempts", "hook_kwargs"), [(6, {}), (3, {"max_attempts": 3})])
def test_429_forever_spends_exactly_the_attempt_budget(
    zoho_conn, zoho_token, requests_mock, recorded_sleeps, max_attempts, hook_kwargs
):
    called = requests_mock.get(
        WORKFLOW_URL, status_code=429, headers={"Retry-After": "2"}, json={"code": "TOO_MANY_REQUESTS"}
    )
    with pytest.raises(ZohoCRMRateLimitError) as info:
        ZohoCRMHook(**hook_kwargs).request("GET", WORKFLOW_PATH)
    assert called.call_count == max_attempts
    assert len(recorded_sleeps) == max_attempts - 1
    assert all(s >= 2 for s in recorded_sleeps)
    assert info.value.status_code == 429
    assert info.value.retry_after == 2.0
    assert "concurrency" in str(info.value)


def test_retry_budget_from_the_connection(make_zoho_conn, zoho_token, requests_mock, recorded_sleeps):
    make_zoho_conn(max_retry_seconds=5)
    called = requests_mock.get(WORKFLOW_URL, status_code=429, headers={"Retry-After": "30"})
    with pytest.raises(ZohoCRMRateLimitError):
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert called.call_count == 1
    assert recorded_sleeps == []


def test_retry_false_makes_one_attempt(hook, requests_mock, recorded_sleeps):
    called = requests_mock.post(WORKFLOW_URL, status_code=503)
    with pytest.raises(ZohoCRMServerError):
        hook.request("POST", WORKFLOW_PATH, json={}, retry=False)
    assert called.call_count == 1
    assert recorded_sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(hook, requests_mock, recorded_sleeps, status):
    called = requests_mock.get(WORKFLOW_URL, [{"status_code": status, "text": "oops"}, {"json": {"ok": 1}}])
    assert hook.request("GET", WORKFLOW_PATH) == {"ok": 1}
    assert called.call_count == 2
    assert len(recorded_sleeps) == 1


def test_server_error_forever(hook, requests_mock, recorded_sleeps):
    called = requests_mock.get(WORKFLOW_URL, status_code=500, json={"code": "INTERNAL_ERROR", "message": "m"})
    with pytest.raises(ZohoCRMServerError) as info:
        hook.request("GET", WORKFLOW_PATH)
    assert called.call_count == 6
    assert info.value.code == "INTERNAL_ERROR"


@pytest.mark.parametrize(
    "failure", [requests.ConnectionError, requests.Timeout, requests.ConnectTimeout, requests.ReadTimeout]
)
def test_network_failures_are_retried(hook, requests_mock, recorded_sleeps, failure):
    called = requests_mock.get(WORKFLOW_URL, [{"exc": failure}, {"exc": failure}, {"json": {"ok": 1}}])
    assert hook.request("GET", WORKFLOW_PATH) == {"ok": 1}
    assert called.call_count == 3
    assert len(recorded_sleeps) == 2


@pytest.mark.parametrize(
    ("failure", "phrase"),
    [
        (requests.ConnectionError, "could not reach Zoho CRM (ConnectionError, host www.zohoapis.com)"),
        (requests.Timeout, "no complete answer from Zoho CRM (www.zohoapis.com) within 30 s"),
    ],
)
def test_network_failure_messages(hook, requests_mock, failure, phrase):
    requests_mock.get(WORKFLOW_URL, exc=failure)
    with pytest.raises(ZohoCRMTransportError) as info:
        hook.request("GET", WORKFLOW_PATH, retry=False)
    assert phrase in str(info.value)
    assert f"GET {WORKFLOW_PATH}" in str(info.value)
    assert info.value.details == {"host": "www.zohoapis.com", "cause": failure.__name__}
    assert info.value.__cause__ is None
    assert info.value.__context__ is None  # not merely suppressed: the requests error is gone


# --- errors that are not retried ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "json_path"),
    [
        (
            400,
            {"code": "INVALID_MODULE", "details": {}, "message": "m", "status": "error"},
            ZohoCRMValidationError,
            "INVALID_MODULE",
            None,
        ),
        (
            400,
            RULE_ITEM_INVALID_NAME,
            ZohoCRMValidationError,
            "INVALID_DATA",
            "$.workflow_rules[0].name",
        ),
        (
            400,
            {
                "code": "INVALID_DATA",
                "details": {"resource_path_index": 0},
                "message": "the id given seems to be invalid",
                "status": "error",
            },
            ZohoCRMNotFoundError,
            "INVALID_DATA",
            None,
        ),
        (
            400,
            {"code": "FEATURE_NOT_SUPPORTED", "details": {}, "message": "m", "status": "error"},
            ZohoCRMPermissionError,
            "FEATURE_NOT_SUPPORTED",
            None,
        ),
        (
            403,
            {
                "code": "NO_PERMISSION",
                "details": {"permissions": ["Crm_Implied_Manage_Automation"]},
                "message": "m",
                "status": "error",
            },
            ZohoCRMPermissionError,
            "NO_PERMISSION",
            None,
        ),
        (
            404,
            {"code": "INVALID_URL_PATTERN", "details": {}, "message": "m", "status": "error"},
            ZohoCRMNotFoundError,
            "INVALID_URL_PATTERN",
            None,
        ),
        (404, None, ZohoCRMNotFoundError, None, None),
        (
            405,
            {"code": "INVALID_REQUEST_METHOD", "details": {}, "message": "m", "status": "error"},
            ZohoCRMValidationError,
            "INVALID_REQUEST_METHOD",
            None,
        ),
        (
            409,
            {"code": "DUPLICATE_DATA", "details": {"json_path": "$.name"}, "message": "m", "status": "error"},
            ZohoCRMValidationError,
            "DUPLICATE_DATA",
            "$.name",
        ),
        (501, None, ZohoCRMServerError, None, None),
    ],
)
def test_client_errors_are_mapped_and_not_retried(
    hook, requests_mock, recorded_sleeps, status, body, cls, code, json_path
):
    answer = {"json": body} if body is not None else {"text": "not json"}
    called = requests_mock.post(WORKFLOW_URL, status_code=status, **answer)
    with pytest.raises(cls) as info:
        hook.request("POST", WORKFLOW_PATH, json={"workflow_rules": [{}]})
    error = info.value
    assert type(error) is cls
    assert (error.status_code, error.code, error.json_path) == (status, code, json_path)
    if json_path:
        assert error.details["json_path"] == json_path
    assert called.call_count == 1
    assert recorded_sleeps == []
    assert len(api_requests(requests_mock)) == 1


# --- api_root ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extras", "api_domain", "root"),
    [
        ({}, "https://www.zohoapis.eu", "https://www.zohoapis.eu/crm/v8"),
        ({}, None, "https://www.zohoapis.com/crm/v8"),
        ({}, "https://attacker.example", "https://www.zohoapis.com/crm/v8"),
        ({"environment": "sandbox"}, "https://www.zohoapis.com", "https://sandbox.zohoapis.com/crm/v8"),
        ({"api_url": "http://127.0.0.1:9999"}, "https://www.zohoapis.com", "http://127.0.0.1:9999/crm/v8"),
        ({"api_version": "v7", "data_center": "uk"}, None, "https://www.zohoapis.uk/crm/v7"),
    ],
)
def test_api_root(extras, api_domain, root):
    transport = ZohoTransport(make_settings(auth_cache="memory", **extras))
    assert transport.api_root(AccessToken("v-12345", 1.0, 1.0, api_domain)) == root

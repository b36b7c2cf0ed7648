"""TokenManager: one refresh per credential, early refresh, token errors, where the refresh token goes."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import pytest
import requests

from airflow_provider_zohocrm.auth import oauth
from airflow_provider_zohocrm.auth.oauth import FALLBACK_LIFETIME_SECONDS, TokenManager, credential_key
from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, FileTokenCache
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMRateLimitError,
    ZohoCRMRedirectError,
    ZohoCRMServerError,
    ZohoCRMTransportError,
)
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from unit.helpers import (
    ACCESS_TOKEN,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    TOKEN_URL,
    WORKFLOW_PATH,
    WORKFLOW_URL,
    api_requests,
    emulator_conn,
    make_settings,
    mock_token,
    token_body,
    token_requests,
)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def api(requests_mock):
    return requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})


def _hook_with_clock(clock: Clock, *args, **kwargs) -> ZohoCRMHook:
    hook = ZohoCRMHook(*args, **kwargs)
    hook.transport.tokens.clock = clock
    return hook


# --- credential key ----------------------------------------------------------------------------


def test_credential_key_is_stable_and_opaque():
    key = credential_key(make_settings())
    assert key == credential_key(make_settings())
    assert len(key) == 40
    assert all(c in "0123456789abcdef" for c in key)
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, CLIENT_ID):
        assert secret not in key


@pytest.mark.parametrize(
    "change",
    [
        {"refresh_token": "other-refresh-token"},
        {"login": "1000.OTHER"},
        {"password": "other-client-secret"},
        {"data_center": "eu"},
        {"accounts_url": "https://accounts.example.test"},
    ],
)
def test_credential_key_differs_per_credential(change):
    assert credential_key(make_settings(**change)) != credential_key(make_settings())


@pytest.mark.parametrize(
    "change", [{"environment": "sandbox"}, {"environment": "developer"}, {"api_url": "https://proxy.example.test"}]
)
def test_credential_key_ignores_the_api_host(change):
    # Same accounts server, client and refresh token → same access token, whatever the API host.
    assert credential_key(make_settings(**change)) == credential_key(make_settings())


@pytest.mark.parametrize("auth_cache", ["file", "memory"])
def test_a_token_cached_for_one_client_secret_never_serves_another(emulator, monkeypatch, auth_cache):
    good = ZohoCRMHook(emulator_conn(emulator, monkeypatch, "zoho_good", auth_cache=auth_cache))
    wrong = ZohoCRMHook(
        emulator_conn(emulator, monkeypatch, "zoho_wrong", auth_cache=auth_cache, password="wrong-client-secret")
    )
    good.request("GET", WORKFLOW_PATH)
    cached = MEMORY_CACHE.load(good.transport.tokens.key)
    assert cached is not None
    if auth_cache == "file":
        assert FileTokenCache().load(good.transport.tokens.key) == cached
        MEMORY_CACHE.clear()  # only the host's file cache holds the good token now

    with pytest.raises(ZohoCRMAuthError) as info:
        wrong.request("GET", WORKFLOW_PATH)
    assert info.value.code == "invalid_client"
    assert "client secret" in str(info.value)
    assert "wrong-client-secret" not in str(info.value)
    assert emulator.stats()["token_grants"] == 1
    # The good credential keeps its token: the refusal did not touch it.
    assert good.request("GET", WORKFLOW_PATH)["workflow_rules"]
    assert emulator.stats()["token_grants"] == 1


# --- refresh and reuse -------------------------------------------------------------------------


def test_twenty_calls_one_refresh(zoho_conn, requests_mock, api):
    mock_token(requests_mock)
    hook = ZohoCRMHook()
    for _ in range(20):
        assert hook.request("GET", WORKFLOW_PATH) == {"workflow_rules": []}
    assert len(token_requests(requests_mock)) == 1
    assert api.call_count == 20
    assert {r.headers["Authorization"] for r in api.request_history} == {f"Zoho-oauthtoken {ACCESS_TOKEN}"}


def test_several_hook_instances_share_one_refresh(zoho_conn, requests_mock, api):
    mock_token(requests_mock)
    for _ in range(5):
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 1
    assert api.call_count == 5


def _slow_token(request, context):
    time.sleep(0.2)  # keep the refresh in flight while the other threads arrive
    return token_body()


@pytest.mark.parametrize("shared_hook", [True, False], ids=["one-hook", "hook-per-thread"])
@pytest.mark.parametrize("token_cache", ["file", "memory"])
def test_eight_threads_one_refresh(make_zoho_conn, requests_mock, api, shared_hook, token_cache):
    make_zoho_conn(auth_cache=token_cache)
    requests_mock.post(TOKEN_URL, json=_slow_token)
    hook = ZohoCRMHook()
    _ = hook.settings  # read the connection once, before the threads start
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            mine = hook if shared_hook else ZohoCRMHook()
            barrier.wait(10)
            for _ in range(5):
                mine.request("GET", WORKFLOW_PATH)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(token_requests(requests_mock)) == 1
    assert api.call_count == 40


def test_different_credentials_refresh_separately(make_zoho_conn, requests_mock, api):
    mock_token(requests_mock)
    make_zoho_conn("zoho_a")
    make_zoho_conn("zoho_b", refresh_token="another-refresh-token")
    ZohoCRMHook("zoho_a").request("GET", WORKFLOW_PATH)
    ZohoCRMHook("zoho_b").request("GET", WORKFLOW_PATH)
    ZohoCRMHook("zoho_a").request("GET", WORKFLOW_PATH)
    bodies = [parse_qs(r.text)["refresh_token"] for r in token_requests(requests_mock)]
    assert bodies == [[REFRESH_TOKEN], ["another-refresh-token"]]


def test_refresh_before_expiry(zoho_conn, requests_mock, api):
    clock = Clock()
    requests_mock.post(TOKEN_URL, [{"json": token_body("first-token-1111")}, {"json": token_body("second-token-2222")}])
    hook = _hook_with_clock(clock)
    hook.request("GET", WORKFLOW_PATH)
    start = clock.now
    clock.now = start + 3600 - 300 - 1  # just inside the 300 s safety margin
    hook.request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 1
    clock.now = start + 3600 - 300  # at the margin: refresh although the token has not expired yet
    hook.request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 2
    assert [r.headers["Authorization"] for r in api.request_history] == [
        "Zoho-oauthtoken first-token-1111",
        "Zoho-oauthtoken first-token-1111",
        "Zoho-oauthtoken second-token-2222",
    ]


def test_short_lived_token_uses_a_proportional_margin(zoho_conn, requests_mock, api):
    clock = Clock()
    requests_mock.post(TOKEN_URL, json=token_body(expires_in=60))
    hook = _hook_with_clock(clock)
    hook.request("GET", WORKFLOW_PATH)
    token = MEMORY_CACHE.load(hook.transport.tokens.key)
    assert token.expires_at == clock.now + 60
    assert token.refresh_at == pytest.approx(clock.now + 54)
    clock.now += 53
    hook.request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 1
    clock.now += 1
    hook.request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 2


@pytest.mark.parametrize("expires_in", [None, "abc", 0, -5, [1]])
def test_missing_or_bad_expires_in_uses_the_fallback_lifetime(zoho_conn, requests_mock, api, expires_in):
    clock = Clock()
    requests_mock.post(TOKEN_URL, json=token_body(expires_in=expires_in))
    hook = _hook_with_clock(clock)
    assert hook.request("GET", WORKFLOW_PATH) == {"workflow_rules": []}
    token = MEMORY_CACHE.load(hook.transport.tokens.key)
    assert token.expires_at == clock.now + FALLBACK_LIFETIME_SECONDS
    clock.now += FALLBACK_LIFETIME_SECONDS
    hook.request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 2


def test_expires_in_milliseconds_with_expires_in_sec(zoho_conn, requests_mock, api):
    clock = Clock()
    body = token_body(expires_in=3_600_000)
    body["expires_in_sec"] = 3600
    requests_mock.post(TOKEN_URL, json=body)
    hook = _hook_with_clock(clock)
    hook.request("GET", WORKFLOW_PATH)
    assert MEMORY_CACHE.load(hook.transport.tokens.key).expires_at == clock.now + 3600


def test_expired_token_in_file_cache_is_refreshed(zoho_conn, requests_mock, api):
    clock = Clock()
    requests_mock.post(TOKEN_URL, json=token_body(expires_in=600))
    _hook_with_clock(clock).request("GET", WORKFLOW_PATH)
    MEMORY_CACHE.clear()
    clock.now += 1000
    _hook_with_clock(clock).request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 2


# --- api_domain from the token response --------------------------------------------------------


@pytest.mark.parametrize(
    ("extras", "api_domain", "expected_root"),
    [
        ({}, "https://www.zohoapis.eu", "https://www.zohoapis.eu/crm/v8"),
        ({}, "https://www.zohoapis.com.au/", "https://www.zohoapis.com.au/crm/v8"),
        ({}, None, "https://www.zohoapis.com/crm/v8"),
        ({}, "https://evil.com", "https://www.zohoapis.com/crm/v8"),
        ({}, "http://www.zohoapis.eu", "https://www.zohoapis.com/crm/v8"),
        ({}, "https://www.zohoapis.com.evil.io", "https://www.zohoapis.com/crm/v8"),
        ({}, 12345, "https://www.zohoapis.com/crm/v8"),
        ({"api_version": "v7"}, "https://www.zohoapis.in", "https://www.zohoapis.in/crm/v7"),
        ({"api_url": "https://proxy.example/zoho"}, "https://www.zohoapis.eu", "https://proxy.example/zoho/crm/v8"),
        ({"environment": "sandbox"}, "https://www.zohoapis.com", "https://sandbox.zohoapis.com/crm/v8"),
        (
            {"environment": "developer", "data_center": "ca"},
            "https://www.zohoapis.ca",
            "https://developer.zohoapis.ca/crm/v8",
        ),
    ],
)
def test_api_domain_from_token_response(make_zoho_conn, requests_mock, extras, api_domain, expected_root):
    make_zoho_conn(**extras)
    settings = ZohoCRMHook().settings
    requests_mock.post(settings.token_url, json=token_body(api_domain=api_domain))
    called = requests_mock.get(f"{expected_root}/org", json={"org": []})
    assert ZohoCRMHook().request("GET", "org") == {"org": []}
    assert called.call_count == 1


# --- token endpoint failures -------------------------------------------------------------------


def test_invalid_code_is_an_auth_error(zoho_conn, requests_mock, api, recorded_sleeps):
    requests_mock.post(TOKEN_URL, json={"error": "invalid_code"})
    with pytest.raises(ZohoCRMAuthError) as info:
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    error = info.value
    assert error.code == "invalid_code"
    assert error.status_code == 200
    assert "refresh token" in str(error)
    assert "generate a new one" in str(error)
    assert error.details["conn_id"] == "zoho_crm_default"
    assert len(token_requests(requests_mock)) == 1
    assert api.call_count == 0
    assert recorded_sleeps == []


@pytest.mark.parametrize(
    ("error", "phrases"),
    [
        (
            "invalid_client",
            (
                "client secret is likely wrong",
                "client id is unknown to the accounts server https://accounts.zoho.com (data center 'us')",
                "Check the Client ID and Client Secret in the connection",
                "data center",
            ),
        ),
        ("invalid_client_secret", ("rejected the client secret", "Check the Client Secret in the connection")),
        ("unsupported_grant", ("unsupported_grant",)),
    ],
)
@pytest.mark.parametrize("status", [200, 400])
def test_other_token_errors(zoho_conn, requests_mock, api, error, phrases, status):
    # Zoho's accounts server answers these with HTTP 200; a 200 is never shown as an error status.
    requests_mock.post(TOKEN_URL, status_code=status, json={"error": error})
    with pytest.raises(ZohoCRMAuthError) as info:
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert info.value.code == error
    assert info.value.status_code == status
    text = str(info.value)
    assert text.startswith(f"{error}: " if status == 200 else f"400 {error}: ")
    assert "200" not in text
    for phrase in phrases:
        assert phrase in text
    for secret in (CLIENT_SECRET, REFRESH_TOKEN):
        assert secret not in text
    assert len(token_requests(requests_mock)) == 1


def test_access_denied_throttle_is_not_retried(zoho_conn, requests_mock, api, recorded_sleeps):
    requests_mock.post(
        TOKEN_URL,
        json={
            "error_description": "You have made too many requests continuously. Please try again after some time.",
            "error": "Access Denied",
            "status": "failure",
        },
    )
    with pytest.raises(ZohoCRMRateLimitError) as info:
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert info.value.code == "Access Denied"
    assert "10" in str(info.value)
    assert len(token_requests(requests_mock)) == 1
    assert recorded_sleeps == []
    assert api.call_count == 0


@pytest.mark.parametrize(
    "answer",
    [{"text": "<html>login</html>"}, {"json": ["not", "a", "dict"]}, {"json": {"access_token": ""}}],
    ids=["html", "list", "empty-token"],
)
def test_token_answer_without_a_token(zoho_conn, requests_mock, api, answer):
    requests_mock.post(TOKEN_URL, **answer)
    with pytest.raises(ZohoCRMAuthError):
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 1


def test_token_server_error_is_retried(zoho_conn, requests_mock, api, recorded_sleeps):
    requests_mock.post(TOKEN_URL, [{"status_code": 503, "text": "busy"}, {"json": token_body()}])
    assert ZohoCRMHook().request("GET", WORKFLOW_PATH) == {"workflow_rules": []}
    assert len(token_requests(requests_mock)) == 2
    assert len(recorded_sleeps) == 1


def test_token_server_error_forever(zoho_conn, requests_mock, api, recorded_sleeps):
    requests_mock.post(TOKEN_URL, status_code=500, text="down")
    with pytest.raises(ZohoCRMServerError) as info:
        ZohoCRMHook(max_attempts=3).request("GET", WORKFLOW_PATH)
    assert info.value.status_code == 500
    assert len(token_requests(requests_mock)) == 3
    assert api.call_count == 0


@pytest.mark.parametrize("failure", [requests.ConnectionError, requests.Timeout])
def test_unreachable_accounts_server_is_retried(zoho_conn, requests_mock, api, recorded_sleeps, failure):
    requests_mock.post(TOKEN_URL, [{"exc": failure}, {"json": token_body()}])
    assert ZohoCRMHook().request("GET", WORKFLOW_PATH) == {"workflow_rules": []}
    assert len(token_requests(requests_mock)) == 2


def test_unreachable_accounts_server_error(zoho_conn, requests_mock, recorded_sleeps):
    requests_mock.post(TOKEN_URL, exc=requests.ConnectionError("refused"))
    with pytest.raises(ZohoCRMTransportError, match=r"accounts server https://accounts\.zoho\.com"):
        ZohoCRMHook(max_attempts=2).request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 2


# --- where the refresh token goes --------------------------------------------------------------


def test_refresh_token_goes_only_to_the_accounts_server(zoho_conn, requests_mock, api):
    mock_token(requests_mock)
    requests_mock.post(f"https://www.zohoapis.com/crm/v8/{WORKFLOW_PATH}", json={"workflow_rules": []})
    hook = ZohoCRMHook()
    hook.request("GET", WORKFLOW_PATH, params={"page": 1})
    hook.request("POST", WORKFLOW_PATH, json={"workflow_rules": [{"name": "x"}]})

    (token_request,) = token_requests(requests_mock)
    assert token_request.hostname == "accounts.zoho.com"
    assert token_request.scheme == "https"
    assert token_request.query == ""  # secrets in the body, not in the URL
    assert parse_qs(token_request.text) == {
        "grant_type": ["refresh_token"],
        "client_id": [CLIENT_ID],
        "client_secret": [CLIENT_SECRET],
        "refresh_token": [REFRESH_TOKEN],
    }
    assert "Authorization" not in token_request.headers

    api_calls = api_requests(requests_mock)
    assert len(api_calls) == 2
    for request in api_calls:
        assert request.hostname == "www.zohoapis.com"
        assert request.headers["Authorization"] == f"Zoho-oauthtoken {ACCESS_TOKEN}"
        everything = f"{request.url} {request.body!r} {dict(request.headers)!r}"
        assert REFRESH_TOKEN not in everything
        assert CLIENT_SECRET not in everything
        assert everything.count(ACCESS_TOKEN) == 1  # only in the Authorization header


def test_token_endpoint_redirect_is_not_followed(zoho_conn, requests_mock, api):
    requests_mock.post(TOKEN_URL, status_code=302, headers={"Location": "https://evil.example/steal"})
    stolen = requests_mock.post("https://evil.example/steal", json=token_body())
    stolen_get = requests_mock.get("https://evil.example/steal", json=token_body())
    with pytest.raises(ZohoCRMRedirectError, match=r"HTTP 302, a redirect to https://evil\.example/steal") as info:
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert "accounts_url (now https://accounts.zoho.com)" in str(info.value)
    assert requests_mock.call_count == 1
    assert stolen.call_count == stolen_get.call_count == 0


def test_token_request_uses_the_connection_timeout(make_zoho_conn, requests_mock, api):
    make_zoho_conn(timeout=12)
    mock_token(requests_mock)
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert token_requests(requests_mock)[0].timeout == 12.0


# --- secret registration -----------------------------------------------------------------------


def test_secrets_are_registered_with_the_masker(monkeypatch, requests_mock):
    masked: list[str] = []
    monkeypatch.setattr(oauth, "register_secret", masked.append)
    mock_token(requests_mock)
    manager = TokenManager(make_settings(), requests.Session(), None)
    assert masked == [CLIENT_SECRET, REFRESH_TOKEN]
    manager.get()
    assert ACCESS_TOKEN in masked


def test_invalidate_drops_only_the_rejected_token(requests_mock):
    mock_token(requests_mock)
    manager = TokenManager(make_settings(), requests.Session(), None)
    token = manager.get()
    manager.invalidate("some-other-token")
    assert MEMORY_CACHE.load(manager.key) is token
    manager.invalidate(token.value)
    assert MEMORY_CACHE.load(manager.key) is None

"""TokenManager.mint_fresh(): a token the accounts server grants now, whatever the caches hold.

What a connection test relies on: a cached token only proves that the credential once worked.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from airflow_provider_zohocrm.auth.oauth import MINT_WINDOW_SECONDS, TokenManager
from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, AccessToken, FileTokenCache, MintDenial
from airflow_provider_zohocrm.exceptions import ZohoCRMAuthError, ZohoCRMTokenThrottleError
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from unit.helpers import TOKEN_URL, WORKFLOW_PATH, WORKFLOW_URL, make_settings, token_body, token_requests

ACCESS_DENIED = {"error": "Access Denied", "status": "failure"}


@pytest.fixture
def api(requests_mock: Any) -> Any:
    return requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})


def test_mint_fresh_asks_although_a_good_token_is_cached(zoho_conn, requests_mock, api):
    requests_mock.post(TOKEN_URL, [{"json": token_body("cached-token-1111")}, {"json": token_body("fresh-token-2222")}])
    hook = ZohoCRMHook()
    hook.request("GET", WORKFLOW_PATH)
    key = hook.transport.tokens.key
    assert MEMORY_CACHE.load(key).value == FileTokenCache().load(key).value == "cached-token-1111"

    fresh = hook.transport.tokens.mint_fresh()
    assert fresh.value == "fresh-token-2222"
    assert len(token_requests(requests_mock)) == 2
    # Kept for later callers, in this process and on this host: the next call mints nothing.
    assert MEMORY_CACHE.load(key) == fresh
    assert FileTokenCache().load(key) == fresh
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert len(token_requests(requests_mock)) == 2
    assert api.request_history[-1].headers["Authorization"] == "Zoho-oauthtoken fresh-token-2222"


def test_mint_fresh_refused_credentials_raise_and_leave_the_cache_alone(zoho_conn, requests_mock, api):
    requests_mock.post(TOKEN_URL, [{"json": token_body("cached-token-1111")}, {"json": {"error": "invalid_client"}}])
    hook = ZohoCRMHook()
    hook.request("GET", WORKFLOW_PATH)
    with pytest.raises(ZohoCRMAuthError) as info:
        hook.transport.tokens.mint_fresh()
    assert info.value.code == "invalid_client"
    assert MEMORY_CACHE.load(hook.transport.tokens.key).value == "cached-token-1111"


@pytest.mark.parametrize("where", ["memory", "file"])
def test_mint_fresh_honours_a_remembered_refusal(zoho_conn, requests_mock, api, where):
    token = requests_mock.post(TOKEN_URL, json=token_body())
    hook = ZohoCRMHook()
    key = hook.transport.tokens.key
    now = hook.transport.tokens.clock()
    denial = MintDenial(denied_at=now, retry_at=now + 300)
    (MEMORY_CACHE if where == "memory" else FileTokenCache()).store_denial(key, denial)
    with pytest.raises(ZohoCRMTokenThrottleError) as info:
        hook.transport.tokens.mint_fresh()
    assert info.value.retry_after == pytest.approx(300, abs=5)
    assert token.call_count == 0


def test_mint_fresh_remembers_a_new_refusal_and_waits_for_nobody(zoho_conn, requests_mock, api, recorded_sleeps):
    token = requests_mock.post(TOKEN_URL, json=ACCESS_DENIED)
    hook = ZohoCRMHook()
    with pytest.raises(ZohoCRMTokenThrottleError) as info:
        hook.transport.tokens.mint_fresh()
    assert info.value.retry_after == pytest.approx(MINT_WINDOW_SECONDS, abs=5)
    assert recorded_sleeps == []  # a peer's token would prove nothing: it is not waited for
    key = hook.transport.tokens.key
    assert MEMORY_CACHE.load_denial(key) is not None
    assert FileTokenCache().load_denial(key) is not None
    with pytest.raises(ZohoCRMTokenThrottleError):
        ZohoCRMHook().transport.tokens.mint_fresh()
    assert token.call_count == 1


def test_mint_fresh_retries_a_failing_accounts_server(zoho_conn, requests_mock, api, recorded_sleeps):
    requests_mock.post(TOKEN_URL, [{"status_code": 503, "text": "busy"}, {"json": token_body("fresh-token-2222")}])
    assert ZohoCRMHook().transport.tokens.mint_fresh().value == "fresh-token-2222"
    assert len(token_requests(requests_mock)) == 2
    assert len(recorded_sleeps) == 1


class _UnwritableCache:
    """A shared cache whose store fails (a full disk, a directory of another user)."""

    def load(self, key: str) -> AccessToken | None:
        return None

    def store(self, key: str, token: AccessToken) -> None:
        raise PermissionError("read-only")

    def discard(self, key: str, value: str) -> None:
        pass

    def refresh_lock(self, key: str) -> Any:
        raise AssertionError("mint_fresh takes no shared lock")


def test_mint_fresh_survives_a_shared_cache_that_cannot_store(requests_mock, caplog):
    requests_mock.post(TOKEN_URL, json=token_body("fresh-token-2222"))
    manager = TokenManager(make_settings(), requests.Session(), _UnwritableCache())  # type: ignore[arg-type]
    assert manager.mint_fresh().value == "fresh-token-2222"
    assert MEMORY_CACHE.load(manager.key).value == "fresh-token-2222"
    assert "Could not store the new access token in the shared cache (PermissionError)" in caplog.text

"""Zoho's refusal to mint ("Access Denied") is remembered: nobody asks again until it has surely cleared.

Zoho mints at most 10 access tokens per refresh token in a rolling 10 minutes. Every denied
request is wasted, and tasks that each ask again keep the throttle busy; so the first denial is
kept in the token caches (memory, the host's file, the deployment's Variables) and every caller
that reaches them fails at once, without a request, until a whole window has passed.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import requests

from airflow_provider_zohocrm.auth.oauth import MINT_WINDOW_SECONDS, TokenManager
from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, FileTokenCache, MintDenial
from airflow_provider_zohocrm.exceptions import ZohoCRMTokenThrottleError
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from unit.helpers import TOKEN_URL, WORKFLOW_PATH, WORKFLOW_URL, make_settings, token_body, token_requests

ACCESS_DENIED = {
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "error": "Access Denied",
    "status": "failure",
}


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def api(requests_mock: Any) -> Any:
    return requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})


def _call(clock: Clock, **hook_kwargs: Any) -> Any:
    hook = ZohoCRMHook(**hook_kwargs)
    hook.transport.tokens.clock = clock
    return hook.request("GET", WORKFLOW_PATH)


def test_a_denial_stops_every_later_request_until_the_window_passed(zoho_conn, requests_mock, api, recorded_sleeps):
    token = requests_mock.post(TOKEN_URL, [{"json": ACCESS_DENIED}, {"json": token_body()}])
    clock = Clock()
    with pytest.raises(ZohoCRMTokenThrottleError) as first:
        _call(clock)
    assert first.value.retry_after == MINT_WINDOW_SECONDS
    for seconds in (0, 1, 299, MINT_WINDOW_SECONDS - 1):
        clock.now = 1_000_000.0 + seconds
        with pytest.raises(ZohoCRMTokenThrottleError) as later:
            _call(clock)
        assert later.value.code == "Access Denied"
        assert later.value.retry_after == pytest.approx(MINT_WINDOW_SECONDS - seconds)
        assert "no new token is asked for before" in str(later.value)
    assert token.call_count == 1  # none of the later calls asked Zoho
    clock.now = 1_000_000.0 + MINT_WINDOW_SECONDS
    assert _call(clock) == {"workflow_rules": []}  # the window passed: one request, and it succeeds
    assert token.call_count == 2
    assert recorded_sleeps == []
    assert api.call_count == 1


def test_other_processes_on_the_host_see_the_denial(zoho_conn, requests_mock, api, token_cache_dir):
    token = requests_mock.post(TOKEN_URL, json=ACCESS_DENIED)
    clock = Clock()
    with pytest.raises(ZohoCRMTokenThrottleError):
        _call(clock)
    MEMORY_CACHE.clear()  # as if another task process started on the host
    with pytest.raises(ZohoCRMTokenThrottleError):
        _call(clock)
    assert token.call_count == 1
    (denial_file,) = token_cache_dir.glob("*.denied.json")
    assert json.loads(denial_file.read_text()) == {"denied_at": clock.now, "retry_at": clock.now + 600}
    assert oct(denial_file.stat().st_mode & 0o777) == "0o600"


def test_a_memory_only_cache_remembers_the_denial_in_the_process(make_zoho_conn, requests_mock, api, token_cache_dir):
    make_zoho_conn(auth_cache="memory")
    token = requests_mock.post(TOKEN_URL, json=ACCESS_DENIED)
    clock = Clock()
    for _ in range(3):
        with pytest.raises(ZohoCRMTokenThrottleError):
            _call(clock)
    assert token.call_count == 1
    assert not token_cache_dir.exists()


def test_thirty_calls_at_once_ask_once(zoho_conn, requests_mock, api, recorded_sleeps):
    token = requests_mock.post(TOKEN_URL, json=ACCESS_DENIED)
    hooks = [ZohoCRMHook() for _ in range(30)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(30)

    def call(hook: ZohoCRMHook) -> None:
        barrier.wait(5)
        try:
            hook.request("GET", WORKFLOW_PATH)
        except ZohoCRMTokenThrottleError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(hook,)) for hook in hooks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 30
    assert token.call_count == 1
    assert recorded_sleeps == []


def test_a_valid_cached_token_is_used_while_minting_is_refused(zoho_conn, requests_mock, api):
    requests_mock.post(TOKEN_URL, [{"json": token_body()}, {"json": ACCESS_DENIED}])
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    MEMORY_CACHE.store_denial(ZohoCRMHook().transport.tokens.key, MintDenial(0.0, 9e12))
    assert ZohoCRMHook().request("GET", WORKFLOW_PATH) == {"workflow_rules": []}  # no new token needed
    assert len(token_requests(requests_mock)) == 1


@pytest.mark.parametrize("content", ["not json", "[]", '{"denied_at": 1}', '{"denied_at": "x", "retry_at": 2}'])
def test_a_corrupt_denial_file_is_no_denial(tmp_path, requests_mock, content):
    requests_mock.post(TOKEN_URL, json=token_body())
    cache = FileTokenCache(tmp_path)
    manager = TokenManager(make_settings(), requests.Session(), cache)
    cache.ensure_dir()
    (tmp_path / f"{manager.key}.denied.json").write_text(content)
    assert cache.load_denial(manager.key) is None
    assert manager.get().value


def test_file_cache_denial_round_trip(tmp_path):
    cache = FileTokenCache(tmp_path / "c")
    assert cache.load_denial("k") is None
    cache.store_denial("k", MintDenial(10.0, 610.0))
    assert cache.load_denial("k") == MintDenial(10.0, 610.0)
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["k.denied.json"]  # no temporary files left


def test_an_unwritable_host_cache_still_remembers_in_memory(zoho_conn, requests_mock, api, monkeypatch):
    token = requests_mock.post(TOKEN_URL, json=ACCESS_DENIED)

    def broken(self: Any, key: str, denial: MintDenial) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(FileTokenCache, "store_denial", broken)
    clock = Clock()
    for _ in range(2):
        with pytest.raises(ZohoCRMTokenThrottleError):
            _call(clock)
    assert token.call_count == 1


def test_variable_cache_shares_the_denial_across_hosts(requests_mock, tmp_path, monkeypatch):
    from airflow_provider_zohocrm.auth import variable_cache
    from airflow_provider_zohocrm.auth.variable_cache import VariableTokenCache

    values: dict[str, Any] = {}

    class Variables:
        @staticmethod
        def get(key: str, default: Any = None) -> Any:
            return values.get(key) or default

        @staticmethod
        def set(key: str, value: str) -> None:
            values[key] = value

    monkeypatch.setattr(variable_cache, "_variable", lambda: Variables)
    monkeypatch.setattr(variable_cache, "LEASE_SETTLE_SECONDS", 0.0)
    token = requests_mock.post(TOKEN_URL, json=ACCESS_DENIED)
    clock = Clock()

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds

    monkeypatch.setattr("airflow_provider_zohocrm.retry._sleep", sleep)

    def manager(host: str) -> TokenManager:
        cache = VariableTokenCache(FileTokenCache(tmp_path / host), clock=clock)
        return TokenManager(make_settings(), requests.Session(), cache, clock=clock, throttle_wait_seconds=5)

    with pytest.raises(ZohoCRMTokenThrottleError):
        manager("host-a").get()  # refused itself: waits briefly for a peer's token, none comes
    assert sleeps
    sleeps.clear()
    clock.now = 1_000_000.0
    MEMORY_CACHE.clear()
    with pytest.raises(ZohoCRMTokenThrottleError) as other_host:
        manager("host-b").get()  # its own file cache is empty: the Variable holds the denial
    assert token.call_count == 1
    assert other_host.value.retry_after == pytest.approx(MINT_WINDOW_SECONDS)
    assert sleeps == []  # a remembered refusal: no peer can mint either, so nothing is waited for

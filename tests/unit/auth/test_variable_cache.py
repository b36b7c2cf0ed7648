"""The deployment-wide (Variable) token cache: one refresh across hosts, waiting out a throttle."""

from __future__ import annotations

import json
import threading
from typing import Any, ClassVar

import pytest
import requests

from airflow_provider_zohocrm.auth import variable_cache
from airflow_provider_zohocrm.auth.oauth import TokenManager
from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, AccessToken, FileTokenCache
from airflow_provider_zohocrm.auth.variable_cache import VariableTokenCache
from airflow_provider_zohocrm.connection import settings_from_connection
from airflow_provider_zohocrm.exceptions import ZohoCRMRateLimitError

TOKEN_URL = "https://accounts.zoho.com/oauth/v2/token"


class FakeVariables:
    """A dict standing in for Airflow Variables (what workers on every host would share)."""

    def __init__(self) -> None:
        self.values: dict[str, str | None] = {}
        self.lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def set(self, key: str, value: str) -> None:
        with self.lock:
            self.values[key] = value


class _Conn:
    conn_id = "zoho_crm_default"
    login = "1000.CID"
    password = "canary-client-secret-7f3a"
    extra_dejson: ClassVar[dict[str, str]] = {"refresh_token": "canary-refresh-token-9b2c", "auth_cache": "variable"}


@pytest.fixture
def variables(monkeypatch: pytest.MonkeyPatch) -> FakeVariables:
    fake = FakeVariables()
    monkeypatch.setattr(variable_cache, "_variable", lambda: fake)
    monkeypatch.setattr(variable_cache, "LEASE_SETTLE_SECONDS", 0.0)
    return fake


def _host(tmp_path: Any, name: str) -> VariableTokenCache:
    """A cache as one host sees it: its own token file directory, the shared Variables."""
    return VariableTokenCache(FileTokenCache(tmp_path / name))


def _manager(cache: VariableTokenCache) -> TokenManager:
    return TokenManager(settings_from_connection(_Conn()), requests.Session(), cache)


def test_two_hosts_share_one_refresh(requests_mock: Any, variables: FakeVariables, tmp_path: Any) -> None:
    requests_mock.post(TOKEN_URL, json={"access_token": "1000.shared-token", "expires_in": 3600})
    first = _manager(_host(tmp_path, "host-a")).get()
    MEMORY_CACHE.clear()  # the second host is another process: nothing in memory
    second = _manager(_host(tmp_path, "host-b")).get()
    assert first.value == second.value == "1000.shared-token"
    assert requests_mock.call_count == 1
    stored = json.loads(variables.values[VariableTokenCache.variable_name(_manager(_host(tmp_path, "c")).key)] or "")
    assert set(stored) == {"value", "expires_at", "refresh_at", "api_domain"}  # no refresh token, no secret


def test_throttled_refresh_waits_for_a_peers_token(
    requests_mock: Any, variables: FakeVariables, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests_mock.post(TOKEN_URL, json={"error": "Access Denied", "status": "failure"})
    manager = _manager(_host(tmp_path, "host-a"))
    peer_token = AccessToken("1000.peer-token", expires_at=9e12, refresh_at=9e12)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # while we wait, another host stores its fresh token
        sleeps.append(seconds)
        _host(tmp_path, "host-b").store(manager.key, peer_token)

    monkeypatch.setattr("airflow_provider_zohocrm.retry._sleep", sleep)
    assert manager.get().value == "1000.peer-token"
    assert requests_mock.call_count == 1  # the throttle was not hot-retried
    assert sleeps == [1.0]


def test_throttle_without_a_peer_token_raises_after_the_wait(
    requests_mock: Any, variables: FakeVariables, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests_mock.post(TOKEN_URL, json={"error": "Access Denied", "status": "failure"})
    now = [1000.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    monkeypatch.setattr("airflow_provider_zohocrm.retry._sleep", sleep)
    manager = TokenManager(
        settings_from_connection(_Conn()), requests.Session(), _host(tmp_path, "a"), clock=lambda: now[0]
    )
    with pytest.raises(ZohoCRMRateLimitError) as err:
        manager.get()
    assert err.value.code == "Access Denied"
    assert now[0] - 1000.0 >= manager.throttle_wait_seconds
    assert requests_mock.call_count == 1


def test_unreadable_variables_degrade_to_the_host_cache(
    requests_mock: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    class Broken:
        def get(self, *args: Any) -> Any:
            raise ImportError("no task supervisor")

        def set(self, *args: Any) -> None:
            raise ImportError("no task supervisor")

    monkeypatch.setattr(variable_cache, "_variable", lambda: Broken())
    requests_mock.post(TOKEN_URL, json={"access_token": "1000.local", "expires_in": 3600})
    cache = _host(tmp_path, "host-a")
    assert _manager(cache).get().value == "1000.local"
    MEMORY_CACHE.clear()
    assert _manager(cache).get().value == "1000.local"  # served by the host file cache
    assert requests_mock.call_count == 1

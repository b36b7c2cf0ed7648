"""A token Zoho rejected is never handed out again, whatever order the callers of a process run in.

The fault suite once failed with ``401 INVALID_TOKEN``: call A got a 401 for token T1 and asked
for a new token while thread E, refreshing, had just read T1 back from the file cache. A dropped
T1 from memory, E stored it there again, A dropped it from the file, and A's retry got T1 back
from memory and carried it to Zoho a second time. These tests replay that interleaving.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from airflow_provider_zohocrm.auth.oauth import TokenManager
from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, AccessToken, FileTokenCache
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from unit.helpers import (
    INVALID_TOKEN,
    TOKEN_URL,
    WORKFLOW_PATH,
    WORKFLOW_URL,
    make_settings,
    token_body,
    token_requests,
)

FAR = 9e12
T1 = AccessToken("1000.t1-rejected", FAR, FAR)


class _PausingFileCache(FileTokenCache):
    """Pauses the thread named ``E`` right after it read the token file, until A has started renewing."""

    def __init__(self, directory: Any) -> None:
        super().__init__(directory)
        self.e_read = threading.Event()
        self.a_renewing = threading.Event()

    def load(self, key: str) -> AccessToken | None:
        token = super().load(key)
        if threading.current_thread().name == "E" and not self.e_read.is_set():
            self.e_read.set()
            self.a_renewing.wait(5)
            threading.Event().wait(0.3)  # let A run as far as it can before E stores what it read
        return token


def test_a_token_read_back_by_a_refreshing_thread_is_not_renewed_into(requests_mock, tmp_path):
    requests_mock.post(TOKEN_URL, json=token_body("1000.t2-fresh"))
    cache = _PausingFileCache(tmp_path)
    manager = TokenManager(make_settings(), requests.Session(), cache)
    cache.store(manager.key, T1)  # the file still holds T1; this process's memory is empty
    got: dict[str, AccessToken] = {}

    def e() -> None:
        got["E"] = manager.get()

    def a() -> None:
        cache.a_renewing.set()
        got["A"] = manager.renew(T1)  # A's request with T1 was just answered 401

    thread_e = threading.Thread(target=e, name="E")
    thread_e.start()
    assert cache.e_read.wait(5)
    thread_a = threading.Thread(target=a, name="A")
    thread_a.start()
    thread_e.join(10)
    thread_a.join(10)

    assert got["A"].value == "1000.t2-fresh"  # never T1 again
    assert MEMORY_CACHE.load(manager.key).value == "1000.t2-fresh"
    assert manager.get().value == "1000.t2-fresh"
    assert cache.load(manager.key).value == "1000.t2-fresh"
    assert len(token_requests(requests_mock)) == 1


class _StaleReplica:
    """A shared cache that keeps serving T1 (a replica that missed the discard)."""

    def __init__(self) -> None:
        self.stored: list[str] = []

    def load(self, key: str) -> AccessToken:
        return T1

    def store(self, key: str, token: AccessToken) -> None:
        self.stored.append(token.value)

    def discard(self, key: str, value: str) -> None:
        pass

    def refresh_lock(self, key: str) -> Any:
        import contextlib

        return contextlib.nullcontext()


@pytest.mark.parametrize("code", ["INVALID_OAUTHTOKEN", "INVALID_TOKEN", "AUTHENTICATION_FAILURE"])
def test_the_retry_never_carries_the_rejected_token(zoho_conn, requests_mock, recorded_sleeps, code):
    requests_mock.post(TOKEN_URL, json=token_body("1000.t2-fresh"))
    dead = {**INVALID_TOKEN, "code": code}

    def answer(request: Any, context: Any) -> dict[str, Any]:
        if request.headers["Authorization"].endswith(T1.value):
            context.status_code = 401
            return dead
        return {"workflow_rules": []}

    called = requests_mock.get(WORKFLOW_URL, json=answer)
    replica = _StaleReplica()
    hook = ZohoCRMHook(token_cache=replica)
    assert hook.request("GET", WORKFLOW_PATH) == {"workflow_rules": []}
    assert [r.headers["Authorization"] for r in called.request_history] == [
        f"Zoho-oauthtoken {T1.value}",
        "Zoho-oauthtoken 1000.t2-fresh",
    ]
    assert replica.stored == ["1000.t2-fresh"]
    # Later calls in the process keep using the fresh token though the replica still serves T1.
    MEMORY_CACHE.clear()
    MEMORY_CACHE.mark_dead(hook.transport.tokens.key, T1.value)
    hook.request("GET", WORKFLOW_PATH)
    assert called.request_history[-1].headers["Authorization"] != f"Zoho-oauthtoken {T1.value}"
    assert recorded_sleeps == []


def test_renew_reuses_a_token_another_caller_already_fetched(requests_mock, tmp_path):
    requests_mock.post(TOKEN_URL, json=token_body("1000.never-minted"))
    cache = FileTokenCache(tmp_path)
    manager = TokenManager(make_settings(), requests.Session(), cache)
    newer = AccessToken("1000.t2-from-a-peer", FAR, FAR)
    cache.store(manager.key, newer)  # another process renewed first
    assert manager.renew(T1).value == "1000.t2-from-a-peer"
    assert token_requests(requests_mock) == []


def test_dead_values_are_kept_per_credential_and_bounded():
    for number in range(40):
        MEMORY_CACHE.mark_dead("k", f"v{number}")
    assert MEMORY_CACHE.is_dead("k", "v39")
    assert not MEMORY_CACHE.is_dead("k", "v0")  # only the last few are kept
    assert not MEMORY_CACHE.is_dead("other", "v39")
    MEMORY_CACHE.clear()
    assert not MEMORY_CACHE.is_dead("k", "v39")

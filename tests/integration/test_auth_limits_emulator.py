"""Token and limit answers as Zoho gives them, end to end over HTTP against the emulator.

- every dead-token code Zoho is seen to use renews the token once and retries once;
- spent API credits fail the call at once, with no retry;
- while Zoho refuses to mint, 30 calls in 3 processes ask the accounts server once, not 30 times.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
import requests
from support.token_burst import token_burst

from airflow_provider_zohocrm.auth.token_cache import CACHE_DIR_ENV
from airflow_provider_zohocrm.exceptions import ZohoCRMCreditsExhaustedError
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.integration

TIMEOUT = 120.0


@pytest.mark.parametrize("code", ["INVALID_OAUTHTOKEN", "INVALID_TOKEN", "AUTHENTICATION_FAILURE"])
def test_every_dead_token_code_renews_once_and_retries_once(emulator, recorded_sleeps, code):
    emulator.set_config(dead_token_code=code)
    hook = ZohoCRMHook()
    assert hook.get_cadences()
    emulator.expire_tokens()  # Zoho killed the token; this process still caches it
    emulator.clear_journal()
    assert hook.get_cadences()
    assert [(entry["status"], entry["path"].rsplit("/", 1)[-1]) for entry in emulator.journal] == [
        (401, "cadences"),
        (200, "token"),
        (200, "cadences"),
    ]
    assert emulator.stats()["token_grants"] == 2
    assert recorded_sleeps == []


@pytest.mark.parametrize("code", ["INVALID_OAUTHTOKEN", "INVALID_TOKEN", "AUTHENTICATION_FAILURE"])
def test_a_token_killed_mid_call_by_a_fault_is_renewed(emulator, recorded_sleeps, code):
    emulator.set_config(dead_token_code=code)
    hook = ZohoCRMHook()
    hook.get_cadences()
    emulator.add_fault(kind="invalidate_token", path="/crm/")
    assert hook.get_cadences()
    assert collections.Counter(entry["status"] for entry in emulator.journal if "/crm/" in entry["path"]) == {
        200: 2,
        401: 1,
    }


def test_spent_credits_fail_at_once(emulator, recorded_sleeps):
    hook = ZohoCRMHook()
    hook.get_cadences()
    emulator.set_config(credit_allowance=emulator.stats()["credits_used"])
    emulator.clear_journal()
    with pytest.raises(ZohoCRMCreditsExhaustedError) as info:
        hook.get_cadences()
    assert [entry["status"] for entry in emulator.journal] == [429]  # one request, no retry
    assert recorded_sleeps == []
    assert "rolling 24 hours" in str(info.value)


def test_a_concurrency_429_is_retried_until_a_slot_frees(emulator, recorded_sleeps):
    hook = ZohoCRMHook()
    hook.get_cadences()
    emulator.add_fault(status=429, path="/crm/", count=2)  # Zoho's generic 429 body: not about credits
    assert hook.get_cadences()
    assert len(recorded_sleeps) == 2


def test_thirty_calls_in_three_processes_ask_once_while_minting_is_refused(tmp_path: Path):
    """Zoho allows 10 tokens per refresh token per 10 minutes; here they are spent by someone else."""
    with ZohoCRMEmulator(concurrency_limit=100) as emulator:
        form = {
            "grant_type": "refresh_token",
            "client_id": emulator.client_id,
            "client_secret": emulator.client_secret,
            "refresh_token": emulator.refresh_token,
        }
        for _ in range(10):
            assert "access_token" in requests.post(f"{emulator.url}/oauth/v2/token", data=form, timeout=10).json()
        before = emulator.stats()
        env = {**emulator.connection_env(), CACHE_DIR_ENV: str(tmp_path / "tokens")}

        rounds = token_burst(env, tasks=30, processes=3, rounds=2, timeout=TIMEOUT)

        stats = emulator.stats()
    asked = (stats["token_denials"] - before["token_denials"]) + (stats["token_grants"] - before["token_grants"])
    for burst in rounds:
        assert burst.ok == 0
        assert len(burst.errors) == 30
        assert all(error.startswith("ZohoCRMTokenThrottleError: ") for error in burst.errors), burst.errors[:3]
        assert burst.seconds < 30  # every call failed at once: none waited or looped
    assert asked == 1, stats  # one request in 60 calls over 3 processes (each asking again: 60)
    assert stats["api_requests"] == before["api_requests"] == 0

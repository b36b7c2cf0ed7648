"""One access token for a whole host: a burst of tasks over several processes, and the triggerer.

Zoho mints at most 10 access tokens per refresh token per 10 minutes; a deployment that starts 50
tasks at once must not spend more than one. Worker processes are spawned fresh (like task
processes) and share only ``ZOHO_CRM_TOKEN_CACHE_DIR``; the emulator counts the grants.
Mapped task instances are covered by the DAG-level count in ``tests/dags/test_canary_secrets.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.token_burst import BurstRound, split, token_burst

from airflow_provider_zohocrm.auth.token_cache import CACHE_DIR_ENV, MEMORY_CACHE
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator
from airflow_provider_zohocrm.triggers import WorkflowRuleStatusTrigger

pytestmark = pytest.mark.integration

TASKS, PROCESSES = 50, 4
TIMEOUT = 120.0  # seconds for any one wait; a hang fails the test instead of blocking CI


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ZohoCRMEmulator]:
    """Latency keeps the first refresh in flight while the other tasks arrive; no 429s in the way."""
    with ZohoCRMEmulator(latency_ms=50, concurrency_limit=100) as emu:
        for name, value in emu.connection_env().items():
            monkeypatch.setenv(name, value)
        yield emu


def _env(emulator: ZohoCRMEmulator, cache_dir: Path) -> dict[str, str]:
    return {**emulator.connection_env(), CACHE_DIR_ENV: str(cache_dir)}


def _assert_all_ok(burst: BurstRound) -> None:
    assert burst.errors == [], burst.errors[:5]
    assert burst.ok == TASKS


def test_tasks_are_spread_over_the_processes() -> None:
    assert split(50, 4) == [13, 13, 12, 12]
    assert split(3, 4) == [1, 1, 1]


def test_fifty_tasks_over_four_processes_mint_one_token_per_lifetime(
    emulator: ZohoCRMEmulator, token_cache_dir: Path
) -> None:
    grants_after: list[int] = []

    def expire_every_token(_: int) -> None:
        grants_after.append(emulator.stats()["token_grants"])
        emulator.expire_tokens()  # the hour is over on Zoho's side; every cache still holds the token

    rounds = token_burst(
        _env(emulator, token_cache_dir),
        tasks=TASKS,
        processes=PROCESSES,
        rounds=2,
        between=expire_every_token,
        timeout=TIMEOUT,
    )

    for burst in rounds:
        _assert_all_ok(burst)
    stats = emulator.stats()
    assert grants_after == [1]  # the first burst: one refresh for 50 tasks in 4 processes
    assert stats["token_grants"] == 2  # the second: every task saw INVALID_TOKEN, one refreshed
    assert stats["token_denials"] == 0
    assert stats["api_requests"] >= 2 * TASKS


def test_the_triggerer_reuses_the_token_a_task_cached(emulator: ZohoCRMEmulator) -> None:
    ZohoCRMHook().get_cadences()
    assert emulator.stats()["token_grants"] == 1
    # The triggerer is another process on the host: it shares the file cache, not this memory.
    MEMORY_CACHE.clear()
    rule_id = _active_rule(emulator)
    trigger = WorkflowRuleStatusTrigger(rule_id=rule_id, active=True, deadline=time.time() + 30, poke_interval=0.2)

    event = _run_trigger(trigger)

    assert event == {"status": "success", "state": True}
    assert emulator.stats()["token_grants"] == 1
    reads = [e for e in emulator.journal if e["path"].endswith(f"/workflow_rules/{rule_id}")]
    assert reads
    assert all(e["authorized"] and e["status"] == 200 for e in reads)


def _active_rule(emulator: ZohoCRMEmulator) -> str:
    rules = emulator.snapshot()["workflow_rules"]["workflow_rules"]
    return next(rule["id"] for rule in rules if rule["status"]["active"])


def _run_trigger(trigger: WorkflowRuleStatusTrigger) -> dict[str, Any]:
    async def first_event() -> Any:
        async for event in trigger.run():
            return event
        return None

    event = asyncio.run(asyncio.wait_for(first_event(), TIMEOUT))
    return dict(event.payload)

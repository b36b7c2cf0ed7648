"""Concurrency limit, rolling credits and latency."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from emulator_client import Api, error_of, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


def _parallel_gets(emulator: ZohoCRMEmulator, token: str, count: int) -> list[int]:
    barrier = threading.Barrier(count, timeout=5)

    def call(_: int) -> int:
        api = Api(emulator, token)  # one session, so one connection, per thread
        barrier.wait()
        return api.get("settings/modules").status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count), timeout=10))


def test_concurrency_limit_per_credential() -> None:
    with ZohoCRMEmulator(latency_ms=600, concurrency_limit=3) as emulator:
        statuses = _parallel_gets(emulator, fetch_token(emulator)["access_token"], 10)
        stats = emulator.stats()
    assert 429 in statuses
    assert statuses.count(200) <= 3
    assert stats["peak_in_flight"] <= 3
    assert stats["responses_429"] == statuses.count(429)
    assert stats["in_flight"] == 0


def test_concurrency_limit_body(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_config(concurrency_limit=1, latency_ms=300)
    slow = threading.Thread(target=lambda: Api(emulator, api.session.headers["Authorization"][16:]).get("org"))
    slow.start()
    deadline = time.monotonic() + 5
    while emulator.stats()["in_flight"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    status, code, details, _ = error_of(api.get("org"))
    slow.join(timeout=5)
    assert (status, code, details) == (429, "TOO_MANY_REQUESTS", {})


def test_latency_sleeps_outside_the_lock() -> None:
    with ZohoCRMEmulator(latency_ms=300) as emulator:
        token = fetch_token(emulator)["access_token"]
        started = time.monotonic()
        statuses = _parallel_gets(emulator, token, 8)
        elapsed = time.monotonic() - started
    assert statuses == [200] * 8
    assert 0.3 <= elapsed < 1.5  # 8 x 300 ms in sequence would take 2.4 s


def test_rolling_credit_allowance(emulator: ZohoCRMEmulator, make_api: Any) -> None:
    emulator.set_config(credit_allowance=3, token_lifetime=2 * 24 * 3600)
    api = make_api()
    assert [api.get("org").status_code for _ in range(3)] == [200] * 3
    assert error_of(api.get("org"))[:2] == (429, "TOO_MANY_REQUESTS")
    emulator.advance_clock(23 * 3600)
    assert api.get("org").status_code == 429
    emulator.advance_clock(3600 + 60)
    assert api.get("org").status_code == 200
    assert emulator.stats()["credits_used"] == 1


def test_token_calls_spend_no_credits(emulator: ZohoCRMEmulator) -> None:
    emulator.set_config(credit_allowance=0)
    assert "access_token" in fetch_token(emulator)

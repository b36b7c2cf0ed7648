"""Concurrency limit, rolling credits and latency."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from emulator_client import Api, error_of, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator
from airflow_provider_zohocrm.testing.emulator.wire import Request


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


def test_latency_counts_from_the_requests_arrival() -> None:
    """A request that arrived a minute ago is past a 30 s latency: it is answered at once."""
    with ZohoCRMEmulator() as emulator:
        token = fetch_token(emulator)
        emulator.set_config(latency_ms=30_000)
        request = Request(
            method="GET",
            path="/crm/v8/org",
            query={},
            headers={"Authorization": f"Zoho-oauthtoken {token['access_token']}"},
            received=time.monotonic() - 60,
        )
        replies: list[Any] = []
        worker = threading.Thread(target=lambda: replies.append(emulator.handle(request)))
        worker.start()
        worker.join(timeout=10)
        answered = not worker.is_alive()
    assert answered
    assert replies[0].status == 200


def test_the_work_is_done_on_arrival_and_the_answer_leaves_when_due() -> None:
    with ZohoCRMEmulator() as emulator:
        cadence_id, enrolled = next((c, ids) for c, ids in emulator.snapshot()["enrollments"].items() if ids)
        module = next(c["module"]["api_name"] for c in emulator.snapshot()["cadences"] if c["id"] == cadence_id)
        token = fetch_token(emulator)["access_token"]
        emulator.set_config(latency_ms=30_000)
        outcome: list[Any] = []

        def call() -> None:
            try:
                body = {"cadences_ids": [cadence_id], "ids": [enrolled[0]]}
                outcome.append(Api(emulator, token).post(f"{module}/actions/unenrol_from_cadences", json=body))
            except requests.RequestException as exc:  # the emulator stops under it
                outcome.append(exc)

        worker = threading.Thread(target=call)
        worker.start()
        deadline = time.monotonic() + 10
        while enrolled[0] in emulator.snapshot()["enrollments"][cadence_id] and time.monotonic() < deadline:
            time.sleep(0.01)
        done_in_store = enrolled[0] not in emulator.snapshot()["enrollments"][cadence_id]
        still_waiting = worker.is_alive() and emulator.stats()["in_flight"] == 1
    worker.join(timeout=10)  # stopping the emulator woke it
    assert done_in_store
    assert still_waiting
    assert not worker.is_alive()


def test_the_two_429s_say_which_limit_was_hit(emulator: ZohoCRMEmulator, make_api: Any) -> None:
    """Both are 429 TOO_MANY_REQUESTS, as on Zoho; only the words tell spent credits from concurrency."""
    from airflow_provider_zohocrm.exceptions import (
        ZohoCRMCreditsExhaustedError,
        ZohoCRMRateLimitError,
        error_from_response,
    )

    emulator.set_config(concurrency_limit=1, latency_ms=300)
    api = make_api()
    slow = threading.Thread(target=lambda: api.get("org"))
    slow.start()
    deadline = time.monotonic() + 5
    while emulator.stats()["in_flight"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    busy = api.get("org")
    slow.join(timeout=5)
    emulator.set_config(concurrency_limit=10, latency_ms=0, credit_allowance=emulator.stats()["credits_used"])
    spent = api.get("org")

    assert (
        (busy.status_code, busy.json()["code"])
        == (spent.status_code, spent.json()["code"])
        == (
            429,
            "TOO_MANY_REQUESTS",
        )
    )
    concurrency = error_from_response(429, busy.json())
    credits = error_from_response(429, spent.json())
    assert type(concurrency) is ZohoCRMRateLimitError
    assert type(credits) is ZohoCRMCreditsExhaustedError
    assert isinstance(credits, ZohoCRMRateLimitError)


def test_peak_in_flight_is_measured_per_window() -> None:
    """``POST stats/reset_peak`` starts a new measurement and answers the peak of the one it ends."""
    with ZohoCRMEmulator(latency_ms=300, concurrency_limit=20) as emulator:
        token = fetch_token(emulator)["access_token"]
        assert _parallel_gets(emulator, token, 6) == [200] * 6
        assert emulator.stats()["peak_in_flight"] == 6
        control = f"{emulator.url}/__emulator__/stats/reset_peak"
        assert requests.post(control, timeout=5).json() == {"peak_in_flight": 6}
        assert emulator.stats()["peak_in_flight"] == 0
        assert _parallel_gets(emulator, token, 2) == [200] * 2
        assert emulator.stats()["peak_in_flight"] == 2
        assert emulator.reset_peak() == 2


def test_reset_peak_keeps_the_calls_still_in_flight() -> None:
    with ZohoCRMEmulator(latency_ms=1000) as emulator:
        token = fetch_token(emulator)["access_token"]
        slow = threading.Thread(target=lambda: Api(emulator, token).get("org"))
        slow.start()
        deadline = time.monotonic() + 5
        while emulator.stats()["in_flight"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        emulator.reset_peak()
        peak = emulator.stats()["peak_in_flight"]
        slow.join(timeout=5)
    assert peak == 1

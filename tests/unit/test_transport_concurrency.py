"""Calls in flight per credential: one process-wide cap shared by every hook and thread."""

from __future__ import annotations

import threading
import time

import requests

from airflow_provider_zohocrm.hooks import ZohoCRMHook

from .helpers import WORKFLOW_PATH, WORKFLOW_URL, mock_token


def test_max_concurrency_caps_calls_in_flight(make_zoho_conn, requests_mock, recorded_sleeps):
    # A refresh token of its own: the slots are process-wide per credential.
    make_zoho_conn(max_concurrency=2, refresh_token="concurrency-refresh-token")
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, json={"ok": 1})
    hooks = [ZohoCRMHook() for _ in range(3)]
    hooks[0].request("GET", WORKFLOW_PATH)  # token cached; requests_mock serialises calls, so leave it now
    assert hooks[0].transport.slots is hooks[1].transport.slots is hooks[2].transport.slots
    lock = threading.Lock()
    in_flight = {"now": 0, "max": 0}

    def slow_request(method, url, **kwargs):
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        time.sleep(0.05)
        with lock:
            in_flight["now"] -= 1
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"ok": 1}'
        return response

    for hook in hooks:
        hook.transport.session.request = slow_request
    results: list[dict] = []
    threads = [
        threading.Thread(target=lambda h=hooks[i % 3]: results.append(h.request("GET", WORKFLOW_PATH)))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [{"ok": 1}] * 8
    assert in_flight["max"] == 2


def test_a_second_max_concurrency_for_the_same_credential_is_logged_not_silently_dropped(
    make_zoho_conn, requests_mock, caplog
):
    make_zoho_conn("zoho_a", max_concurrency=3, refresh_token="mixed-limits-refresh-token")
    make_zoho_conn("zoho_b", max_concurrency=6, refresh_token="mixed-limits-refresh-token")
    first, second = ZohoCRMHook("zoho_a").transport, ZohoCRMHook("zoho_b").transport
    assert first.slots is second.slots
    assert "max_concurrency 6 is ignored" in caplog.text
    assert "at 3" in caplog.text
    caplog.clear()
    assert ZohoCRMHook("zoho_a").transport.slots is first.slots
    assert "ignored" not in caplog.text

"""Batched un-enroll (page 004): exact call counts, every pair accounted for, bounded concurrency and memory."""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from airflow_provider_zohocrm.exceptions import ZohoCRMAuthError, ZohoCRMPermissionError, ZohoCRMValidationError
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.unenroll.engine import (
    UnenrollError,
    UnenrollProgress,
    describe_failures,
    planned_calls,
    unenroll,
)
from unit.helpers import TOKEN_URL, UNENROLL_URL, api_requests, mock_token, record_ids, token_requests

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def cadence_ids(count: int) -> list[str]:
    return [str(554023000004090000 + i) for i in range(count)]


def ok_item(record_id: str, cadences: list[str]) -> dict[str, Any]:
    refs = [{"name": f"Cadence {c}", "id": c} for c in cadences]
    details = {"id": record_id, "cadences": refs}
    return {"code": "SUCCESS", "details": details, "message": "records manually unenrolled", "status": "success"}


def bad_item(index: int, code: str = "INVALID_DATA", message: str = "given id seems to be invalid") -> dict[str, Any]:
    details = {"api_name": "ids", "json_path": f"$.ids[{index}]"}
    return {"code": code, "details": details, "message": message, "status": "error"}


def all_success(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return 200, {"data": [ok_item(rid, body["cadences_ids"]) for rid in body["ids"]]}


class FakeUnenroll:
    """A requests_mock callback: records bodies, counts calls in flight, answers with ``answer``."""

    def __init__(self, answer: Answer = all_success, delay: float = 0.0) -> None:
        self.answer = answer
        self.delay = delay
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.bodies: list[dict[str, Any]] = []
        self.records_answered = 0

    def __call__(self, request: Any, context: Any) -> Any:
        body = request.json()
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.bodies.append(body)
        try:
            if self.delay:
                time.sleep(self.delay)
            status, payload = self.answer(body)
            context.status_code = status
            return payload
        finally:
            with self.lock:
                self.in_flight -= 1
                self.records_answered += len(body["ids"])


class FakeRequest:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def json(self) -> dict[str, Any]:
        return self.body


class FakeContext:
    status_code = 200


@pytest.fixture
def fake(requests_mock: Any) -> FakeUnenroll:
    server = FakeUnenroll()
    requests_mock.post(UNENROLL_URL, json=server)
    return server


@pytest.mark.parametrize("cadence_count", [1, 5, 6, 7])
@pytest.mark.parametrize("record_count", [1, 100, 101, 250])
def test_calls_are_exactly_ceil_r_100_times_ceil_c_5_and_cover_every_pair_once(hook, fake, record_count, cadence_count):
    records, cadences = record_ids(record_count), cadence_ids(cadence_count)
    result = hook.unenroll_from_cadences("Contacts", records, cadences)

    expected_calls = math.ceil(record_count / 100) * math.ceil(cadence_count / 5)
    assert len(fake.bodies) == expected_calls == result["calls"] == planned_calls(record_count, cadence_count)
    pairs = [(rid, cid) for body in fake.bodies for rid in body["ids"] for cid in body["cadences_ids"]]
    assert len(pairs) == record_count * cadence_count
    assert set(pairs) == set(itertools.product(records, cadences))
    assert all(len(b["ids"]) <= 100 and len(b["cadences_ids"]) <= 5 for b in fake.bodies)
    assert result["succeeded"] == record_count * math.ceil(cadence_count / 5)
    assert result["failed"] == 0
    assert result["failures"] == []
    assert result["records"] == record_count


def test_result_has_the_documented_small_json_shape(hook, fake):
    result = hook.unenroll_from_cadences("Contacts", record_ids(3), cadence_ids(1))
    assert set(result) >= {
        "module", "cadence_ids", "records", "calls", "succeeded", "failed", "failures",
        "failures_truncated", "failed_by_code",
    }  # fmt: skip
    assert json.loads(json.dumps(result)) == result
    assert result["module"] == "Contacts"
    assert result["cadence_ids"] == cadence_ids(1)


def test_mixed_207_answers_are_all_accounted_for(hook, requests_mock):
    def answer(body):
        items = [
            bad_item(i) if int(rid) % 7 == 0 else ok_item(rid, body["cadences_ids"])
            for i, rid in enumerate(body["ids"])
        ]
        return 207, {"data": items}

    requests_mock.post(UNENROLL_URL, json=FakeUnenroll(answer))
    records = record_ids(250)
    result = hook.unenroll_from_cadences("Contacts", records, cadence_ids(1))

    bad = [rid for rid in records if int(rid) % 7 == 0]
    assert result["failed"] == len(bad) > 0
    assert result["succeeded"] == 250 - len(bad)
    assert sorted(f["record_id"] for f in result["failures"]) == sorted(bad)
    assert result["failed_by_code"] == {"INVALID_DATA": len(bad)}
    assert all(f["message"] == "given id seems to be invalid" for f in result["failures"])


def test_items_are_matched_by_json_path_or_id_when_counts_differ(hook, requests_mock):
    def answer(body):
        ids = body["ids"]
        # Out of order, one record missing from the answer altogether.
        return 207, {"data": [bad_item(2), ok_item(ids[0], body["cadences_ids"])]}

    requests_mock.post(UNENROLL_URL, json=FakeUnenroll(answer))
    records = record_ids(4)
    result = hook.unenroll_from_cadences("Contacts", records, cadence_ids(1))
    assert result["succeeded"] == 1
    codes = {f["record_id"]: f["code"] for f in result["failures"]}
    assert codes == {records[1]: "NO_RESULT", records[2]: "INVALID_DATA", records[3]: "NO_RESULT"}


def test_not_allowed_cadence_fails_its_whole_batch_clearly(hook, requests_mock):
    manual, automatic = cadence_ids(6)[:5], cadence_ids(6)[5]

    def answer(body):
        if automatic in body["cadences_ids"]:
            details = {"api_name": "cadences_id", "json_path": "$.cadences_id[0]"}
            message = "id given is not manual enrollment cadence"
            return 400, {"code": "NOT_ALLOWED", "details": details, "message": message, "status": "error"}
        return all_success(body)

    requests_mock.post(UNENROLL_URL, json=FakeUnenroll(answer))
    result = hook.unenroll_from_cadences("Contacts", record_ids(250), [*manual, automatic])

    assert result["succeeded"] == 250
    assert result["failed"] == 250
    assert result["failed_by_code"] == {"NOT_ALLOWED": 250}
    assert {tuple(f["cadence_ids"]) for f in result["failures"]} == {(automatic,)}
    assert result["calls"] + result["calls_skipped"] == 6
    assert "NOT_ALLOWED 250" in describe_failures(result)
    assert "not manual enrollment cadence" in describe_failures(result)


def test_a_cadence_error_stops_further_calls_for_that_cadence_batch(hook, requests_mock):
    def answer(body):
        details = {"api_name": "cadences_id", "json_path": "$.cadences_id[0]"}
        return 400, {"code": "NOT_ALLOWED", "details": details, "message": "not manual", "status": "error"}

    requests_mock.post(UNENROLL_URL, json=FakeUnenroll(answer))
    result = hook.unenroll_from_cadences("Contacts", record_ids(1000), cadence_ids(1), max_workers=1)
    assert result["calls"] == 1  # the first call proved the cadence cannot be used
    assert result["calls_skipped"] == 9
    assert result["failed"] == 1000
    assert result["failed_by_code"] == {"NOT_ALLOWED": 1000}


def test_errors_every_call_would_hit_stop_the_run_and_raise_typed(hook, requests_mock):
    forbidden = {"code": "NO_PERMISSION", "details": {"permissions": ["Crm_Implied_Manage_UnEnroll_Series"]}}
    requests_mock.post(
        UNENROLL_URL, status_code=403, json={**forbidden, "message": "permission denied", "status": "error"}
    )
    with pytest.raises(ZohoCRMPermissionError):
        hook.unenroll_from_cadences("Contacts", record_ids(10_000), cadence_ids(1), max_workers=4)
    assert 1 <= len(api_requests(requests_mock)) <= 4  # only the calls already in flight; 100 were planned


def test_a_fatal_error_mid_run_stops_sending(hook, requests_mock):
    calls = itertools.count()

    def answer(body):
        if next(calls) >= 3:
            return 401, {"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "invalid scope", "status": "error"}
        return all_success(body)

    requests_mock.post(UNENROLL_URL, json=FakeUnenroll(answer))
    with pytest.raises(Exception, match="OAUTH_SCOPE_MISMATCH"):
        hook.unenroll_from_cadences("Contacts", record_ids(100_000), cadence_ids(1), max_workers=2)
    assert len(api_requests(requests_mock)) < 20  # 1000 calls were planned


def test_server_errors_left_after_retries_fail_only_their_batch(hook, requests_mock, recorded_sleeps):
    poisoned = record_ids(1, start=150)[0]

    def answer(body):
        if poisoned in body["ids"]:
            return 500, {"code": "INTERNAL_ERROR", "details": {}, "message": "Internal Server Error", "status": "error"}
        return all_success(body)

    server = FakeUnenroll(answer)
    requests_mock.post(UNENROLL_URL, json=server)
    result = hook.unenroll_from_cadences("Contacts", record_ids(300), cadence_ids(2))
    assert result["succeeded"] == 200
    assert result["failed"] == 100
    assert result["failed_by_code"] == {"INTERNAL_ERROR": 100}
    assert len(server.bodies) == 2 + 6  # the 500 batch was tried max_attempts (6) times
    assert len(recorded_sleeps) == 5


def test_connection_errors_left_after_retries_fail_their_batch(hook, requests_mock, recorded_sleeps):
    def answer(body):
        if record_ids(1)[0] in body["ids"]:
            raise requests.ConnectionError("reset by peer")
        return all_success(body)

    requests_mock.post(UNENROLL_URL, json=FakeUnenroll(answer))
    result = hook.unenroll_from_cadences("Contacts", record_ids(200), cadence_ids(1))
    assert result["succeeded"] == 100
    assert result["failed_by_code"] == {"TRANSPORT_ERROR": 100}


def test_transient_errors_are_retried_and_succeed(hook, requests_mock, recorded_sleeps):
    flaky = itertools.count()

    def answer(body):
        if next(flaky) < 2:
            return 429, {"code": "TOO_MANY_REQUESTS", "details": {}, "message": "slow down", "status": "error"}
        return all_success(body)

    requests_mock.post(UNENROLL_URL, json=FakeUnenroll(answer))
    result = hook.unenroll_from_cadences("Contacts", record_ids(100), cadence_ids(1))
    assert result["succeeded"] == 100
    assert result["failed"] == 0


@pytest.mark.parametrize("max_workers", [1, 3, 8, 25])
def test_concurrency_never_exceeds_max_workers(max_workers):
    # At the engine's send() boundary: requests_mock serialises every send() behind one global lock,
    # so in-flight HTTP calls are counted against the emulator in the integration tests instead.
    server = FakeUnenroll(delay=0.005)

    def send(body: dict[str, Any]) -> dict[str, Any]:
        return server(FakeRequest(body), FakeContext())

    result = unenroll(send, "Contacts", record_ids(6000), cadence_ids(1), max_workers=max_workers)
    assert result["calls"] == 60
    assert result["succeeded"] == 6000
    assert server.peak <= max_workers
    if max_workers > 1:
        assert server.peak > 1  # and the calls really run in parallel


def test_a_generator_of_ids_is_streamed_not_materialised(hook, requests_mock):
    server = FakeUnenroll(delay=0.002)
    requests_mock.post(UNENROLL_URL, json=server)
    lookahead: list[int] = []

    def ids() -> Iterator[str]:
        for index in range(20_000):
            lookahead.append(index - server.records_answered)
            yield str(554023000001000000 + index)

    max_workers = 2
    progress: list[UnenrollProgress] = []
    result = hook.unenroll_from_cadences(
        "Contacts", ids(), cadence_ids(1), max_workers=max_workers, progress=progress.append
    )
    assert result["calls"] == 200
    assert result["succeeded"] == 20_000
    # Pending calls are bounded by 2 * max_workers; ids are read one batch beyond them at most.
    assert max(lookahead) <= (2 * max_workers + 2) * 100
    assert progress[-1].batches_total is None
    assert progress[-1].eta_seconds is None
    assert progress[-1].batches_done == 200


def test_bad_ids_in_a_stream_fail_client_side_and_the_rest_is_sent(hook, fake):
    def ids() -> Iterator[Any]:
        yield from record_ids(150)
        yield "not-an-id"
        yield None
        yield from record_ids(50, start=150)

    result = hook.unenroll_from_cadences("Contacts", ids(), cadence_ids(6))
    assert result["records"] == 202
    assert result["calls"] == 2 * 2  # 200 valid ids in 2 batches x 2 cadence batches
    assert result["succeeded"] == 200 * 2
    assert result["failed_by_code"] == {"INVALID_ID": 4}
    assert {f["record_id"] for f in result["failures"]} == {"not-an-id", "None"}


def test_bad_ids_in_a_list_raise_before_any_request(hook, requests_mock):
    expected = r"2 record id\(s\) are not Zoho ids .*: record_ids\[1\], record_ids\[3\]"
    with pytest.raises(ZohoCRMValidationError, match=expected):
        hook.unenroll_from_cadences("Contacts", ["1", "x", "2", "1 OR 1=1"], cadence_ids(1))
    assert requests_mock.request_history == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"module": "Con/tacts"}, "module must be a module API name"),
        ({"cadence_ids": []}, "cadence_ids is empty"),
        ({"cadence_ids": "554023000004092008"}, "cadence_ids must be a list"),
        ({"cadence_ids": ["12", "abc"]}, r"cadence_ids\[1\] must be a Zoho id"),
        ({"record_ids": "554023000001798647"}, "record_ids must be a list"),
        ({"record_ids": 5}, "record_ids must be a list"),
        ({"max_workers": 0}, "max_workers must be an integer from 1 to 25"),
        ({"max_workers": 26}, "max_workers must be an integer from 1 to 25"),
        ({"max_workers": True}, "max_workers must be an integer"),
    ],
)
def test_invalid_arguments_raise_before_any_request(hook, requests_mock, kwargs, match):
    args = {"module": "Contacts", "record_ids": record_ids(3), "cadence_ids": cadence_ids(1), **kwargs}
    with pytest.raises(ZohoCRMValidationError, match=match):
        hook.unenroll_from_cadences(**args)
    assert requests_mock.request_history == []


def test_duplicate_cadence_ids_are_sent_once(hook, fake):
    cadence = cadence_ids(1)[0]
    result = hook.unenroll_from_cadences("Contacts", record_ids(5), [cadence, cadence, int(cadence)])
    assert [b["cadences_ids"] for b in fake.bodies] == [[cadence]]
    assert result["cadence_ids"] == [cadence]


def test_progress_reports_totals_rate_and_eta_for_lists(hook, fake):
    progress: list[UnenrollProgress] = []
    hook.unenroll_from_cadences("Contacts", record_ids(1000), cadence_ids(6), progress=progress.append)
    assert [p.batches_done for p in progress][-1] == 20
    assert all(p.batches_total == 20 for p in progress)
    assert progress[-1].eta_seconds == 0
    assert progress[-1].records_done == 1000
    assert progress[-1].records_per_second > 0
    assert progress[-1].succeeded == 2000


def test_empty_input_makes_no_call(hook, requests_mock):
    result = hook.unenroll_from_cadences("Contacts", [], cadence_ids(1))
    assert result["calls"] == 0
    assert result["records"] == 0
    assert requests_mock.request_history == []


# ----------------------------------------------------------------- engine without HTTP


def failing_send(code: str = "INVALID_DATA") -> Callable[[dict[str, Any]], dict[str, Any]]:
    def send(body: dict[str, Any]) -> dict[str, Any]:
        return {"data": [bad_item(i, code) for i in range(len(body["ids"]))]}

    return send


def test_failures_are_capped_but_counted():
    result = unenroll(failing_send(), "Leads", record_ids(2500), cadence_ids(1), max_failures=10)
    assert len(result["failures"]) == 10
    assert result["failures_truncated"] is True
    assert result["failed"] == 2500
    assert result["failed_by_code"] == {"INVALID_DATA": 2500}


def test_default_cap_keeps_the_first_1000_failures():
    result = unenroll(failing_send(), "Leads", record_ids(1200), cadence_ids(1))
    assert len(result["failures"]) == 1000
    assert result["failures_truncated"] is True


@pytest.mark.parametrize(
    "item",
    [
        {"code": "NOT_ENROLLED", "details": {}, "message": "record not enrolled", "status": "error"},
        {
            "code": "INVALID_DATA",
            "details": {},
            "message": "The record is not enrolled in the cadence",
            "status": "error",
        },
    ],
)
def test_a_not_enrolled_answer_counts_as_success(item):
    result = unenroll(lambda body: {"data": [item for _ in body["ids"]]}, "Leads", record_ids(3), cadence_ids(1))
    assert result["succeeded"] == 3
    assert result["failed"] == 0
    assert result["succeeded_by_code"] == {item["code"]: 3}  # noted with Zoho's code, not a plain SUCCESS
    assert [note["record_id"] for note in result["notes"]] == record_ids(3)


def test_an_empty_204_answer_reports_each_record_as_succeeded_with_no_content():
    def send(body: dict[str, Any]) -> dict[str, Any]:
        return {} if body["ids"][0] == record_ids(1, start=100)[0] else all_success(body)[1]

    result = unenroll(send, "Leads", record_ids(250), cadence_ids(1))
    assert (result["succeeded"], result["failed"]) == (250, 0)
    assert result["succeeded_by_code"] == {"NO_CONTENT": 100, "SUCCESS": 150}
    assert [note["record_id"] for note in result["notes"]] == record_ids(100, start=100)
    assert {(note["code"], tuple(note["cadence_ids"])) for note in result["notes"]} == {
        ("NO_CONTENT", tuple(cadence_ids(1)))
    }
    assert "204" in result["notes"][0]["message"]


def test_a_bug_in_send_is_raised_not_swallowed():
    def send(body: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        unenroll(send, "Leads", record_ids(300), cadence_ids(1))


def test_unenroll_error_lists_counts_and_first_failures():
    result = unenroll(failing_send("INVALID_DATA"), "Leads", record_ids(3), cadence_ids(1))
    error = UnenrollError(result)
    assert error.code == "UNENROLL_FAILED"
    assert "3 of 3 (record, cadence batch) pairs failed (INVALID_DATA 3)" in str(error)
    assert record_ids(1)[0] in str(error)
    assert error.result is result


def test_threads_are_capped_to_the_connections_concurrency_slots(make_zoho_conn, requests_mock):
    mock_token(requests_mock)
    hook = ZohoCRMHook(zoho_crm_conn_id=make_zoho_conn(max_concurrency=3))
    assert hook.client.cadences.prepare(8) == 3
    assert hook.client.cadences.prepare(2) == 2


def test_more_than_ten_threads_get_a_wider_connection_pool(make_zoho_conn, requests_mock):
    mock_token(requests_mock)
    hook = ZohoCRMHook(zoho_crm_conn_id=make_zoho_conn(max_concurrency=25))
    assert hook.client.cadences.prepare(20) == 20
    assert hook.get_conn().get_adapter("https://www.zohoapis.com")._pool_maxsize == 20


def test_prepare_gets_the_token_before_any_api_call(hook, requests_mock):
    assert hook.client.cadences.prepare(5) == 5
    assert len(token_requests(requests_mock)) == 1
    assert api_requests(requests_mock) == []


def test_a_connection_that_cannot_authenticate_fails_before_any_api_call(zoho_conn, requests_mock, fake):
    requests_mock.post(TOKEN_URL, json={"error": "invalid_client"})
    with pytest.raises(ZohoCRMAuthError):
        ZohoCRMHook(zoho_crm_conn_id=zoho_conn).unenroll_from_cadences("Contacts", record_ids(5000), cadence_ids(1))
    assert fake.bodies == []


def test_prepare_runs_once_before_the_first_call_and_sets_the_number_of_threads():
    server = FakeUnenroll(delay=0.005)
    seen: list[tuple[int, int]] = []

    def prepare(workers: int) -> int:
        seen.append((workers, len(server.bodies)))
        return 2

    def send(body: dict[str, Any]) -> dict[str, Any]:
        return server(FakeRequest(body), FakeContext())

    unenroll(send, "Leads", record_ids(3000), cadence_ids(1), max_workers=8, prepare=prepare)
    assert seen == [(8, 0)]
    assert server.peak == 2


def test_prepare_is_skipped_when_nothing_is_to_be_sent():
    def prepare(workers: int) -> int:
        raise AssertionError("no call is made, so no connection needs reading")

    result = unenroll(lambda body: {}, "Leads", [], cadence_ids(1), prepare=prepare)
    assert result["calls"] == 0


def test_the_first_calls_start_together():
    """A mapped chunk of 500 records is one round of 5 parallel calls, not one call then four."""
    server = FakeUnenroll(delay=0.05)

    def send(body: dict[str, Any]) -> dict[str, Any]:
        return server(FakeRequest(body), FakeContext())

    result = unenroll(send, "Leads", record_ids(500), cadence_ids(1), max_workers=5)
    assert result["succeeded"] == 500
    assert server.peak == 5

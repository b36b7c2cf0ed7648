"""Errors that stop an un-enroll (unenroll/errors.py): spent credits stop sending, and no record goes unreported."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMCreditsExhaustedError,
    ZohoCRMError,
    ZohoCRMPermissionError,
    ZohoCRMRateLimitError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.unenroll.checkpoint import FileCheckpoint
from airflow_provider_zohocrm.unenroll.engine import unenroll
from airflow_provider_zohocrm.unenroll.errors import culprit, is_fatal
from unit.helpers import record_ids

CADENCE = "554023000004092008"
CREDITS_MESSAGE = "API credit limit of the last 24 hours exceeded. Please try again after some time."


def ok(body: dict[str, Any]) -> dict[str, Any]:
    items = [
        {"code": "SUCCESS", "details": {"id": rid}, "message": "unenrolled", "status": "success"} for rid in body["ids"]
    ]
    return {"data": items}


def spent_credits() -> ZohoCRMCreditsExhaustedError:
    return ZohoCRMCreditsExhaustedError(CREDITS_MESSAGE, status_code=429, code="TOO_MANY_REQUESTS")


class CreditsRunOut:
    """A fake ``send``: the first ``allowance`` calls succeed, every later one raises spent credits."""

    def __init__(self, allowance: int) -> None:
        self.allowance = allowance
        self.calls = itertools.count()
        self.lock = threading.Lock()
        self.sent: list[list[str]] = []

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.sent.append(body["ids"])
            number = next(self.calls)
        if number >= self.allowance:
            raise spent_credits()
        return ok(body)


def test_spent_credits_are_fatal_and_a_concurrency_429_is_not() -> None:
    assert is_fatal(spent_credits())
    assert not is_fatal(ZohoCRMRateLimitError("slow down", status_code=429, code="TOO_MANY_REQUESTS"))


@pytest.mark.parametrize("stream", [False, True])
def test_spent_credits_stop_sending_and_every_unsent_record_fails_with_that_code(stream: bool) -> None:
    send = CreditsRunOut(allowance=3)
    records = record_ids(10_000)
    with pytest.raises(ZohoCRMCreditsExhaustedError) as info:
        unenroll(send, "Contacts", iter(records) if stream else records, [CADENCE], max_workers=1)

    error = info.value
    assert len(send.sent) == 4  # three answered, the fourth met the 429; none after it (100 planned)
    summary = error.details["unenroll"]
    assert summary["records"] == 10_000
    assert summary["succeeded"] == 300
    assert summary["failed"] == 9_700  # nothing dropped: 300 + 9,700 = every record
    assert summary["failed_by_code"] == {"TOO_MANY_REQUESTS": 9_700}
    assert summary["calls_not_sent"] == 96
    assert {failure["record_id"] for failure in summary["failures"]} <= set(records[300:])
    assert all(CREDITS_MESSAGE in failure["message"] for failure in summary["failures"])  # Zoho's, or "not sent: ..."
    assert (error.status_code, error.code) == (429, "TOO_MANY_REQUESTS")
    assert "rolling 24 hours" in str(error)
    assert isinstance(error.__cause__, ZohoCRMCreditsExhaustedError)


def test_calls_in_flight_finish_and_count_when_credits_run_out() -> None:
    send = CreditsRunOut(allowance=20)
    with pytest.raises(ZohoCRMCreditsExhaustedError) as info:
        unenroll(send, "Contacts", record_ids(100_000), [CADENCE], max_workers=8)
    summary = info.value.details["unenroll"]
    assert summary["succeeded"] + summary["failed"] == 100_000
    assert summary["succeeded"] == 100 * 20  # every call answered before the stop is counted
    assert summary["calls"] == len(send.sent) <= 20 + 8  # then only what was already in flight
    assert summary["calls"] + summary["calls_not_sent"] == 1000


def test_unsent_batches_are_not_checkpointed_so_a_later_run_sends_only_them(tmp_path: Any) -> None:
    checkpoint = FileCheckpoint(tmp_path / "run.jsonl")
    records = record_ids(1_000)
    with pytest.raises(ZohoCRMCreditsExhaustedError):
        unenroll(CreditsRunOut(allowance=3), "Contacts", records, [CADENCE], max_workers=1, checkpoint=checkpoint)
    assert sorted(checkpoint.done()) == [0, 1, 2]

    later = CreditsRunOut(allowance=10**6)  # credits came back
    result = unenroll(later, "Contacts", records, [CADENCE], max_workers=1, checkpoint=checkpoint)
    assert len(later.sent) == 7
    assert (result["batches_resumed"], result["succeeded"], result["failed"]) == (3, 1_000, 0)


def test_other_fatal_errors_are_raised_as_they_came_with_the_runs_counts() -> None:
    calls = itertools.count()

    def send(body: dict[str, Any]) -> dict[str, Any]:
        if next(calls) >= 2:
            raise ZohoCRMPermissionError("permission denied", status_code=403, code="NO_PERMISSION")
        return ok(body)

    with pytest.raises(ZohoCRMPermissionError) as info:
        unenroll(send, "Contacts", record_ids(1_000), [CADENCE], max_workers=1)
    summary = info.value.details["unenroll"]
    assert (summary["succeeded"], summary["failed"], summary["failed_by_code"]) == (200, 800, {"NO_PERMISSION": 800})


@pytest.mark.parametrize(
    ("details", "index"),
    [
        ({"api_name": "ids", "json_path": "$.ids[3]"}, 3),
        ({"json_path": "$.ids[0]"}, 0),
        ({"api_name": "cadences_ids", "json_path": "$.cadences_ids[0]"}, None),
        ({"api_name": "ids", "json_path": "$.ids"}, None),
        ({"api_name": "ids", "json_path": "$.ids[x]"}, None),
        ({}, None),
    ],
)
def test_culprit_is_the_record_a_whole_call_error_names(details: dict[str, Any], index: int | None) -> None:
    assert culprit(ZohoCRMValidationError("invalid", code="INVALID_DATA", details=details)) == index


def test_a_whole_call_error_naming_a_record_says_so_for_the_others() -> None:
    def send(body: dict[str, Any]) -> dict[str, Any]:
        raise ZohoCRMValidationError(
            "given id seems to be invalid",
            status_code=400,
            code="INVALID_DATA",
            details={"api_name": "ids", "json_path": "$.ids[1]"},
        )

    result = unenroll(send, "Contacts", record_ids(3), [CADENCE])
    messages = {failure["record_id"]: failure["message"] for failure in result["failures"]}
    first, named, third = record_ids(3)
    assert messages[named] == "given id seems to be invalid"
    assert messages[first] == messages[third]
    assert f"refused the whole call (its error names record {named}" in messages[first]
    assert result["failed_by_code"] == {"INVALID_DATA": 3}


def test_a_bug_is_still_raised_as_it_came() -> None:
    def send(body: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        unenroll(send, "Contacts", record_ids(500), [CADENCE], max_workers=1)
    assert not issubclass(RuntimeError, ZohoCRMError)

"""Un-enroll at scale against the bundled emulator (page 004): call counts from its journal,
enrollment state, 207s, NOT_ALLOWED, fatal errors, faults, concurrency and dry runs."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMCreditsExhaustedError,
    ZohoCRMPermissionError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import UnenrollCadenceOperator
from airflow_provider_zohocrm.unenroll.result import UnenrollError

# Retry backoffs are recorded, not slept.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("recorded_sleeps")]

UNENROL = "/crm/v8/Contacts/actions/unenrol_from_cadences"
MANUAL = "554023000004092008"  # seeded manual-enrollment Contacts cadence
AUTOMATIC = "554023000004092009"  # seeded custom-view (automatic) Contacts cadence
MISSING_PREFIX = "999"  # the emulator's records that never exist


def add_manual_cadences(emulator: Any, count: int, module: str = "Contacts") -> list[str]:
    """Extra manual-enrollment cadences, nobody enrolled."""
    ids = [str(554023000004093000 + i) for i in range(count)]
    for cadence_id in ids:
        emulator.add_cadence(cadence_id, f"Manual {cadence_id[-3:]}", module)
    return ids


def record_ids(count: int, start: int = 0, prefix: str = "554023") -> list[str]:
    return [f"{prefix}{1000000000000 + start + i}" for i in range(count)]


def unenrol_calls(emulator: Any) -> list[dict[str, Any]]:
    return [e for e in emulator.journal if e["method"] == "POST" and e["path"] == UNENROL]


def enrol(emulator: Any, records: list[str], cadences: list[str]) -> None:
    hook = ZohoCRMHook()
    for start in range(0, len(records), 100):
        for chunk in range(0, len(cadences), 5):
            body = {"cadences_ids": cadences[chunk : chunk + 5], "ids": records[start : start + 100]}
            hook.request("POST", "Contacts/actions/enrol_in_cadences", json=body)
    emulator.clear_journal()


def enrolled(emulator: Any, cadences: list[str]) -> int:
    return sum(len(emulator.snapshot()["enrollments"].get(c, [])) for c in cadences)


def unenroll(**kwargs: Any) -> dict[str, Any]:
    args = {"task_id": "unenroll", "module": "Contacts", **kwargs}
    return UnenrollCadenceOperator(**args).execute(context={})


@pytest.mark.parametrize("cadence_count", [1, 5, 6, 7])
@pytest.mark.parametrize("record_count", [1, 100, 101, 250])
def test_calls_match_ceil_r_100_times_ceil_c_5_in_the_journal(emulator, record_count, cadence_count):
    cadences = add_manual_cadences(emulator, cadence_count)
    records = record_ids(record_count)
    enrol(emulator, records, cadences)
    assert enrolled(emulator, cadences) == record_count * cadence_count

    result = unenroll(record_ids=records, cadence_ids=cadences)

    calls = unenrol_calls(emulator)
    assert len(calls) == result["calls"] == math.ceil(record_count / 100) * math.ceil(cadence_count / 5)
    pairs = [(r, c) for call in calls for r in call["json"]["ids"] for c in call["json"]["cadences_ids"]]
    assert sorted(pairs) == sorted(itertools.product(records, cadences))  # every pair once
    assert {call["status"] for call in calls} == {200}
    assert result["failed"] == 0
    assert result["succeeded"] == record_count * math.ceil(cadence_count / 5)
    assert enrolled(emulator, cadences) == 0


def test_rerun_after_success_is_safe(emulator):
    records, cadences = record_ids(250), add_manual_cadences(emulator, 1)
    enrol(emulator, records, cadences)
    first = unenroll(record_ids=records, cadence_ids=cadences)
    assert enrolled(emulator, cadences) == 0
    again = unenroll(record_ids=records, cadence_ids=cadences)  # not enrolled any more: SUCCESS
    assert again["succeeded"] == first["succeeded"] == 250
    assert again["failed"] == 0


def test_mixed_207_answers_are_all_accounted_for(emulator):
    good = record_ids(230)
    missing = record_ids(20, prefix="999")
    records = [*good[:100], *missing[:10], *good[100:], *missing[10:]]
    result = unenroll(record_ids=records, cadence_ids=[MANUAL], fail_on_error=False)
    assert result["succeeded"] == 230
    assert result["failed"] == 20
    assert result["failed_by_code"] == {"INVALID_DATA": 20}
    assert sorted(f["record_id"] for f in result["failures"]) == sorted(missing)
    assert sorted(call["status"] for call in unenrol_calls(emulator)) == [200, 207, 207]


def test_a_batch_where_every_record_fails_fails_them_all(emulator):
    result = unenroll(
        record_ids=[*record_ids(100, prefix="999"), *record_ids(5)], cadence_ids=[MANUAL], fail_on_error=False
    )
    assert result["failed"] == 100
    assert result["succeeded"] == 5
    assert sorted(call["status"] for call in unenrol_calls(emulator)) == [200, 400]


SKIPPED_PREFIX = "not sent: an earlier call for these cadences got "


def test_a_not_allowed_cadence_is_reported_clearly_and_fails_the_task(emulator):
    records = record_ids(250)
    with pytest.raises(UnenrollError, match="NOT_ALLOWED") as info:
        unenroll(record_ids=records, cadence_ids=[AUTOMATIC])
    result = info.value.result
    assert result["failed_by_code"] == {"NOT_ALLOWED": 250}
    # Batches run in parallel: those sent carry Zoho's message, any queued behind the first answer
    # were not sent and quote it.
    messages = {failure["message"] for failure in result["failures"]}
    assert any(not m.startswith(SKIPPED_PREFIX) for m in messages)  # the first batch is always sent
    assert all(m.removeprefix(SKIPPED_PREFIX).startswith("id given is not manual enrollment cadence") for m in messages)
    assert {tuple(failure["cadence_ids"]) for failure in result["failures"]} == {(AUTOMATIC,)}
    assert "not manual enrollment cadence" in str(info.value)


def test_not_allowed_fails_only_its_cadence_batch(emulator):
    manual = add_manual_cadences(emulator, 5)
    records = record_ids(120)
    result = unenroll(record_ids=records, cadence_ids=[*manual, AUTOMATIC], fail_on_error=False)
    assert result["succeeded"] == 120
    assert result["failed"] == 120
    assert {tuple(f["cadence_ids"]) for f in result["failures"]} == {(AUTOMATIC,)}


@pytest.mark.parametrize(("module", "code"), [("Accounts", "INVALID_MODULE"), ("Nope", "INVALID_MODULE")])
def test_an_unsupported_module_stops_after_the_calls_in_flight(emulator, module, code):
    with pytest.raises(ZohoCRMValidationError) as info:
        unenroll(module=module, record_ids=record_ids(10_000), cadence_ids=[MANUAL], max_workers=4)
    assert info.value.code == code
    sent = [e for e in emulator.journal if e["path"].endswith("unenrol_from_cadences")]
    assert 1 <= len(sent) <= 4  # 100 calls were planned


def test_unknown_cadence_is_invalid_data_for_its_records(emulator):
    result = unenroll(record_ids=record_ids(10), cadence_ids=["554023000004099999"], fail_on_error=False)
    assert result["failed_by_code"] == {"INVALID_DATA": 10}


def test_an_edition_without_cadences_is_a_permission_error_after_the_calls_in_flight(emulator):
    emulator.set_config(edition="professional")
    with pytest.raises(ZohoCRMPermissionError, match="FEATURE_NOT_SUPPORTED"):
        unenroll(record_ids=record_ids(10_000), cadence_ids=[MANUAL], max_workers=4)
    assert 1 <= len(unenrol_calls(emulator)) <= 4  # 100 calls were planned


def test_no_permission_is_a_permission_error(emulator):
    emulator.set_config(revoked_permissions=["cadences"])
    with pytest.raises(ZohoCRMPermissionError, match="NO_PERMISSION"):
        unenroll(record_ids=record_ids(10), cadence_ids=[MANUAL])


def test_faults_are_retried_and_every_record_lands(emulator):
    records, cadences = record_ids(1000), add_manual_cadences(emulator, 1)
    enrol(emulator, records, cadences)
    # Five failures in a row at most: within the hook's six attempts for any one call.
    emulator.add_fault(status=503, method="POST", path=UNENROL, count=2)
    emulator.add_fault(kind="reset", method="POST", path=UNENROL, count=1)
    emulator.add_fault(status=429, retry_after=0, method="POST", path=UNENROL, count=1)
    emulator.add_fault(status=502, method="POST", path=UNENROL, probability=0.2, count=3, seed=7)
    result = unenroll(record_ids=records, cadence_ids=cadences)
    assert result["succeeded"] == 1000
    assert enrolled(emulator, cadences) == 0
    assert len(unenrol_calls(emulator)) == 10 + 4 + 3


def test_a_batch_failing_past_the_retry_budget_is_reported_not_dropped(emulator):
    emulator.add_fault(status=500, method="POST", path=UNENROL, count=6)  # the first call's 6 attempts
    result = unenroll(record_ids=record_ids(300), cadence_ids=[MANUAL], fail_on_error=False, max_workers=1)
    assert result["failed_by_code"] == {"INTERNAL_ERROR": 100}
    assert result["succeeded"] == 200


def test_spent_credits_stop_the_unenroll_and_every_record_is_reported(emulator):
    records = record_ids(1000)
    emulator.set_config(credit_allowance=emulator.stats()["credits_used"] + 3)  # three more calls today
    with pytest.raises(ZohoCRMCreditsExhaustedError) as info:
        unenroll(record_ids=records, cadence_ids=[MANUAL], max_workers=1)
    summary = info.value.details["unenroll"]
    assert (summary["succeeded"], summary["failed"], summary["calls_not_sent"]) == (300, 700, 6)
    assert summary["failed_by_code"] == {"TOO_MANY_REQUESTS": 700}
    assert [e["status"] for e in unenrol_calls(emulator)] == [200, 200, 200, 429]  # not retried, then no more
    assert "rolling 24 hours" in str(info.value)

    emulator.advance_clock(24 * 3600 + 120)  # the day's calls age out: the allowance of 3 is back
    assert emulator.stats()["credits_used"] == 0
    assert unenroll(record_ids=records[300:600], cadence_ids=[MANUAL], max_workers=1)["succeeded"] == 300


def test_after_spent_credits_a_checkpointed_rerun_sends_only_the_unsent_batches(emulator, tmp_path):
    from airflow_provider_zohocrm.unenroll.checkpoint import FileCheckpoint

    records, cadences = record_ids(1000), add_manual_cadences(emulator, 1)
    enrol(emulator, records, cadences)
    checkpoint = FileCheckpoint(tmp_path / "unenroll.jsonl")
    client = ZohoCRMHook().client
    emulator.set_config(credit_allowance=emulator.stats()["credits_used"] + 4, concurrency_limit=10)
    with pytest.raises(ZohoCRMCreditsExhaustedError):
        client.cadences.unenroll("Contacts", records, cadences, max_workers=1, checkpoint=checkpoint)
    assert enrolled(emulator, cadences) == 600
    emulator.clear_journal()
    emulator.set_config(credit_allowance=None)
    result = client.cadences.unenroll("Contacts", records, cadences, max_workers=1, checkpoint=checkpoint)
    assert (result["batches_resumed"], result["calls"], result["succeeded"], result["failed"]) == (4, 6, 1000, 0)
    assert len(unenrol_calls(emulator)) == 6
    assert enrolled(emulator, cadences) == 0


@pytest.mark.parametrize("max_workers", [1, 4, 10])
def test_concurrency_stays_within_max_workers_and_the_zoho_limit(emulator, max_workers):
    emulator.set_config(latency_ms=15, concurrency_limit=10)
    result = unenroll(record_ids=record_ids(6000), cadence_ids=[MANUAL], max_workers=max_workers)
    stats = emulator.stats()
    assert result["calls"] == 60
    assert stats["responses_429"] == 0
    assert stats["peak_in_flight"] <= max_workers
    if max_workers > 1:
        assert stats["peak_in_flight"] > 1


def test_a_generator_of_ids_streams_through(emulator):
    result = ZohoCRMHook().unenroll_from_cadences("Contacts", (r for r in record_ids(2500)), [MANUAL], max_workers=4)
    assert result["calls"] == 25
    assert result["succeeded"] == 2500


def test_dry_run_reads_cadences_and_sends_no_unenroll(emulator):
    manual = add_manual_cadences(emulator, 5)
    result = unenroll(record_ids=record_ids(1000), cadence_ids=[*manual, AUTOMATIC], dry_run=True)
    assert result["calls"] == 20
    assert len(result["plan"]) == 3
    assert unenrol_calls(emulator) == []
    assert [e["method"] for e in emulator.journal if e["path"].startswith("/crm/")] == ["GET"]
    assert len(result["warnings"]) == 1
    assert AUTOMATIC in result["warnings"][0]


def test_get_cadences_lists_every_cadence(emulator):
    cadences = ZohoCRMHook().get_cadences()
    assert MANUAL in {c["id"] for c in cadences}
    assert all("type" in c for c in cadences)

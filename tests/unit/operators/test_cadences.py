"""UnenrollCadenceOperator: inputs from lists, XCom or templates; failure policy; dry-run plans; progress."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMValidationError
from airflow_provider_zohocrm.operators import UnenrollCadenceOperator
from airflow_provider_zohocrm.operators.cadences import (
    ProgressLog,
    cadence_warning,
    format_progress,
    is_manual_enrollment,
)
from airflow_provider_zohocrm.unenroll.engine import UnenrollProgress
from airflow_provider_zohocrm.unenroll.result import UnenrollError
from unit.helpers import API_ROOT, UNENROLL_URL, record_ids

CADENCES_URL = f"{API_ROOT}/settings/automation/cadences"
MANUAL = "554023000004092008"
AUTOMATIC = "554023000004092009"
# Zoho's list labels the type for display (getCadences); a single cadence's GET says manual_enrollment.
CADENCES = {
    "cadences": [
        {"id": MANUAL, "name": "CadenceTest1", "module": {"api_name": "Contacts"}, "type": "Manual enrollment"},
        {"id": AUTOMATIC, "name": "Re-engage", "module": {"api_name": "Contacts"}, "type": "Custom view"},
        {"id": "554023000004092001", "name": "Leads one", "module": {"api_name": "Leads"}, "type": "Manual enrollment"},
    ],
    "info": {"more_records": False},
}


def answer(request: Any, context: Any) -> dict[str, Any]:
    """Every record succeeds, except ids ending in 13 (INVALID_DATA): a 207 then."""
    body = request.json()
    items = []
    for index, record_id in enumerate(body["ids"]):
        if record_id.endswith("13"):
            details = {"api_name": "ids", "json_path": f"$.ids[{index}]"}
            items.append({"code": "INVALID_DATA", "details": details, "message": "given id seems to be invalid"})
            items[-1]["status"] = "error"
        else:
            details = {"id": record_id, "cadences": [{"id": c} for c in body["cadences_ids"]]}
            items.append({"code": "SUCCESS", "details": details, "message": "ok", "status": "success"})
    context.status_code = 207 if any(i["status"] == "error" for i in items) else 200
    return {"data": items}


@pytest.fixture
def zoho(zoho: Any) -> Any:
    """The shared ``zoho``, also answering un-enroll calls and listing ``CADENCES``."""
    zoho.post(UNENROLL_URL, json=answer)
    zoho.get(CADENCES_URL, json=CADENCES)
    return zoho


def unenroll_calls(zoho: Any) -> list[Any]:
    return [r for r in zoho.request_history if r.method == "POST" and r.path.endswith("unenrol_from_cadences")]


def op(**kwargs: Any) -> UnenrollCadenceOperator:
    args = {
        "task_id": "unenroll",
        "module": "Contacts",
        "record_ids": record_ids(250),
        "cadence_ids": [MANUAL],
        **kwargs,
    }
    return UnenrollCadenceOperator(**args)


def test_unenrolls_all_records_and_returns_the_counts(zoho):
    records = [r for r in record_ids(250) if not r.endswith("13")]
    result = op(record_ids=records).execute(context={})
    assert result["calls"] == len(unenroll_calls(zoho)) == math.ceil(len(records) / 100)
    assert result["succeeded"] == len(records)
    assert result["failed"] == 0


def test_any_failed_record_fails_the_task_after_all_calls_ran(zoho):
    with pytest.raises(UnenrollError) as info:
        op().execute(context={})
    error = info.value
    assert isinstance(error, ZohoCRMError)
    assert len(unenroll_calls(zoho)) == 3  # every batch ran first
    assert "3 of 250 (record, cadence batch) pairs failed (INVALID_DATA 3)" in str(error)
    assert "554023000001000013" in str(error)
    assert error.result["failed_by_code"] == {"INVALID_DATA": 3}


def test_fail_on_error_false_returns_the_failures(zoho):
    result = op(fail_on_error=False).execute(context={})
    assert result["failed"] == 3
    expected = ["554023000001000013", "554023000001000113", "554023000001000213"]
    assert sorted(f["record_id"] for f in result["failures"]) == expected


TASK = {"ti": SimpleNamespace(dag_id="dag", run_id="manual__1", task_id="unenroll", map_index=-1)}


@pytest.fixture
def checkpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZOHO_CRM_CHECKPOINT_DIR", str(tmp_path))
    return tmp_path


def test_the_checkpoint_is_deleted_when_the_task_succeeds(zoho, checkpoints):
    result = op(record_ids=[r for r in record_ids(250) if not r.endswith("13")]).execute(context=TASK)
    assert (result["calls"], result["batches_resumed"]) == (3, 0)
    assert list(checkpoints.iterdir()) == []  # a clear and re-run of a successful task starts afresh


def test_a_failed_task_keeps_its_checkpoint_and_the_retry_sends_nothing_answered(zoho, checkpoints):
    with pytest.raises(UnenrollError):
        op().execute(context=TASK)
    [kept] = checkpoints.iterdir()
    assert len(kept.read_text().splitlines()) == 3
    assert len(unenroll_calls(zoho)) == 3

    with pytest.raises(UnenrollError) as info:
        op().execute(context=TASK)  # the retry: every batch was answered, the same 3 failures
    assert len(unenroll_calls(zoho)) == 3
    assert info.value.result["batches_resumed"] == 3
    assert (info.value.result["succeeded"], info.value.result["failed"]) == (247, 3)

    result = op(fail_on_error=False).execute(context=TASK)
    assert result["failed"] == 3
    assert list(checkpoints.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "context"),
    [({"checkpoint": False}, TASK), ({"checkpoint": "false"}, TASK), ({}, {}), ({"dry_run": True}, TASK)],
    ids=["disabled", "disabled-by-template", "outside-a-task", "dry-run"],
)
def test_no_checkpoint_when_disabled_outside_a_task_or_in_a_dry_run(zoho, checkpoints, kwargs, context):
    with contextlib.suppress(UnenrollError):
        op(**kwargs).execute(context=context)
    assert list(checkpoints.iterdir()) == []


@pytest.mark.parametrize(
    "record_ids",
    [
        '["554023000001000000", "554023000001000001"]',
        "['554023000001000000', '554023000001000001']",
        "554023000001000000, 554023000001000001",
        "554023000001000000 554023000001000001",
        (i for i in record_ids(2)),
        ("554023000001000000", 554023000001000001),
    ],
    ids=["json", "python-literal", "commas", "spaces", "generator", "tuple-with-int"],
)
def test_record_ids_from_templates_xcom_and_iterables(zoho, record_ids):
    result = op(record_ids=record_ids, max_workers="2", fail_on_error="false").execute(context={})
    assert result["records"] == 2
    [call] = unenroll_calls(zoho)
    assert call.json() == {"cadences_ids": [MANUAL], "ids": ["554023000001000000", "554023000001000001"]}


def test_an_empty_list_is_a_successful_no_op(zoho):
    result = op(record_ids=[]).execute(context={})
    assert result["calls"] == 0
    assert unenroll_calls(zoho) == []


def test_dry_run_counts_calls_shows_the_first_requests_and_sends_none(zoho):
    result = op(record_ids=record_ids(1000), cadence_ids=[MANUAL, *record_ids(6)], dry_run=True).execute(context={})
    assert result["dry_run"] is True
    assert result["calls"] == 10 * 2
    assert result["records"] == 1000
    assert len(result["plan"]) == 3
    assert [len(step["json"]["ids"]) for step in result["plan"]] == [100, 100, 100]
    assert [len(step["json"]["cadences_ids"]) for step in result["plan"]] == [5, 2, 5]
    assert unenroll_calls(zoho) == []
    assert any("does not exist" in w for w in result["warnings"])


def test_dry_run_warns_about_cadences_zoho_would_refuse(zoho):
    result = op(cadence_ids=[AUTOMATIC, "554023000004092001", MANUAL], dry_run=True).execute(context={})
    assert len(result["warnings"]) == 2
    assert "manual-enrollment" in result["warnings"][0]
    assert "belongs to Leads" in result["warnings"][1]


def test_dry_run_with_unreadable_cadences_still_plans(zoho):
    forbidden = {"code": "NO_PERMISSION", "details": {}, "message": "permission denied", "status": "error"}
    zoho.get(CADENCES_URL, status_code=403, json=forbidden)
    result = op(dry_run=True).execute(context={})
    assert result["calls"] == 3
    assert result["warnings"][0].startswith("could not read the cadences")


def test_dry_run_of_a_stream_reports_bad_ids(zoho):
    result = op(record_ids=iter([*record_ids(150), "bad"]), dry_run=True).execute(context={})
    assert result["records"] == 151
    assert result["calls"] == 2
    assert any("INVALID_ID" in w for w in result["warnings"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"module": "Contacts?x=1"}, "module must be a module API name"),
        ({"cadence_ids": []}, "cadence_ids is empty"),
        ({"cadence_ids": [MANUAL, "x"]}, r"cadence_ids\[1\]"),
        ({"record_ids": ["1", "2", "three"]}, r"record_ids\[2\]"),
        ({"record_ids": "[1, 2"}, "record_ids is a string that is not a list"),
        ({"record_ids": {"a": 1}}, "record_ids must be a list"),
        ({"max_workers": 0}, "max_workers"),
        ({"max_workers": "many"}, "max_workers"),
        ({"fail_on_error": "maybe"}, "fail_on_error must be true or false"),
    ],
)
def test_invalid_inputs_fail_before_any_request(zoho, kwargs, match):
    with pytest.raises(ZohoCRMValidationError, match=match):
        op(**kwargs).execute(context={})
    assert zoho.request_history == []


def test_template_fields_cover_every_input_and_init_is_offline(requests_mock):
    operator = op()
    assert {"module", "record_ids", "cadence_ids", "max_workers", "fail_on_error", "zoho_crm_conn_id"} <= set(
        operator.template_fields
    )
    assert requests_mock.request_history == []


class FakeLog:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, fmt: str, *args: Any) -> None:
        self.lines.append(fmt % args)


def progress(done: int, total: int | None, eta: float | None = 10.0) -> UnenrollProgress:
    return UnenrollProgress(
        batches_done=done,
        batches_total=total,
        records_done=done * 100,
        records_per_second=1234.5,
        eta_seconds=eta,
        elapsed_seconds=1.0,
        succeeded=done * 100,
        failed=0,
    )


def test_progress_is_logged_every_five_percent_and_at_the_end():
    log, now = FakeLog(), [0.0]
    reporter = ProgressLog(log, clock=lambda: now[0])
    for done in range(1, 1001):
        reporter(progress(done, 1000))
    assert len(log.lines) == 20
    assert log.lines[-1].startswith("Un-enroll progress: 1000/1000 calls (100 %), 100,000 records, 1,234 records/s")


def test_progress_without_a_total_logs_every_100_calls_or_10_seconds():
    log, now = FakeLog(), [0.0]
    reporter = ProgressLog(log, clock=lambda: now[0])
    for done in range(1, 251):
        reporter(progress(done, None, eta=None))
    assert len(log.lines) == 2
    now[0] = 11.0
    reporter(progress(251, None, eta=None))
    assert len(log.lines) == 3
    assert "251/? calls" in log.lines[-1]


def test_format_progress_shows_eta():
    assert "ETA 0:01:05" in format_progress(progress(5, 10, eta=65.0))


def test_cadence_warning_accepts_manual_cadences_of_the_module():
    cadence = CADENCES["cadences"][0]
    assert cadence_warning(MANUAL, cadence, "Contacts") is None
    assert cadence_warning(MANUAL, cadence, "contacts") is None


@pytest.mark.parametrize(
    ("kind", "manual"),
    [
        ("Manual enrollment", True),  # the list's display label
        ("manual_enrollment", True),  # a single cadence's GET
        ("Manual Enrollment", True),
        ("Custom view", False),
        ("custom_view", False),
        ("manual_unenroll", False),  # not the enrollment type, though it says manual
        (None, None),
        ("", None),
        (7, None),
    ],
)
def test_manual_enrollment_is_read_from_type_in_either_spelling(kind, manual):
    assert is_manual_enrollment({"type": kind}) is manual


def test_cadence_warning_reads_type_not_execution_details():
    # Zoho's list example: a custom-view cadence whose execution_details.type is about un-enrolling.
    custom = {"id": AUTOMATIC, "name": "Onboard", "type": "Custom view", "module": {"api_name": "Contacts"}}
    custom["execution_details"] = {"type": "manual_unenroll"}
    assert "not a manual-enrollment one" in cadence_warning(AUTOMATIC, custom, "Contacts")
    single = {"id": MANUAL, "type": "manual_enrollment", "execution_details": {"type": None}, "module": None}
    assert cadence_warning(MANUAL, single, "Contacts") is None
    assert cadence_warning(MANUAL, {"id": MANUAL}, "Contacts") is None  # no type shown: nothing to warn about

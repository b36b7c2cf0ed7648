"""Crash-safe un-enroll: finished batches are recorded, a re-run sends only the rest and reports every record once."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMServerError, ZohoCRMValidationError
from airflow_provider_zohocrm.unenroll.checkpoint import (
    DIR_ENV,
    FileCheckpoint,
    FileCheckpointStore,
    batch_digest,
    default_directory,
    default_location,
    prune_stale,
    task_key,
)
from airflow_provider_zohocrm.unenroll.engine import unenroll
from airflow_provider_zohocrm.unenroll.result import BatchOutcome
from unit.helpers import record_ids

CADENCE = "554023000004090000"
MISSING = "999"  # records of this prefix fail in the fake Zoho below


class Crash(BaseException):
    """The process dying mid-run: not an error the engine may catch."""


class FakeZoho:
    """``send``: one item per record, a 207 for ids starting with 999; crashes after ``crash_after`` calls."""

    def __init__(self, crash_after: int | None = None, fail_calls: frozenset[int] = frozenset()) -> None:
        self.crash_after = crash_after
        self.fail_calls = fail_calls
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.crash_after is not None and len(self.bodies) >= self.crash_after:
            raise Crash
        self.bodies.append(body)
        if len(self.bodies) - 1 in self.fail_calls:
            raise ZohoCRMServerError("Internal Server Error", status_code=500, code="INTERNAL_ERROR")
        items = [
            {"code": "INVALID_DATA", "message": "given id seems to be invalid", "status": "error"}
            if rid.startswith(MISSING)
            else {"code": "SUCCESS", "message": "ok", "status": "success"}
            for rid in body["ids"]
        ]
        return {"data": items}

    def sent_ids(self) -> list[str]:
        return [rid for body in self.bodies for rid in body["ids"]]


@pytest.fixture
def checkpoint(tmp_path: Path) -> FileCheckpoint:
    return FileCheckpoint(tmp_path / "cp" / "run.jsonl")


def run(send: Any, records: list[str], checkpoint: Any, **kwargs: Any) -> dict[str, Any]:
    return unenroll(send, "Contacts", records, [CADENCE], max_workers=1, checkpoint=checkpoint, **kwargs)


def test_a_rerun_after_a_crash_sends_only_the_rest_and_reports_every_record_once(checkpoint):
    records = record_ids(1000)
    records[250] = "999000000000000250"  # one record Zoho refuses, in a batch finished before the crash
    first = FakeZoho(crash_after=4)
    with pytest.raises(Crash):
        run(first, records, checkpoint)
    assert sorted(checkpoint.done()) == [0, 1, 2, 3]

    second = FakeZoho()
    result = run(second, records, checkpoint)

    assert second.sent_ids() == records[400:]  # nothing finished is sent again
    assert result["records"] == 1000
    assert result["calls"] == 6
    assert result["batches_resumed"] == 4
    assert (result["succeeded"], result["failed"]) == (999, 1)
    assert [f["record_id"] for f in result["failures"]] == ["999000000000000250"]
    assert result["failures"][0]["cadence_ids"] == [CADENCE]


def test_whole_call_errors_are_not_recorded_so_a_retry_resends_them(checkpoint, recorded_sleeps):
    records = record_ids(300)
    first = run(FakeZoho(fail_calls=frozenset({1})), records, checkpoint)
    assert first["failed_by_code"] == {"INTERNAL_ERROR": 100}
    assert sorted(checkpoint.done()) == [0, 2]

    retry = FakeZoho()
    result = run(retry, records, checkpoint)
    assert retry.sent_ids() == records[100:200]
    assert (result["succeeded"], result["failed"], result["batches_resumed"]) == (300, 0, 2)


def test_batch_numbers_cross_records_with_cadence_batches(checkpoint):
    cadences = [str(554023000004090000 + i) for i in range(7)]  # two cadence batches
    unenroll(FakeZoho(), "Contacts", record_ids(250), cadences, max_workers=1, checkpoint=checkpoint)
    done = checkpoint.done()
    assert sorted(done) == list(range(6))  # 3 record batches x 2 cadence batches
    assert done[3].digest == batch_digest("Contacts", tuple(cadences[5:]), record_ids(250)[100:200])


def test_a_batch_whose_ids_changed_is_sent_again(checkpoint):
    records = record_ids(300)
    run(FakeZoho(crash_after=None), records, checkpoint)
    changed = [*records[:100], *reversed(records[100:200]), *records[200:]]
    again = FakeZoho()
    result = run(again, changed, checkpoint)
    assert again.sent_ids() == changed[100:200]
    assert (result["batches_resumed"], result["calls"], result["succeeded"]) == (2, 1, 300)


def test_invalid_ids_of_an_iterator_are_reported_by_each_run_not_recorded(checkpoint):
    records = [*record_ids(150), "not-an-id"]
    with pytest.raises(Crash):
        run(FakeZoho(crash_after=1), iter(records), checkpoint)
    result = run(FakeZoho(), iter(records), checkpoint)
    assert result["failed_by_code"] == {"INVALID_ID": 1}
    assert (result["succeeded"], result["batches_resumed"], result["calls"]) == (150, 1, 1)


def test_a_checkpoint_that_cannot_be_written_is_dropped_with_a_warning(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run(FakeZoho(), record_ids(250), FileCheckpoint(blocker / "under-a-file.jsonl"))
    assert result["succeeded"] == 250
    assert "continuing without it" in caplog.text


# --------------------------------------------------------------------------- the file


def test_lines_are_json_fsynced_private_and_hold_no_more_than_outcomes(checkpoint):
    checkpoint.record(7, BatchOutcome(99, (("554023000001000001", "INVALID_DATA", "x" * 500),), digest="ab"))
    lines = checkpoint.path.read_text().splitlines()
    assert json.loads(lines[0]) == {
        "batch": 7,
        "digest": "ab",
        "succeeded": 99,
        "failures": [["554023000001000001", "INVALID_DATA", "x" * 200]],
    }
    assert stat.S_IMODE(checkpoint.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(checkpoint.path.parent.stat().st_mode) == 0o700
    assert checkpoint.done()[7].failures[0][1] == "INVALID_DATA"


def test_a_torn_last_line_is_ignored_and_the_next_record_starts_a_new_line(checkpoint, caplog):
    checkpoint.record(0, BatchOutcome(100, digest="a"))
    with checkpoint.path.open("ab") as handle:
        handle.write(b'{"batch":1,"digest":"b","succ')  # the writer died mid-line
    assert sorted(checkpoint.done()) == [0]
    assert "1 unreadable line" in caplog.text

    reopened = FileCheckpoint(checkpoint.path)
    reopened.record(2, BatchOutcome(100, digest="c"))
    assert sorted(reopened.done()) == [0, 2]


@pytest.mark.parametrize("line", [b"", b"[]", b'{"batch": -1, "succeeded": 1, "failures": []}', b'{"batch": true}'])
def test_foreign_lines_are_skipped(checkpoint, line):
    checkpoint.path.parent.mkdir(parents=True)
    checkpoint.path.write_bytes(line + b'\n{"batch": 3, "digest": "d", "succeeded": 1, "failures": []}\n')
    assert list(checkpoint.done()) == [3]


def test_delete_forgets_everything_and_a_missing_file_is_empty(checkpoint):
    assert checkpoint.done() == {}
    checkpoint.record(0, BatchOutcome(1))
    checkpoint.delete()
    checkpoint.delete()  # twice is fine
    assert checkpoint.done() == {}


def test_one_file_per_task_instance(tmp_path):
    def path(*key: Any) -> Path:
        return FileCheckpoint.for_task(*key, directory=tmp_path).path

    first = path("dag/../x", "manual__2025-01-01T00:00:00+00:00", "unenroll")
    assert first == path("dag/../x", "manual__2025-01-01T00:00:00+00:00", "unenroll", -1)
    assert first.parent == tmp_path
    assert first.name.startswith("dag_.._x.unenroll.")
    others = {path("d", "r", "t"), path("d", "r2", "t"), path("d", "r", "t2"), path("d", "r", "t", 0)}
    assert len(others | {first}) == 5
    assert ".0." in path("d", "r", "t", 0).name


def test_stale_files_are_pruned(tmp_path):
    old, fresh = tmp_path / "old.jsonl", tmp_path / "fresh.jsonl"
    for entry in (old, fresh):
        entry.write_text("")
    month_ago = time.time() - 31 * 24 * 3600
    os.utime(old, (month_ago, month_ago))
    prune_stale(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["fresh.jsonl"]
    prune_stale(tmp_path / "missing")  # no directory yet: nothing to do


def test_default_directory(monkeypatch, tmp_path):
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "explicit"))
    assert default_directory() == tmp_path / "explicit"
    monkeypatch.delenv(DIR_ENV)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    assert default_directory() == tmp_path / "zohocrm_checkpoints"
    monkeypatch.delenv("AIRFLOW_HOME")
    assert default_directory().name.startswith("airflow-zohocrm-checkpoints-")


def test_the_file_store_gives_each_task_instance_its_file(monkeypatch, tmp_path):
    key = ("d", "r", "t", 2)
    assert FileCheckpointStore(tmp_path).for_task(*key).path == FileCheckpoint.for_task(*key, directory=tmp_path).path
    default = FileCheckpointStore()  # the default directory, read when a task asks for its checkpoint
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "later"))
    assert default.for_task(*key).path.parent == tmp_path / "later"
    assert default_location() == str(tmp_path / "later")
    monkeypatch.setenv(DIR_ENV, "s3://bucket/checkpoints")  # a URL is for the object store
    assert default_location() == "s3://bucket/checkpoints"
    with pytest.raises(ZohoCRMValidationError, match="is a URL"):
        default.for_task(*key)


def test_task_key_from_the_context():
    ti = SimpleNamespace(dag_id="d", run_id="r", task_id="t", map_index=3)
    assert task_key({"ti": ti}) == ("d", "r", "t", 3)
    assert task_key({"task_instance": SimpleNamespace(dag_id="d", run_id="r", task_id="t")}) == ("d", "r", "t", -1)
    assert task_key({}) is None
    assert task_key({"ti": SimpleNamespace(dag_id="d", run_id=None, task_id="t")}) is None


def test_a_resumed_204_batch_keeps_its_no_content_records(checkpoint):
    records = record_ids(300)
    answers: list[dict[str, Any]] = [{}, {}]  # two 204s, then the crash

    def send(body: dict[str, Any]) -> dict[str, Any]:
        if not answers:
            raise Crash
        return answers.pop(0)

    with pytest.raises(Crash):
        run(send, records, checkpoint)
    result = run(FakeZoho(), records, checkpoint)

    assert result["batches_resumed"] == 2
    assert result["succeeded_by_code"] == {"NO_CONTENT": 200, "SUCCESS": 100}
    assert {note["code"] for note in result["notes"]} == {"NO_CONTENT"}


def test_notes_are_written_and_read_back(checkpoint):
    note = ("554023000001000001", "NO_CONTENT", "y" * 500)
    checkpoint.record(3, BatchOutcome(1, notes=(note,), digest="ab"))
    assert json.loads(checkpoint.path.read_text())["notes"] == [[note[0], note[1], "y" * 200]]
    assert checkpoint.done()[3].notes == ((note[0], note[1], "y" * 200),)


def test_a_line_written_without_notes_reads_as_none(checkpoint):
    checkpoint.path.parent.mkdir(parents=True)
    checkpoint.path.write_text('{"batch":0,"digest":"ab","succeeded":100,"failures":[]}\n')
    assert checkpoint.done()[0] == BatchOutcome(100, digest="ab")

"""The object-storage checkpoint store, on a ``file://`` URL: one JSON object per finished batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.object_storage import redact_url
from airflow_provider_zohocrm.unenroll.checkpoint import FileCheckpoint, task_name
from airflow_provider_zohocrm.unenroll.engine import unenroll
from airflow_provider_zohocrm.unenroll.object_checkpoint import ObjectStorageCheckpoint, ObjectStorageCheckpointStore
from airflow_provider_zohocrm.unenroll.result import BatchOutcome
from unit.helpers import record_ids

CADENCE = "554023000004090000"
KEY = ("crm_cleanup", "manual__2025-11-01T00:00:00+00:00", "unenroll", -1)


class Crash(BaseException):
    """The process dying mid-run: not an error the engine may catch."""


class FakeZoho:
    """``send``: SUCCESS for each record, INVALID_DATA for ids starting with 999; dies after ``crash_after`` calls."""

    def __init__(self, crash_after: int | None = None) -> None:
        self.crash_after = crash_after
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.crash_after is not None and len(self.bodies) >= self.crash_after:
            raise Crash
        self.bodies.append(body)
        return {
            "data": [
                {"code": "INVALID_DATA", "message": "given id seems to be invalid", "status": "error"}
                if rid.startswith("999")
                else {"code": "SUCCESS", "message": "ok", "status": "success"}
                for rid in body["ids"]
            ]
        }

    def sent_ids(self) -> list[str]:
        return [rid for body in self.bodies for rid in body["ids"]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "shared" / "checkpoints"


@pytest.fixture
def store(root: Path) -> ObjectStorageCheckpointStore:
    return ObjectStorageCheckpointStore(root.as_uri())


def run(send: Any, records: list[str], checkpoint: Any) -> dict[str, Any]:
    return unenroll(send, "Contacts", records, [CADENCE], max_workers=1, checkpoint=checkpoint)


def test_each_batch_is_one_json_object_under_the_task_instance_prefix(store, root):
    checkpoint = store.for_task(*KEY)
    assert checkpoint.done() == {}  # nothing yet: not even the prefix
    failure = ("554023000001000001", "INVALID_DATA", "x" * 500)
    checkpoint.record(0, BatchOutcome(100, digest="a"))
    checkpoint.record(7, BatchOutcome(99, (failure,), digest="b"))

    prefix = root / task_name(*KEY)
    assert prefix.name.startswith("crm_cleanup.unenroll.")
    assert sorted(p.name for p in prefix.iterdir()) == ["0.json", "7.json"]
    assert json.loads((prefix / "7.json").read_text()) == {
        "batch": 7,
        "digest": "b",
        "succeeded": 99,
        "failures": [["554023000001000001", "INVALID_DATA", "x" * 200]],
    }
    # The same record a FileCheckpoint writes as a line, so both stores read each other's format.
    file_checkpoint = FileCheckpoint(root.parent / "file.jsonl")
    file_checkpoint.record(7, BatchOutcome(99, (failure,), digest="b"))
    assert file_checkpoint.path.read_bytes() == (prefix / "7.json").read_bytes()

    done = store.for_task(*KEY).done()  # a fresh instance, as on another host
    assert sorted(done) == [0, 7]
    assert done[7] == BatchOutcome(99, (("554023000001000001", "INVALID_DATA", "x" * 200),), digest="b")


def test_a_rerun_after_a_crash_sends_only_the_rest_and_reports_every_record_once(store):
    records = record_ids(1000)
    records[250] = "999000000000000250"  # refused by Zoho, in a batch finished before the crash
    with pytest.raises(Crash):
        run(FakeZoho(crash_after=4), records, store.for_task(*KEY))
    assert sorted(store.for_task(*KEY).done()) == [0, 1, 2, 3]

    again = FakeZoho()
    result = run(again, records, store.for_task(*KEY))
    assert again.sent_ids() == records[400:]
    assert (result["records"], result["calls"], result["batches_resumed"]) == (1000, 6, 4)
    assert (result["succeeded"], result["failed"]) == (999, 1)
    assert [f["record_id"] for f in result["failures"]] == ["999000000000000250"]


def test_torn_unreadable_or_foreign_objects_are_ignored_with_a_warning(store, root, caplog):
    checkpoint = store.for_task(*KEY)
    checkpoint.record(0, BatchOutcome(100, digest="a"))
    checkpoint.record(1, BatchOutcome(100, digest="b"))
    prefix = root / task_name(*KEY)
    (prefix / "1.json").write_bytes(b'{"batch":1,"digest":"b","succ')  # the writer died mid-write
    (prefix / "2.json").write_bytes(b'{"batch": 3, "digest": "c", "succeeded": 1, "failures": []}')  # not batch 2
    (prefix / "4.json").mkdir()  # not an object at all
    (prefix / "notes.txt").write_text("not a batch")
    (prefix / "05.json").write_text((prefix / "0.json").read_text())  # not a name the store writes

    assert list(store.for_task(*KEY).done()) == [0]
    assert "Ignored 3 unreadable object(s)" in caplog.text
    assert "1.json" in caplog.text

    checkpoint.record(1, BatchOutcome(100, digest="b"))  # the batch sent again replaces the torn object
    assert sorted(store.for_task(*KEY).done()) == [0, 1]


def test_delete_removes_the_prefix_and_twice_is_fine(store, root):
    checkpoint = store.for_task(*KEY)
    checkpoint.delete()  # nothing recorded yet
    checkpoint.record(0, BatchOutcome(1))
    checkpoint.delete()
    checkpoint.delete()
    assert checkpoint.done() == {}
    assert list(root.iterdir()) == []


def test_task_instances_are_isolated(store, root):
    keys = [KEY, (*KEY[:3], 0), (*KEY[:3], 1), (KEY[0], "manual__other", *KEY[2:]), (KEY[0], KEY[1], "t2", -1)]
    for number, key in enumerate(keys):
        store.for_task(*key).record(number, BatchOutcome(number))
    assert len(list(root.iterdir())) == len(keys)
    for number, key in enumerate(keys):
        assert list(store.for_task(*key).done()) == [number]

    store.for_task(*keys[1]).delete()
    assert store.for_task(*keys[1]).done() == {}
    assert list(store.for_task(*keys[2]).done()) == [2]  # its sibling map index is untouched
    assert len(list(root.iterdir())) == len(keys) - 1


def test_a_trailing_slash_names_the_same_place(store, root):
    store.for_task(*KEY).record(3, BatchOutcome(1))
    assert list(ObjectStorageCheckpointStore(root.as_uri() + "/").for_task(*KEY).done()) == [3]


def test_a_write_that_fails_drops_the_checkpoint_with_a_warning(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("")
    checkpoint = ObjectStorageCheckpointStore((blocker / "under-a-file").as_uri()).for_task(*KEY)
    result = run(FakeZoho(), record_ids(250), checkpoint)
    assert result["succeeded"] == 250
    assert "continuing without it" in caplog.text


class BrokenStorage:
    """A storage client whose errors are its own types, not OSError."""

    def ls(self, path: str, detail: bool = False) -> list[str]:
        raise RuntimeError("AccessDenied")

    def pipe_file(self, path: str, data: bytes) -> None:
        raise RuntimeError("AccessDenied")


def test_a_storage_clients_own_errors_drop_the_checkpoint_with_a_warning(caplog):
    checkpoint = ObjectStorageCheckpoint(BrokenStorage(), "bucket/prefix", where="s3://bucket/prefix")
    assert checkpoint.done() == {}  # unreadable: every batch is sent
    assert "Could not list the checkpoint s3://bucket/prefix (AccessDenied)" in caplog.text
    with pytest.raises(OSError, match=r"s3://bucket/prefix/0.json: RuntimeError: AccessDenied"):
        checkpoint.record(0, BatchOutcome(1))
    result = run(FakeZoho(), record_ids(250), checkpoint)
    assert result["succeeded"] == 250
    assert "continuing without it" in caplog.text


@pytest.mark.parametrize("url", ["nosuch://bucket/prefix", "nosuch://key:s3cr3t@bucket/prefix"])
def test_a_url_no_filesystem_serves_is_refused_naming_the_parameter(url):
    with pytest.raises(ZohoCRMValidationError) as info:
        ObjectStorageCheckpointStore(url)
    assert info.value.json_path == "checkpoint"
    assert "s3cr3t" not in str(info.value)


def test_urls_are_shown_without_their_password(store):
    assert redact_url("s3://key:s3cr3t@bucket/p") == "s3://key:***@bucket/p"
    assert redact_url("s3://aws_default@bucket/p") == "s3://aws_default@bucket/p"  # a connection id, kept
    assert redact_url("file:///tmp/x") == "file:///tmp/x"
    checkpoint = ObjectStorageCheckpoint(store.base.fs, "bucket/x", where=redact_url("s3://key:s3cr3t@bucket/x"))
    assert "s3cr3t" not in repr(checkpoint)
    assert repr(store).startswith("ObjectStorageCheckpointStore('file:///")

"""Crash safety: an un-enroll of 10,000 records SIGKILLed midway, then run again, reports every record once.

The task runs in a subprocess (``unenroll_task_process.py``) against the emulator, whose latency
keeps it busy long enough to be killed after 30 calls. The second try, a fresh process with the
same task instance key, must skip every batch the checkpoint holds, send every other one, and
return a result covering all 10,000 records. Calls in flight at the kill may have been processed
but not recorded: they are sent again (un-enrolling twice is harmless), at most ``max_workers``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from unit.helpers import unenrol_calls, wait_until

from airflow_provider_zohocrm.unenroll.checkpoint import FileCheckpoint

pytestmark = pytest.mark.integration

CADENCE = "554023000004093001"
RECORDS = 10_000
MAX_WORKERS = 4
KILL_AFTER_CALLS = 30
MISSING_POSITIONS = range(7, RECORDS, 500)  # records Zoho refuses (INVALID_DATA), in 20 of the 100 batches
WORKER = Path(__file__).with_name("unenroll_task_process.py")


@pytest.fixture
def task(zoho_crm_emulator: Any, tmp_path: Path) -> dict[str, Any]:
    records = [f"554023{1_000_000_000_000 + i}" for i in range(RECORDS)]
    for position in MISSING_POSITIONS:
        records[position] = f"999{1_000_000_000_000_000 + position}"[:18]
    records_file = tmp_path / "records.txt"
    records_file.write_text("\n".join(records))
    zoho_crm_emulator.add_cadence(CADENCE, "Crash test", "Contacts")
    spec = {
        "records_file": str(records_file),
        "cadence_id": CADENCE,
        "max_workers": MAX_WORKERS,
        "dag_id": "crm_cleanup",
        "run_id": "manual__2025-11-01T00:00:00+00:00",
        "task_id": "unenroll",
        "result_file": str(tmp_path / "result.json"),
    }
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    return {"records": records, "spec_file": spec_file, "result_file": tmp_path / "result.json", "dir": tmp_path / "cp"}


def start(task: dict[str, Any], log_name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ZOHO_CRM_CHECKPOINT_DIR": str(task["dir"])}
    with (task["dir"].parent / log_name).open("wb") as log:
        return subprocess.Popen(
            [sys.executable, str(WORKER), str(task["spec_file"])], env=env, stdout=log, stderr=subprocess.STDOUT
        )


def batch_of(call: dict[str, Any], position: dict[str, int]) -> int:
    return position[call["json"]["ids"][0]] // 100


def test_a_killed_unenroll_resumes_and_reports_every_record_once(zoho_crm_emulator, task):
    emulator, records = zoho_crm_emulator, task["records"]
    position = {record: index for index, record in enumerate(records)}
    emulator.set_config(latency_ms=100)

    first = start(task, "first.log")
    try:
        wait_until(lambda: len(unenrol_calls(emulator)) >= KILL_AFTER_CALLS or first.poll() is not None, 90, "calls")
        assert first.poll() is None, "the first try finished before it could be killed"
    finally:
        first.kill()  # SIGKILL: no cleanup, no flush
        first.wait(timeout=30)
    wait_until(lambda: emulator.stats()["in_flight"] == 0, 10, "calls in flight to end")
    sent_first = [batch_of(call, position) for call in unenrol_calls(emulator)]
    last_seq = emulator.journal_entries()[-1]["seq"]
    [checkpoint_file] = task["dir"].iterdir()
    finished = set(FileCheckpoint(checkpoint_file).done())
    assert KILL_AFTER_CALLS - 2 * MAX_WORKERS <= len(finished) < RECORDS // 100
    assert finished <= set(sent_first)

    emulator.set_config(latency_ms=0)
    second = start(task, "second.log")
    assert second.wait(timeout=120) == 0, (task["dir"].parent / "second.log").read_text()[-3000:]
    result = json.loads(task["result_file"].read_text())
    sent_second = [batch_of(call, position) for call in unenrol_calls(emulator, since=last_seq)]

    # The re-run sent no finished batch, and every other batch exactly once.
    assert not finished & set(sent_second)
    assert sorted(sent_second) == sorted(set(range(RECORDS // 100)) - finished)
    # Only batches in flight at the kill went out twice.
    assert len(set(sent_first) & set(sent_second)) <= MAX_WORKERS
    # Every record reached Zoho, and the final result reports each one exactly once.
    reached = {rid for call in unenrol_calls(emulator) for rid in call["json"]["ids"]}
    assert reached == set(records)
    missing = sorted(records[p] for p in MISSING_POSITIONS)
    assert result["records"] == RECORDS
    assert (result["succeeded"], result["failed"]) == (RECORDS - len(missing), len(missing))
    assert sorted(f["record_id"] for f in result["failures"]) == missing
    assert result["failed_by_code"] == {"INVALID_DATA": len(missing)}
    assert (result["batches_resumed"], result["calls"]) == (len(finished), len(sent_second))
    assert emulator.snapshot()["enrollments"][CADENCE] == []
    assert list(task["dir"].iterdir()) == []  # the task succeeded: its checkpoint is gone

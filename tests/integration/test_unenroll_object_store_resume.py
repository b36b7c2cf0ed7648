"""A retry on another host resumes from an object-storage checkpoint and reports every pair once.

The first try runs in a subprocess with its own ``TMPDIR``, ``HOME``, ``AIRFLOW_HOME`` and token
cache (one "host"), checkpointing to a ``file://`` URL, and is SIGKILLed after some calls. The
second try is a fresh process on another "host" (other directories; only the URL is shared). It
must find the batches the first finished, send every other one, and report each (record, cadence
batch) pair exactly once, with ``batches_resumed > 0``. Nothing is checkpointed on either host.
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

from airflow_provider_zohocrm.unenroll.checkpoint import DIR_ENV
from airflow_provider_zohocrm.unenroll.object_checkpoint import ObjectStorageCheckpointStore

pytestmark = pytest.mark.integration

CADENCES = [f"55402300000409{3100 + i}" for i in range(6)]  # two cadence batches: 5 + 1
RECORDS = 2_000  # 20 record batches x 2 cadence batches = 40 calls
MAX_WORKERS = 2
KILL_AFTER_CALLS = 12
MISSING_POSITIONS = range(11, RECORDS, 250)  # records Zoho refuses (INVALID_DATA) in every cadence batch
KEY = ("crm_cleanup", "scheduled__2025-11-01T00:00:00+00:00", "unenroll", -1)
WORKER = Path(__file__).with_name("unenroll_object_store_process.py")


def batch_of(call: dict[str, Any], position: dict[str, int]) -> int:
    """The engine's batch index: record batch x cadence batches + cadence batch."""
    cadence_batch = CADENCES.index(call["json"]["cadences_ids"][0]) // 5
    return position[call["json"]["ids"][0]] // 100 * 2 + cadence_batch


def host(root: Path, name: str) -> dict[str, str]:
    """The environment of a process on its own "host": private temp, home, Airflow home, token cache."""
    dirs = {"TMPDIR": "tmp", "HOME": "home", "AIRFLOW_HOME": "airflow", "ZOHO_CRM_TOKEN_CACHE_DIR": "tokens"}
    env = {k: v for k, v in os.environ.items() if k != DIR_ENV}
    for variable, sub in dirs.items():
        (root / name / sub).mkdir(parents=True)
        env[variable] = str(root / name / sub)
    return env


@pytest.fixture
def task(zoho_crm_emulator: Any, tmp_path: Path) -> dict[str, Any]:
    records = [f"554023{1_000_000_000_000 + i}" for i in range(RECORDS)]
    for position in MISSING_POSITIONS:
        records[position] = f"999{1_000_000_000_000_000 + position}"[:18]
    (tmp_path / "records.txt").write_text("\n".join(records))
    for number, cadence in enumerate(CADENCES):
        zoho_crm_emulator.add_cadence(cadence, f"Resume test {number}", "Contacts")
    for start in range(0, RECORDS, 100):  # everybody enrolled in every cadence, 100 records x 5 cadences at a time
        for cadences in (CADENCES[:5], CADENCES[5:]):
            zoho_crm_emulator.state.cadences.enrol(
                "Contacts", {"ids": records[start : start + 100], "cadences_ids": cadences}
            )
    enrolled = zoho_crm_emulator.snapshot()["enrollments"]
    assert all(len(enrolled[cid]) == RECORDS - len(MISSING_POSITIONS) for cid in CADENCES)
    url = (tmp_path / "shared" / "checkpoints").as_uri()
    spec = {
        "records_file": str(tmp_path / "records.txt"),
        "cadence_ids": CADENCES,
        "max_workers": MAX_WORKERS,
        "dag_id": KEY[0],
        "run_id": KEY[1],
        "task_id": KEY[2],
        "checkpoint": url,
        "result_file": str(tmp_path / "result.json"),
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    return {"records": records, "root": tmp_path, "url": url}


def start(task: dict[str, Any], name: str) -> subprocess.Popen[bytes]:
    root = task["root"]
    with (root / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, str(WORKER), str(root / "spec.json")],
            env=host(root, name),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def local_checkpoints(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.suffix == ".jsonl" or "checkpoint" in p.name]


def test_a_retry_on_another_host_resumes_from_the_url(zoho_crm_emulator, task):
    emulator, records, root = zoho_crm_emulator, task["records"], task["root"]
    position = {record: index for index, record in enumerate(records)}
    total_batches = RECORDS // 100 * 2
    emulator.set_config(latency_ms=100)

    first = start(task, "host-a")
    try:
        wait_until(lambda: len(unenrol_calls(emulator)) >= KILL_AFTER_CALLS or first.poll() is not None, 90, "calls")
        assert first.poll() is None, (root / "host-a.log").read_text()[-3000:]
    finally:
        first.kill()  # SIGKILL: no cleanup, no flush
        first.wait(timeout=30)
    wait_until(lambda: emulator.stats()["in_flight"] == 0, 10, "calls in flight to end")
    sent_first = [batch_of(call, position) for call in unenrol_calls(emulator)]
    last_seq = emulator.journal_entries()[-1]["seq"]
    finished = set(ObjectStorageCheckpointStore(task["url"]).for_task(*KEY).done())
    assert KILL_AFTER_CALLS - 2 * MAX_WORKERS <= len(finished) < total_batches
    assert finished <= set(sent_first)
    assert local_checkpoints(root / "host-a") == []  # the first host kept nothing of its own

    emulator.set_config(latency_ms=0)
    second = start(task, "host-b")
    assert second.wait(timeout=120) == 0, (root / "host-b.log").read_text()[-3000:]
    result = json.loads((root / "result.json").read_text())
    sent_second = [batch_of(call, position) for call in unenrol_calls(emulator, since=last_seq)]

    # The other host sent no finished batch, and every other batch exactly once.
    assert not finished & set(sent_second)
    assert sorted(sent_second) == sorted(set(range(total_batches)) - finished)
    assert len(set(sent_first) & set(sent_second)) <= MAX_WORKERS  # only those in flight at the kill
    # Every (record, cadence) pair reached Zoho; the result reports each (record, cadence batch) once.
    reached = {
        (rid, cid)
        for call in unenrol_calls(emulator)
        for rid in call["json"]["ids"]
        for cid in call["json"]["cadences_ids"]
    }
    assert reached == {(rid, cid) for rid in records for cid in CADENCES}
    missing = sorted(records[p] for p in MISSING_POSITIONS)
    pairs = RECORDS * 2
    assert (result["records"], result["batches_resumed"], result["calls"]) == (RECORDS, len(finished), len(sent_second))
    assert result["batches_resumed"] > 0
    assert (result["succeeded"], result["failed"]) == (pairs - 2 * len(missing), 2 * len(missing))
    reported = sorted((f["record_id"], tuple(f["cadence_ids"])) for f in result["failures"])
    assert reported == sorted((rid, tuple(batch)) for rid in missing for batch in (CADENCES[:5], CADENCES[5:]))
    assert all(emulator.snapshot()["enrollments"][cid] == [] for cid in CADENCES)
    # The task succeeded: its prefix is gone; neither host holds a checkpoint.
    assert list((root / "shared" / "checkpoints").iterdir()) == []
    assert local_checkpoints(root / "host-a") == local_checkpoints(root / "host-b") == []

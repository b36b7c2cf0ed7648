"""Zoho's official Python SDK (zohocrmsdk8-0), pointed at the emulator, parses every response.

The SDK keeps process-global state (``Initializer``), so it runs in a child process
(``sdk_probe.py``) while the emulator serves from this one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytest.importorskip("zohocrmsdk")

PROBE = Path(__file__).with_name("sdk_probe.py")


def _run_probe(emulator: ZohoCRMEmulator, work_dir: Path, find_user: bool) -> dict:
    args = [emulator.url, emulator.client_id, emulator.client_secret, emulator.refresh_token]
    completed = subprocess.run(
        [sys.executable, str(PROBE), *args, str(work_dir), "1" if find_user else "0"],
        cwd=work_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("find_user", [False, True])
def test_official_sdk_reads_cadences_and_unenrols(tmp_path: Path, find_user: bool) -> None:
    with ZohoCRMEmulator() as emulator:
        report = _run_probe(emulator, tmp_path, find_user)
        enrolled_after = emulator.state.cadences.is_enrolled("554023000004092008", "554023000001798647")
        paths = [(entry["method"], entry["path"], entry["status"]) for entry in emulator.journal]

    assert report["cadences_status"] == 200
    assert report["count"] == len(report["cadences"]) == 6
    manual = [c for c in report["cadences"] if c["type"] == "Manual enrollment"]  # the list's display label
    assert manual
    assert {c["execution_type"] for c in manual} == {None}  # as in Zoho's list example
    assert report["unenrol"] == {
        "status": 207,
        "items": [
            {
                "kind": "success",
                "code": "SUCCESS",
                "message": "records manually unenrolled",
                "id": "554023000001798647",
                "cadences": [{"name": "CadenceTest1", "id": "554023000004092008"}],
            },
            {"kind": "error", "code": "INVALID_DATA", "message": "given id seems to be invalid"},
        ],
    }
    assert report["enrol"]["status"] == 200
    assert report["enrol"]["items"][0]["message"] == "records manually enrolled"
    assert enrolled_after
    assert all(status and status < 300 for _, _, status in paths)
    assert paths[0][:2] == ("POST", "/oauth/v2/token")
    if find_user:
        assert [p[1] for p in paths[1:3]] == ["/crm/v8/users", "/crm/v8/org"]
        assert report["user_names"] == ["emulator@example.com:60012345678"]

"""The ``zohocrm_maintenance_window`` example through real Airflow (``airflow dags test``) and the emulator.

Task and run states are read from the run's SQLite metadata DB (the same tables on 2.11 and 3.x);
the emulator's own snapshot is the ground truth for the CRM.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from support.airflow_home import AirflowHome

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.dags

DAG_ID = "zohocrm_maintenance_window"
EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"
MODULES = ("Leads", "Contacts")  # the DAG's default modules param
OUR_WRITES = {"modified_time", "modified_by"}  # stamped by every status write


@pytest.fixture(scope="module")
def home_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("maintenance-window-home")
    AirflowHome(path, EXAMPLE_DAGS).migrate()
    return path


def dags_test(home_dir: Path, emulator: ZohoCRMEmulator, logical_date: str, conf: dict[str, Any] | None = None) -> Any:
    home = AirflowHome(home_dir, EXAMPLE_DAGS, env=emulator.connection_env())
    args = ["--conf", json.dumps(conf)] if conf else []
    return home.run("dags", "test", DAG_ID, logical_date, *args, timeout=300)


def last_run(home_dir: Path) -> tuple[str, dict[str, str]]:
    """The latest run's state and its task states."""
    with sqlite3.connect(home_dir / "airflow.db") as db:
        run_id, state = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (DAG_ID,)
        ).fetchone()
        tasks = db.execute("SELECT task_id, state FROM task_instance WHERE run_id = ?", (run_id,)).fetchall()
    return state, dict(tasks)


def crm(emulator: ZohoCRMEmulator) -> dict[str, Any]:
    state = emulator.snapshot()
    return {
        "rules": {r["id"]: _without(r) for r in state["workflow_rules"]["workflow_rules"]},
        "order": state["workflow_rules"]["order"],
        "workflows": {w["id"]: _without(w) for w in state["connected_workflows"]},
    }


def _without(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in OUR_WRITES}


def status_writes(emulator: ZohoCRMEmulator) -> list[tuple[str, bool]]:
    """(rule id, active) of every rule status PUT, in order."""
    return [
        (e["path"].rsplit("/", 1)[-1], e["json"]["workflow_rules"][0]["status"]["active"])
        for e in emulator.journal
        if e["method"] == "PUT" and "/workflow_rules/" in e["path"] and "actions" not in e["path"]
    ]


def active_rules(before: dict[str, Any]) -> set[str]:
    return {rid for m in MODULES for rid in before["order"][m] if before["rules"][rid]["status"]["active"]}


def test_the_window_pauses_and_restores_everything(home_dir: Path, zoho_crm_emulator: ZohoCRMEmulator) -> None:
    before = crm(zoho_crm_emulator)

    result = dags_test(home_dir, zoho_crm_emulator, "2026-01-01")

    output = result.stdout[-4000:] + result.stderr[-4000:]
    assert result.returncode == 0, output
    assert last_run(home_dir) == (
        "success",
        {
            "snapshot": "success",
            "pause": "success",
            "load": "success",
            "restore": "success",
            "fail_run_if_a_step_failed": "skipped",
        },
    ), output
    assert crm(zoho_crm_emulator) == before
    writes = status_writes(zoho_crm_emulator)
    assert {rid for rid, active in writes if not active} == active_rules(before)  # paused ...
    assert {rid for rid, active in writes if active} == active_rules(before)  # ... and restored


def test_restore_runs_after_a_failed_load_and_the_run_fails(home_dir: Path, zoho_crm_emulator: ZohoCRMEmulator) -> None:
    before = crm(zoho_crm_emulator)

    result = dags_test(home_dir, zoho_crm_emulator, "2026-01-02", {"fail_load": True})

    output = result.stdout[-4000:] + result.stderr[-4000:]
    assert result.returncode != 0, output
    assert "The load failed (fail_load=true)" in result.stdout + result.stderr
    assert last_run(home_dir) == (
        "failed",
        {
            "snapshot": "success",
            "pause": "success",
            "load": "failed",
            "restore": "success",
            "fail_run_if_a_step_failed": "failed",
        },
    ), output
    assert crm(zoho_crm_emulator) == before
    writes = status_writes(zoho_crm_emulator)
    paused = len(active_rules(before))
    assert paused > 0
    assert [active for _, active in writes] == [False] * paused + [True] * paused

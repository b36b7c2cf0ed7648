"""A DAG with a deferrable WorkflowRuleStatusSensor runs to success through real Airflow ``dag.test()``.

Airflow runs in a subprocess with its own ``AIRFLOW_HOME`` and SQLite metadata database, so its
configuration is read fresh; the emulator runs in this process and activates the rule shortly
after the sensor's first (synchronous) poke, so the sensor defers and its trigger sees the flip.
``dag.test()`` runs triggers inline on Airflow 2.11 and 3.x.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.dags

RULE_ID = "4876876000011150005"  # seeded inactive in the emulator
RULE_PATH = f"/crm/v8/settings/automation/workflow_rules/{RULE_ID}"
FLIP_AFTER_FIRST_POKE = 1.5  # seconds
BUDGET = 60.0  # seconds for dag.test() in its subprocess

DAG_FILE = textwrap.dedent(
    """
    import json
    import os
    from datetime import datetime

    from airflow.providers.common.compat.sdk import DAG, task

    from airflow_provider_zohocrm.sensors import WorkflowRuleStatusSensor

    with DAG(
        "zoho_crm_rule_sensor_smoke",
        schedule=None,
        start_date=datetime(2025, 1, 1),
        catchup=False,
        params={"rule_id": os.environ["ZOHO_RULE_ID"]},
    ) as dag:
        wait = WorkflowRuleStatusSensor(
            task_id="wait_for_rule",
            rule_id="{{ params.rule_id }}",
            active=True,
            deferrable=True,
            poke_interval=0.5,
            timeout=45,
        )

        @task
        def record(state):
            with open(os.environ["ZOHO_SENSOR_RESULT"], "w") as handle:
                json.dump({"state": state}, handle)

        record(wait.output)
    """
)

RUNNER = textwrap.dedent(
    """
    import importlib.util
    import json
    import sys

    spec = importlib.util.spec_from_file_location("zoho_crm_sensor_dag", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run = module.dag.test()
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    print("RESULT " + json.dumps({"run": str(run.state), "tasks": states}))
    """
)


def airflow_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(home / "dags"),
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
    )
    return env


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh AIRFLOW_HOME with a migrated SQLite metadata database (once per session)."""
    home = tmp_path_factory.mktemp("airflow-home")
    (home / "dags").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=airflow_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return home


@pytest.fixture
def flip_after_first_poke(zoho_crm_emulator: Any) -> Iterator[threading.Event]:
    """Activate the rule FLIP_AFTER_FIRST_POKE seconds after the sensor first reads it."""
    stop, flipped = threading.Event(), threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if any(e["method"] == "GET" and e["path"] == RULE_PATH for e in zoho_crm_emulator.journal):
                if not stop.wait(FLIP_AFTER_FIRST_POKE):
                    zoho_crm_emulator.set_workflow_rule_active(RULE_ID, True)
                    flipped.set()
                return
            stop.wait(0.05)

    watcher = threading.Thread(target=watch, name="flip-rule", daemon=True)
    watcher.start()
    yield flipped
    stop.set()
    watcher.join(timeout=5)


def test_deferrable_sensor_dag_runs_to_success(
    airflow_home: Path, zoho_crm_emulator: Any, flip_after_first_poke: threading.Event, tmp_path: Path
) -> None:
    dag_file = airflow_home / "dags" / "zoho_crm_rule_sensor_smoke.py"
    dag_file.write_text(DAG_FILE)
    runner = tmp_path / "run_dag_test.py"
    runner.write_text(RUNNER)
    result_file = tmp_path / "result.json"
    env = airflow_env(airflow_home)
    env.update(zoho_crm_emulator.connection_env())
    env.update(ZOHO_RULE_ID=RULE_ID, ZOHO_SENSOR_RESULT=str(result_file))

    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, str(runner), str(dag_file)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BUDGET * 2,
    )
    elapsed = time.monotonic() - started
    print(f"dag.test() subprocess took {elapsed:.1f} s")
    output = proc.stdout[-4000:] + proc.stderr[-4000:]
    assert proc.returncode == 0, output

    summary = json.loads(next(line[7:] for line in proc.stdout.splitlines() if line.startswith("RESULT ")))
    assert summary["run"].lower().endswith("success"), output
    assert {task: state.lower().rsplit(".", 1)[-1] for task, state in summary["tasks"].items()} == {
        "wait_for_rule": "success",
        "record": "success",
    }, output
    assert flip_after_first_poke.is_set(), "the sensor never read the rule"
    assert json.loads(result_file.read_text()) == {"state": True}
    # The synchronous first poke saw the rule inactive, so the trigger made the later reads.
    gets = [e for e in zoho_crm_emulator.journal if e["method"] == "GET" and e["path"] == RULE_PATH]
    assert len(gets) >= 2, output
    assert elapsed < BUDGET, f"dag.test() took {elapsed:.1f} s"

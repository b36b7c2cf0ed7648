"""Every example DAG runs when triggered the Airflow 3 way: no logical date (UI, CLI and REST default).

``airflow dags test`` always sets a date, so it cannot show a template or task that needs one;
here each DAG runs through ``dag.test(logical_date=None)`` in a fresh interpreter on a throw-away
metadata DB, against the bundled emulator.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.airflow_home import AirflowHome
from support.hitl import HITLResponder

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.dags

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"
NEEDS_APPROVAL = {"zohocrm_automation_as_code"}
RUN = """
import json, sys
from airflow.dag_processing.dagbag import DagBag

dag = DagBag(dag_folder=sys.argv[1]).dags[sys.argv[2]]
run = dag.test(logical_date=None)
print(json.dumps({"state": str(run.state), "logical_date": run.logical_date and run.logical_date.isoformat()}))
"""


def _airflow_major() -> int:
    from importlib.metadata import version

    return int(version("apache-airflow").split(".")[0])


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowHome]:
    if _airflow_major() < 3:
        pytest.skip("every Airflow 2 run has a logical date")
    with ZohoCRMEmulator() as emulator:
        # The promotion's sandbox is the same org here: its plan is empty, so it asks no approval.
        # TMPDIR: where the promotion exports to by default.
        env = {**emulator.connection_env(), **emulator.connection_env("zoho_crm_sandbox")}
        env["TMPDIR"] = str(tmp_path_factory.mktemp("tmp"))
        home = AirflowHome(tmp_path_factory.mktemp("airflow-home"), EXAMPLE_DAGS, env=env)
        home.migrate()
        yield home


@pytest.mark.parametrize(
    "dag_id",
    [
        "zohocrm_release_pipeline",
        "zohocrm_cadence_backfill",
        "zohocrm_maintenance_window",
        "zohocrm_automation_as_code",
        "zohocrm_promote_automation",
    ],
)
def test_example_dag_succeeds_without_a_logical_date(home: AirflowHome, dag_id: str) -> None:
    # Its human-in-the-loop approval is answered through the REST API while the run waits.
    approval = HITLResponder(home, dag_id) if dag_id in NEEDS_APPROVAL else contextlib.nullcontext()
    with approval:
        done = subprocess.run(
            [sys.executable, "-c", RUN, str(EXAMPLE_DAGS), dag_id],
            env=home.environ(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-4000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome == {"state": "success", "logical_date": None}, done.stdout[-4000:]

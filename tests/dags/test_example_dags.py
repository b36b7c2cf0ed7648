"""The example DAGs: they import cleanly, and run end to end through real Airflow against the emulator."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.airflow_home import AirflowHome

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.dags

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DAGS = ROOT / "example_dags"
OURS = (str(EXAMPLE_DAGS), str(ROOT / "airflow_provider_zohocrm"))
LOGICAL_DATE = "2026-01-01"


def _dagbag() -> Any:
    try:
        from airflow.dag_processing.dagbag import DagBag  # examples are off: AIRFLOW__CORE__LOAD_EXAMPLES
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag

        return DagBag(dag_folder=str(EXAMPLE_DAGS), include_examples=False)
    return DagBag(dag_folder=str(EXAMPLE_DAGS))


def test_example_dags_import_without_errors_or_warnings_from_our_code() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dagbag = _dagbag()
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= {
        "zohocrm_release_pipeline",
        "zohocrm_cadence_backfill",
        "zohocrm_maintenance_window",
        "zohocrm_automation_as_code",
        "zohocrm_promote_automation",
    }
    ours = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught if str(w.filename).startswith(OURS)]
    assert ours == []
    for dag_id in dagbag.dag_ids:
        assert dagbag.dags[dag_id].doc_md, f"{dag_id} must document itself"


@pytest.fixture(scope="module")
def emulator() -> Iterator[ZohoCRMEmulator]:
    with ZohoCRMEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory, emulator: ZohoCRMEmulator) -> AirflowHome:
    home = AirflowHome(tmp_path_factory.mktemp("airflow-home"), EXAMPLE_DAGS, env=emulator.connection_env())
    home.migrate()
    return home


def _run(home: AirflowHome, dag_id: str) -> None:
    result = home.dags_test(dag_id, LOGICAL_DATE)
    assert result.returncode == 0, f"{dag_id} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"


def _rule(emulator: ZohoCRMEmulator, rule_id: str) -> dict[str, Any]:
    return next(r for r in emulator.snapshot()["workflow_rules"]["workflow_rules"] if r["id"] == rule_id)


def test_release_pipeline_runs_and_changes_the_crm(emulator: ZohoCRMEmulator, airflow_home: AirflowHome) -> None:
    emulator.reset()
    order_file = json.loads((EXAMPLE_DAGS / "automation" / "leads_rule_order.json").read_text())
    _run(airflow_home, "zohocrm_release_pipeline")
    rule = _rule(emulator, "4876876000011037080")
    assert rule["name"] == f"Tag trade-show leads - release {LOGICAL_DATE}"
    assert rule["status"]["active"] is True
    leads_order = emulator.snapshot()["workflow_rules"]["order"]["Leads"]
    assert leads_order[: len(order_file["order"])] == order_file["order"]
    workflow = next(w for w in emulator.snapshot()["connected_workflows"] if w["id"] == "4876876000019209007")
    assert workflow["status"] == "active"  # paused around the load, then resumed
    writes = [e for e in emulator.journal_entries() if e["method"] == "PUT" and "connected_workflows" in e["path"]]
    assert [w["path"].rsplit("/", 1)[-1] for w in writes] == ["deactivate", "activate"]

    emulator.clear_journal()
    _run(airflow_home, "zohocrm_release_pipeline")  # re-run: nothing left to change
    rule_writes = [e for e in emulator.journal_entries() if e["method"] == "PUT" and "workflow_rules" in e["path"]]
    assert rule_writes == []


def test_cadence_backfill_unenrolls_every_record_once(emulator: ZohoCRMEmulator, airflow_home: AirflowHome) -> None:
    from airflow_provider_zohocrm.hooks import ZohoCRMHook

    emulator.reset()
    cadence = "554023000004092001"
    records = [f"55402{LOGICAL_DATE.replace('-', '')}{n:06d}" for n in range(1200)]  # as the DAG makes them
    with pytest.MonkeyPatch.context() as mp:
        for name, value in emulator.connection_env().items():
            mp.setenv(name, value)
        hook = ZohoCRMHook()
        for start in range(0, len(records), 100):
            body = {"cadences_ids": [cadence], "ids": records[start : start + 100]}
            hook.request("POST", "Leads/actions/enrol_in_cadences", json=body)
    assert set(records) <= set(emulator.snapshot()["enrollments"][cadence])
    emulator.clear_journal()

    _run(airflow_home, "zohocrm_cadence_backfill")

    assert not set(records) & set(emulator.snapshot()["enrollments"][cadence])
    calls = [e for e in emulator.journal_entries() if e["path"].endswith("/unenrol_from_cadences")]
    assert len(calls) == 12  # ceil(1200 / 100) x ceil(1 / 5)
    sent = [record for call in calls for record in call["json"]["ids"]]
    assert sorted(sent) == sorted(records)  # every record exactly once

    emulator.clear_journal()
    _run(airflow_home, "zohocrm_cadence_backfill")  # re-running the same date is safe

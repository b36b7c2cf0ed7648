"""The automation-as-code example DAGs run through real Airflow against the emulator, approval included.

``airflow dags test`` in a throw-away ``AIRFLOW_HOME``. Where the standard provider ships
human-in-the-loop operators (Airflow 3.1+) the run waits at ``approve`` until a reviewer answers;
:class:`~support.hitl.HITLResponder` answers through Airflow's HITL REST API, as the Required
Actions page would, and hands back what the reviewer was shown. Elsewhere (Airflow 2.11) the
run's ``approve`` param is the approval. Two emulators stand for the two orgs of the promotion:
``zoho_crm_default`` (production) and ``zoho_crm_sandbox``.

Run on Airflow 3.3 and 2.11 (as ``make test`` does): ``airflow dags test`` on 3.1 cannot run a
human-in-the-loop task (its in-line trigger's request for the response is not served there).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.airflow_home import AirflowHome
from support.exported_rules import as_new
from support.hitl import HITLResponder

from airflow_provider_zohocrm.as_code import apply_plan, export_state, make_plan, verify_state
from airflow_provider_zohocrm.client import ZohoCRMClient
from airflow_provider_zohocrm.connection import settings_from_mapping
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.dags

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DAGS = ROOT / "example_dags"
FILES = EXAMPLE_DAGS / "automation" / "as_code"
LOGICAL_DATE = "2026-01-01"
AS_CODE, PROMOTE = "zohocrm_automation_as_code", "zohocrm_promote_automation"
STALLED_DEAL = "4876876000014400077"  # inactive in the seed, active in the example files
WON_DEAL = "4876876000014400019"


def _hitl() -> bool:
    try:
        from airflow.providers.standard.operators.hitl import ApprovalOperator  # noqa: F401
    except Exception:  # ImportError, or the provider's "needs Airflow 3.1+"
        return False
    return True


HITL = _hitl()


@pytest.fixture(scope="module")
def production() -> Iterator[ZohoCRMEmulator]:
    with ZohoCRMEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ZohoCRMEmulator]:
    with ZohoCRMEmulator(client_secret="sandbox-client-secret", refresh_token="1000.sandbox-refresh-token") as emulator:
        yield emulator


@pytest.fixture(scope="module")
def home(
    tmp_path_factory: pytest.TempPathFactory, production: ZohoCRMEmulator, sandbox: ZohoCRMEmulator
) -> AirflowHome:
    env = {**production.connection_env(), **sandbox.connection_env("zoho_crm_sandbox")}
    home = AirflowHome(tmp_path_factory.mktemp("airflow-home"), EXAMPLE_DAGS, env=env)
    home.migrate()
    if not _airflow_3():
        # Airflow 2 records an event through an asset (dataset) alias only once the alias is in the
        # metadata database, which the scheduler's DAG parsing writes and `dags test` does not.
        done = home.run("dags", "reserialize")
        assert done.returncode == 0, done.stderr[-3000:]
    return home


def _airflow_3() -> bool:
    from importlib.metadata import version

    return int(version("apache-airflow").split(".")[0]) >= 3


@pytest.fixture
def orgs(production: ZohoCRMEmulator, sandbox: ZohoCRMEmulator) -> Iterator[tuple[ZohoCRMClient, ZohoCRMClient]]:
    production.reset()
    sandbox.reset()
    with client_of(production) as prod, client_of(sandbox) as sand:
        yield prod, sand


def client_of(emulator: ZohoCRMEmulator) -> ZohoCRMClient:
    extra = {**emulator.connection_extra(), "auth_cache": "memory"}
    return ZohoCRMClient(settings_from_mapping(login=emulator.client_id, password=emulator.client_secret, extra=extra))


def run_dag(
    home: AirflowHome, dag_id: str, *, approve: bool, **params: Any
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """One ``airflow dags test`` run; the approval given (HITL) or passed as the ``approve`` param."""
    if not HITL:
        return home.run("dags", "test", dag_id, LOGICAL_DATE, "--conf", json.dumps({**params, "approve": approve})), []
    with HITLResponder(home, dag_id, option="Approve" if approve else "Reject") as responder:
        result = home.run("dags", "test", dag_id, LOGICAL_DATE, "--conf", json.dumps(params))
    # A failed run is reported by its own output (succeeded()), not by the responder it left waiting.
    return result, responder.answered() if result.returncode == 0 else []


def succeeded(result: subprocess.CompletedProcess[str], dag_id: str) -> None:
    assert result.returncode == 0, f"{dag_id} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"


def task_states(home: AirflowHome, dag_id: str) -> dict[str, str]:
    """The states of the tasks of ``dag_id``'s latest run, from the metadata database."""
    with sqlite3.connect(home.path / "airflow.db") as db:
        (run_id,) = db.execute(
            "SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (dag_id,)
        ).fetchone()
        rows = db.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?", (dag_id, run_id))
        return dict(rows.fetchall())


def asset_events(home: AirflowHome) -> list[tuple[str, dict[str, Any]]]:
    """(URI, extra) of every asset event recorded (dataset events on Airflow 2)."""
    with sqlite3.connect(home.path / "airflow.db") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        event, asset, key = (
            ("asset_event", "asset", "asset_id")
            if "asset_event" in tables
            else (
                "dataset_event",
                "dataset",
                "dataset_id",
            )
        )
        rows = db.execute(f"SELECT a.uri, e.extra FROM {event} e JOIN {asset} a ON a.id = e.{key} ORDER BY e.id")  # noqa: S608
        return [(uri, json.loads(extra) if extra else {}) for uri, extra in rows.fetchall()]


def live_rule(emulator: ZohoCRMEmulator, rule_id: str) -> dict[str, Any]:
    return next(r for r in emulator.snapshot()["workflow_rules"]["workflow_rules"] if r["id"] == rule_id)


def without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    return value


# --------------------------------------------------------------------------- zohocrm_automation_as_code


def test_approved_plan_is_applied_verified_and_announced(
    home: AirflowHome, production: ZohoCRMEmulator, orgs: tuple[ZohoCRMClient, ZohoCRMClient]
) -> None:
    prod, _ = orgs
    result, answered = run_dag(home, AS_CODE, approve=True)
    succeeded(result, AS_CODE)

    if HITL:  # the reviewer saw the rendered plan in the approval request
        (request,) = answered
        assert (request["task_id"], request["status"], request["options"]) == ("approve", 200, ["Approve", "Reject"])
        assert "conditions[0].scheduled_actions[0].execute_after.unit: 2 -> 4" in request["body"]
        assert "activate 'Stalled deal nudge'" in request["body"]
    states = task_states(home, AS_CODE)
    assert states == dict.fromkeys(["plan", "changes_to_apply", "approve", "apply", "verify"], "success")
    assert verify_state(prod, str(FILES)) == []
    assert live_rule(production, STALLED_DEAL)["status"]["active"] is True
    delay = live_rule(production, WON_DEAL)["conditions"][0]["scheduled_actions"][0]["execute_after"]
    assert delay == {"period": "hours", "unit": 4}
    assert ("zohocrm://zoho_crm_default/automation/Deals", {"module": "Deals", "steps": 4}) in asset_events(home)

    # Run again: the plan is empty, so nobody is asked and nothing is written; verify still runs.
    production.clear_journal()
    succeeded(home.dags_test(AS_CODE, LOGICAL_DATE), AS_CODE)
    states = task_states(home, AS_CODE)
    assert (states["changes_to_apply"], states["approve"], states["apply"]) == ("success", "skipped", "skipped")
    assert states["verify"] == "success"
    assert [e for e in production.journal_entries() if e["method"] != "GET" and e["path"].startswith("/crm/")] == []


def test_without_approval_nothing_is_written(
    home: AirflowHome, production: ZohoCRMEmulator, orgs: tuple[ZohoCRMClient, ZohoCRMClient]
) -> None:
    prod, _ = orgs
    production.clear_journal()
    result, answered = run_dag(home, AS_CODE, approve=False)
    succeeded(result, AS_CODE)
    assert [a["status"] for a in answered] == ([200] if HITL else [])
    states = task_states(home, AS_CODE)
    # "Reject" (or approve=false) is an answer: the approval succeeds and skips everything after it.
    assert (states["plan"], states["approve"], states["apply"], states["verify"]) == (
        "success",
        "success",
        "skipped",
        "skipped",
    )
    assert [e for e in production.journal_entries() if e["method"] != "GET" and e["path"].startswith("/crm/")] == []
    assert len(verify_state(prod, str(FILES))) > 0


# --------------------------------------------------------------------------- zohocrm_promote_automation


def test_sandbox_automation_is_promoted_to_production(
    home: AirflowHome,
    production: ZohoCRMEmulator,
    sandbox: ZohoCRMEmulator,
    orgs: tuple[ZohoCRMClient, ZohoCRMClient],
    tmp_path: Path,
) -> None:
    prod, sand = orgs
    # Built in the sandbox: a rule edited, one switched off, and a new rule (whose ids production lacks).
    sandbox.edit_workflow_rule(WON_DEAL, description="Reviewed in the sandbox; ready for production.")
    sandbox.set_workflow_rule_active("4876876000014400003", False)
    work = tmp_path / "sandbox"
    export_state(sand, ["Deals"], str(work))
    deals = yaml.safe_load((work / "workflow_rules" / "Deals.yaml").read_text())
    deals["rules"].append(as_new(deals["rules"][1], "Won deal handoff - EMEA"))
    (work / "workflow_rules" / "Deals.yaml").write_text(yaml.safe_dump(deals, sort_keys=False))
    assert apply_plan(sand, make_plan(sand, str(work))).verified

    result, answered = run_dag(home, PROMOTE, approve=True, path=str(tmp_path / "promoted"))
    succeeded(result, PROMOTE)

    if HITL:
        (request,) = answered
        assert "Reviewed in the sandbox; ready for production." in request["body"]
        assert "Won deal handoff - EMEA" in request["body"]
    assert set(task_states(home, PROMOTE).values()) == {"success"}
    export_state(prod, ["Deals"], str(tmp_path / "production"))
    export_state(sand, ["Deals"], str(tmp_path / "sandbox-now"))
    promoted = yaml.safe_load((tmp_path / "production" / "workflow_rules" / "Deals.yaml").read_text())
    built = yaml.safe_load((tmp_path / "sandbox-now" / "workflow_rules" / "Deals.yaml").read_text())
    assert without_ids(promoted) == without_ids(built)  # the new rule has production's own ids
    assert [r["name"] for r in promoted["rules"]][-1] == "Won deal handoff - EMEA"
    assert ("zohocrm://zoho_crm_default/automation/Deals", {"module": "Deals", "steps": 3}) in asset_events(home)

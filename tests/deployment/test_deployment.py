"""The provider in a real Airflow 3 deployment, triggered the way users trigger DAGs: with no logical date.

``make deploy-test`` (not part of the normal suite: pyproject's ``norecursedirs``). The api-server,
scheduler, dag-processor and triggerer run as separate processes on LocalExecutor and SQLite
(``deploy_airflow.py``), every listener on 127.0.0.1, against the bundled Zoho CRM emulator (and a
second one as the sandbox org, connection ``zoho_crm_sandbox``).

Every example DAG is triggered without a logical date, some through ``airflow dags trigger`` and
some through ``POST /api/v2/dags/{dag_id}/dagRuns``, with its default params; the emulator state a
DAG needs is arranged just before (``_arrange``), and a human-in-the-loop approval is answered
through the REST API. Each run must succeed with each task in its expected state.

The emulator's status lag makes the release pipeline's deferrable sensor see its rule inactive on
its first poke, so it must defer; the proof is in the task log the REST API serves: the worker's
deferral, then lines only the triggerer writes (from the trigger log file named after the
triggerer job), then the resumed task. The connection test endpoint must accept the emulator's
credentials, then refuse a wrong client secret. Afterwards no process is left, and no secret or
access token is in any log or captured output.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from deploy_airflow import (
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    TIMINGS,
    Deployment,
    example_dag_ids,
)
from support.processes import port_open

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.deployment

DAG_IDS = example_dag_ids()
SENSOR_DAG, SENSOR_TASK = "zohocrm_release_pipeline", "wait_rule_active"
RULE_ID = "4876876000011037080"  # the release pipeline's rule (its params default)
PROMOTION_DAG = "zohocrm_promote_automation"  # reads the sandbox org (connection zoho_crm_sandbox)
STALE_READS = 2  # the sensor's poke and the trigger's first poll see the rule still inactive
# Tasks that skip when nothing failed (trigger_rule=one_failed); every other task must succeed.
SKIPPED_BY_DESIGN = {
    "zohocrm_release_pipeline": {"fail_run_if_any_step_failed"},
    "zohocrm_maintenance_window": {"fail_run_if_a_step_failed"},
}
RUNS_DEADLINE = 480.0  # seconds for all runs together
RUN_TIMEOUT = 240.0  # seconds for one run
REVIEW_SECONDS = 5.0  # how long a human-in-the-loop request waits before the test approves it
WRONG_SECRET = f"wrong-client-secret-{uuid.uuid4().hex}"


@dataclass
class Run:
    """One triggered DAG run and what the deployment recorded about it."""

    dag_id: str
    via: str  # "cli" or "rest"
    run_id: str
    triggered: dict[str, Any]  # the trigger's answer (REST) or printed run (CLI)
    final: dict[str, Any] = field(default_factory=dict)  # the run as the REST API shows it at the end
    task_instances: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, float] = field(default_factory=dict)  # human-in-the-loop requests: when first seen
    approved: list[str] = field(default_factory=list)  # the ones answered "Approve"
    timed_out: bool = False
    seconds: float = 0.0


def _trigger(deployment: Deployment, dag_id: str, via: str) -> tuple[str, dict[str, Any]]:
    if via == "rest":
        run = deployment.api.post(f"dags/{dag_id}/dagRuns", {"logical_date": None})
        return run["dag_run_id"], run
    done = deployment.cli("dags", "trigger", dag_id, "--output", "json")
    assert done.returncode == 0, f"airflow dags trigger {dag_id} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    printed = json.loads(done.stdout.strip().splitlines()[-1])  # warnings may come first
    assert len(printed) == 1, done.stdout
    return printed[0]["dag_run_id"], printed[0]


def _answer_approvals(deployment: Deployment, run: Run) -> None:
    """Answer the run's waiting human-in-the-loop requests as a reviewer would: ``Approve``, through the REST API.

    Each is answered once it has waited ``REVIEW_SECONDS``, as a person would take a while: Airflow
    3.3.2 fails the task when the answer comes before the scheduler has seen its worker exit.
    """
    path = f"dags/{run.dag_id}/dagRuns/{run.run_id}"
    for detail in deployment.api.get(f"{path}/hitlDetails", response_received="false")["hitl_details"]:
        ti = detail["task_instance"]
        assert "Approve" in detail["options"], (
            f"{run.dag_id}.{ti['task_id']} waits for one of {detail['options']}: tell the deployment test which to give"
        )
        key = f"{ti['task_id']}/{ti['map_index']}"
        first_seen = run.pending.setdefault(key, time.monotonic())
        if time.monotonic() - first_seen < REVIEW_SECONDS:
            continue
        deployment.api.call("PATCH", f"{path}/taskInstances/{key}/hitlDetails", json={"chosen_options": ["Approve"]})
        run.approved.append(key)


def _wait(deployment: Deployment, run: Run, timeout: float) -> None:
    """Poll the run until it ends or ``timeout`` passes (then ``final`` holds its last state)."""
    deadline = time.monotonic() + timeout
    while True:
        deployment.check_services()
        deployment.tracker.watch(deployment.services)
        run.final = deployment.api.get(f"dags/{run.dag_id}/dagRuns/{run.run_id}")
        if run.final["state"] in ("success", "failed"):
            return
        if time.monotonic() > deadline:
            run.timed_out = True
            return
        _answer_approvals(deployment, run)
        time.sleep(2)


def _arrange(crm: ZohoCRMEmulator, sandbox: ZohoCRMEmulator, dag_id: str) -> None:
    """The emulator state a DAG's run needs, set just before it is triggered."""
    if dag_id == SENSOR_DAG:
        # The sensor's rule starts inactive, and its activation shows STALE_READS reads late.
        crm.set_workflow_rule_active(RULE_ID, False)
        crm.set_workflow_rule_status_lag(RULE_ID, STALE_READS)
    if dag_id == PROMOTION_DAG:
        # Something to promote: a Deals rule described differently in the sandbox.
        rules = sandbox.snapshot()["workflow_rules"]["workflow_rules"]
        deals_rule = next(rule for rule in rules if rule["module"]["api_name"] == "Deals")
        sandbox.edit_workflow_rule(deals_rule["id"], description="Reviewed in the sandbox; ready for production.")


@pytest.fixture(scope="module")
def runs(deployment: Deployment, crm: ZohoCRMEmulator, sandbox_crm: ZohoCRMEmulator) -> dict[str, Run]:
    """Every example DAG triggered without a logical date, one after another, and waited for.

    One at a time: the release pipeline and the maintenance window change the same rules and
    connected workflows, and the maintenance window fails on drift by design. A run that does not
    end in time is left to its test to report; the next DAG still runs while time remains.
    """
    deployment.wait_for(lambda: set(DAG_IDS) <= _deployed(deployment), 120, f"the example DAGs {DAG_IDS} parsed")
    results = {}
    deadline = time.monotonic() + RUNS_DEADLINE
    for index, dag_id in enumerate(DAG_IDS):
        if time.monotonic() > deadline:
            break  # its test reports it was never triggered
        _arrange(crm, sandbox_crm, dag_id)
        started = time.monotonic()
        via = "rest" if index % 2 == 0 else "cli"
        run = Run(dag_id, via, *_trigger(deployment, dag_id, via))
        _wait(deployment, run, min(RUN_TIMEOUT, deadline - time.monotonic()))
        run.seconds = time.monotonic() - started
        TIMINGS[dag_id] = run.seconds
        listed = deployment.api.get(f"dags/{dag_id}/dagRuns/{run.run_id}/taskInstances", limit=1000)
        run.task_instances = listed["task_instances"]
        results[dag_id] = run
    return results


def _run(runs: dict[str, Run], dag_id: str) -> Run:
    assert dag_id in runs, f"{dag_id} was not triggered: the earlier runs used up {RUNS_DEADLINE:.0f} s"
    return runs[dag_id]


def _deployed(deployment: Deployment) -> set[str]:
    return {dag["dag_id"] for dag in deployment.api.get("dags", limit=1000)["dags"]}


def _canaries(*emulators: ZohoCRMEmulator) -> list[str]:
    """The secrets, every access token the emulators issued, and their random parts (a partial leak counts)."""
    values = [WRONG_SECRET]
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN):
        values += [secret, secret.rsplit("-", 1)[1]]
    for emulator in emulators:
        for token in emulator.tokens.issued():
            values += [token, *token.split(".")[1:]]
    return values


# ---------------------------------------------------------------------------------------- the services


def test_every_example_dag_is_deployed_unpaused(deployment: Deployment) -> None:
    deployment.wait_for(lambda: set(DAG_IDS) <= _deployed(deployment), 120, "the example DAGs parsed")
    dags = {dag["dag_id"]: dag for dag in deployment.api.get("dags", limit=1000)["dags"]}
    assert sorted(dags) == DAG_IDS, "a DAG in example_dags/ is declared in a way example_dag_ids() does not read"
    assert [dag_id for dag_id, dag in dags.items() if dag["is_paused"]] == []
    errors = deployment.api.get("importErrors")
    assert errors["total_entries"] == 0, errors


# ---------------------------------------------------------------------------------------- the runs


def test_both_trigger_paths_are_used(runs: dict[str, Run]) -> None:
    assert {run.via for run in runs.values()} == {"cli", "rest"}


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_run_without_a_logical_date_succeeds(deployment: Deployment, runs: dict[str, Run], dag_id: str) -> None:
    run = _run(runs, dag_id)
    assert not run.timed_out, f"{dag_id} via {run.via} still {run.final['state']} after {run.seconds:.0f} s"
    assert run.triggered["logical_date"] is None, run.triggered
    assert run.final["logical_date"] is None, run.final
    assert run.final["run_type"] == "manual"
    states = {(ti["task_id"], ti["map_index"]): ti["state"] for ti in run.task_instances}
    assert run.final["state"] == "success", f"{dag_id} via {run.via}: {run.final['state']}; tasks {states}"
    tasks = {task["task_id"] for task in deployment.api.get(f"dags/{dag_id}/tasks")["tasks"]}
    assert {task_id for task_id, _ in states} == tasks
    skipped = SKIPPED_BY_DESIGN.get(dag_id, set())
    expected = {key: "skipped" if key[0] in skipped else "success" for key in states}
    assert states == expected


def test_mapped_unenrolment_reports_every_chunk(deployment: Deployment, runs: dict[str, Run]) -> None:
    run = _run(runs, "zohocrm_cadence_backfill")
    mapped = sorted(ti["map_index"] for ti in run.task_instances if ti["task_id"] == "unenroll")
    assert mapped == [0, 1, 2]  # 1,200 records in chunks of 500
    path = f"dags/{run.dag_id}/dagRuns/{run.run_id}/taskInstances/report/xcomEntries/return_value"
    report = deployment.api.get(path, deserialize=True)["value"]
    assert report == {"chunks": 3, "succeeded": 1200, "failed": 0}


def test_deferrable_sensor_waited_in_the_triggerer(
    deployment: Deployment, runs: dict[str, Run], crm: ZohoCRMEmulator
) -> None:
    """The rule showed inactive to the sensor's poke, so it deferred; the triggerer's own log proves the wait."""
    run = _run(runs, SENSOR_DAG)
    [ti] = [ti for ti in run.task_instances if ti["task_id"] == SENSOR_TASK]
    assert (ti["state"], ti["try_number"]) == ("success", 1)  # resumed in the same try, not retried
    triggerers = deployment.api.get("jobs", job_type="TriggererJob")["jobs"]
    assert triggerers, "no triggerer job recorded"
    job_ids = {job["id"] for job in triggerers}

    log = deployment.api.call(
        "GET",
        f"dags/{SENSOR_DAG}/dagRuns/{run.run_id}/taskInstances/{SENSOR_TASK}/logs/1",
        params={"full_content": "true"},
        headers={"Accept": "application/json"},
    )
    events = [str(line.get("event", "")) if isinstance(line, dict) else str(line) for line in log["content"]]
    text = "\n".join(events)
    # The api-server assembled it from the worker's file and the trigger's file of this try, the
    # latter named after the triggerer job that wrote it.
    trigger_jobs = re.findall(rf"/task_id={SENSOR_TASK}/attempt=1\.log\.trigger\.(\d+)\.log$", text, re.MULTILINE)
    assert trigger_jobs, f"no trigger log among the sources:\n{text[:3000]}"
    assert {int(job) for job in trigger_jobs} <= job_ids
    # In this order: the worker's poke saw the (stale) inactive rule and deferred; the triggerer ran
    # the trigger, which polled, waited, saw the rule active and fired; the worker resumed with its event.
    expected = [
        rf"Workflow rule {RULE_ID} is inactive, waiting for active",
        r"Pausing task as DEFERRED\.?",
        rf"trigger {SENSOR_DAG}/{re.escape(run.run_id)}/{SENSOR_TASK}/-1/1 \(ID \d+\) starting",
        rf"Workflow rule {RULE_ID} is inactive, waiting for active; next check in 5 s",
        rf"Workflow rule {RULE_ID} is active",
        r"Trigger fired event",
        r"Wanted state reached: True",
    ]
    position = 0
    for pattern in expected:
        found = next((i for i in range(position, len(events)) if re.fullmatch(pattern, events[i].strip())), None)
        assert found is not None, f"no line {pattern!r} after line {position} of the task log:\n{text}"
        position = found + 1

    trigger_logs = list((deployment.home / "logs").rglob(f"*{SENSOR_TASK}*/attempt=1.log.trigger.*.log"))
    assert trigger_logs, "the triggerer wrote no log file for the sensor"
    trigger_text = "\n".join(path.read_text() for path in trigger_logs)
    assert "next check in" in trigger_text
    assert "Pausing task as DEFERRED" not in trigger_text  # the worker's lines are in the worker's file

    reads = [
        entry
        for entry in crm.journal_entries()
        if entry["method"] == "GET" and entry["path"].endswith(f"/settings/automation/workflow_rules/{RULE_ID}")
    ]
    assert len(reads) >= STALE_READS + 2  # activate_rule's read, the stale ones, the one that saw it active


def test_every_listener_was_on_loopback(deployment: Deployment, runs: dict[str, Run]) -> None:
    """Every socket any process of the deployment listened on, polled from startup to the last run."""
    deployment.tracker.watch(deployment.services)
    listening = deployment.tracker.listening
    assert ("api-server", "127.0.0.1", deployment.port) in listening, listening
    exposed = sorted(entry for entry in listening if entry[1] != "127.0.0.1")
    assert not exposed, f"listening beyond 127.0.0.1: {exposed}"


# ---------------------------------------------------------------------------------------- the connection test


def test_connection_test_accepts_the_credentials_then_refuses_a_wrong_secret(
    deployment: Deployment, crm: ZohoCRMEmulator
) -> None:
    body = {
        "connection_id": "zoho_crm_deployment_check",  # not defined anywhere: the body is the whole connection
        "conn_type": "zoho_crm",
        "login": crm.client_id,
        "password": crm.client_secret,
        "extra": json.dumps(crm.connection_extra()),
    }
    good = deployment.api.post("connections/test", body)
    assert good["status"] is True, good
    wrong = deployment.api.post("connections/test", {**body, "password": WRONG_SECRET})
    assert wrong["status"] is False, f"a wrong client secret passed the connection test: {wrong}"
    assert WRONG_SECRET not in wrong["message"]
    assert CLIENT_SECRET not in wrong["message"]


# ---------------------------------------------------------------------------------------- afterwards


def test_stopping_leaves_no_process_or_listener(deployment: Deployment, runs: dict[str, Run]) -> None:
    seen = len(deployment.tracker.seen)
    deployment.stop()
    assert seen > len(deployment.services)  # the tracker did see the services' children (task processes too)
    left = [(name, process.pid, process.name()) for name, process in deployment.tracker.alive()]
    assert left == [], f"still running after stop: {left}"
    assert not port_open(deployment.port), f"something still listens on 127.0.0.1:{deployment.port}"


def test_no_secret_in_any_log_or_output(
    deployment: Deployment, runs: dict[str, Run], crm: ZohoCRMEmulator, sandbox_crm: ZohoCRMEmulator
) -> None:
    deployment.stop()  # every log flushed and closed
    files = [path for path in (deployment.home / "logs").rglob("*") if path.is_file()]
    files += deployment.output_files()
    assert any(SENSOR_TASK in str(path) for path in files), "no task log was written"
    canaries = _canaries(crm, sandbox_crm)
    assert crm.tokens.issued(), "the runs minted no access token"
    leaks = []
    for path in files:
        text = path.read_text(errors="replace")
        leaks += [(str(path), canary[:12] + "...") for canary in canaries if canary in text]
    assert leaks == []
    # Positive control: the search finds a token where one must be (the provider's token cache).
    cached = "".join(p.read_text(errors="replace") for p in Path(deployment.token_cache).rglob("*") if p.is_file())
    assert any(token in cached for token in crm.tokens.issued())

"""The provider on Airflow's CeleryExecutor: two workers and a triggerer on three hosts, one Zoho org.

``make celery-test`` (not part of the normal suite: pyproject's ``norecursedirs``). The deployment
(``celery_airflow.py``): PostgreSQL and Redis, the api-server, scheduler and dag-processor on the
control host; a Celery worker on each of ``zw1`` and ``zw2`` and the triggerer on ``zt``, each a
network namespace with its own hostname, home and temp directory. The emulator plays an
Enterprise org: 20 calls in flight per user, 100 ms per call, and a throttled, slow token
endpoint (one token per 10 minutes, 1.5 s per mint). The connection has ``auth_cache=variable``.

In order, sharing the deployment (the DAGs are in ``dags/``):

1. ``celery_token_burst``: 60 mapped deferrable sensors start together on both workers, defer
   to the triggerer, and resume on the workers once the test activates their rule. One token is
   minted for all of them (and for everything after: the whole run mints one); none fails.
2. ``celery_unenroll`` of 200,000 records in three mapped chunks, in the pool the provider's
   helper sizes (18 slots), ``pool_slots=max_workers``: the emulator's peak of calls in flight
   stays within 20, no 429 is answered; the throughput against the ceiling is measured.
3. ``celery_unenroll`` of 60,000 records in one task, whose host is killed (every process of it,
   SIGKILL) mid-way: the scheduler finds the task's heartbeat gone, the retry runs on the other
   worker, resumes from the checkpoint in the shared folder, and reports every pair once.

The measured figures are printed as a table at the end (``conftest.pytest_terminal_summary``).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from celery_airflow import (
    CONCURRENCY_LIMIT,
    EDITION,
    HEARTBEAT_TIMEOUT,
    LATENCY_MS,
    TOKEN_LATENCY_MS,
    TOKEN_MINT_LIMIT,
    CeleryDeployment,
)
from measurements import TIMINGS, record
from topology import CONTROL_ADDRESS, SUBNET, Topology

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.deployment

BURST_DAG, SENSOR_TASK, SENSORS = "celery_token_burst", "wait_rule_active", 60
RULE_ID = "4876876000011037080"  # the sensors' rule (dags/celery_token_burst.py)
UNENROLL_DAG, UNENROLL_TASK, MAX_WORKERS = "celery_unenroll", "unenroll", 6
WORKERS = ("zw1", "zw2")
RECORDS_PER_CALL = 100
CEILING = CONCURRENCY_LIMIT / (LATENCY_MS / 1000) * RECORDS_PER_CALL  # records/s the edition allows: 20,000
BULK = {"cadence": "554023000004093101", "first": 5540261000000000000, "records": 200_000, "chunk": 66_667}
CRASH = {"cadence": "554023000004093102", "first": 5540262000000000000, "records": 60_000, "chunk": 60_000}
CRASH_CALLS = CRASH["records"] // RECORDS_PER_CALL
KILL_AFTER_CALLS = 100  # of CRASH_CALLS: the host dies about a sixth of the way in


@dataclass
class Run:
    dag_id: str
    run_id: str
    final: dict[str, Any] = field(default_factory=dict)
    tis: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    stats_before: dict[str, Any] = field(default_factory=dict)
    stats_after: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def states(self) -> dict[tuple[str, int], str]:
        return {(ti["task_id"], ti["map_index"]): ti["state"] for ti in self.tis}

    def delta(self, key: str) -> int:
        return int(self.stats_after[key]) - int(self.stats_before[key])


def _trigger(deployment: CeleryDeployment, dag_id: str, conf: dict[str, Any] | None = None) -> str:
    run = deployment.api.post(f"dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}})
    return str(run["dag_run_id"])


def _tis(deployment: CeleryDeployment, run: Run) -> list[dict[str, Any]]:
    listed = deployment.api.get(f"dags/{run.dag_id}/dagRuns/{run.run_id}/taskInstances", limit=1000)
    return list(listed["task_instances"])


def _finish(deployment: CeleryDeployment, run: Run, timeout: float, during: Callable[[], None] | None = None) -> None:
    """Wait (bounded) for the run to end; ``during`` is called on every poll."""
    path = f"dags/{run.dag_id}/dagRuns/{run.run_id}"

    def ended() -> bool:
        if during is not None:
            during()
        run.final = deployment.api.get(path)
        return run.final["state"] in ("success", "failed")

    deployment.wait_for(ended, timeout, f"{run.dag_id} run {run.run_id} to end", interval=1.0)
    run.tis = _tis(deployment, run)


def _xcom(deployment: CeleryDeployment, run: Run, task_id: str, map_index: int = -1) -> Any:
    path = f"dags/{run.dag_id}/dagRuns/{run.run_id}/taskInstances/{task_id}/xcomEntries/return_value"
    return deployment.api.get(path, map_index=map_index, deserialize=True)["value"]


def _log_files(deployment: CeleryDeployment, role: str, run: Run, task_id: str, map_index: int) -> list[Path]:
    folder = deployment.logs(role) / f"dag_id={run.dag_id}" / f"run_id={run.run_id}" / f"task_id={task_id}"
    return sorted((folder / f"map_index={map_index}").glob("attempt=*.log*")) if folder.exists() else []


def _trigger_text(deployment: CeleryDeployment, run: Run, index: int) -> tuple[str, str]:
    """What the triggerer's host logged for a sensor's trigger: its trigger log file, and its lines in the
    triggerer's own output (Airflow 3.3 sometimes writes a trigger's lines there instead of the file)."""
    in_file = "".join(
        path.read_text() for path in _log_files(deployment, "zt", run, SENSOR_TASK, index) if ".trigger." in path.name
    )
    [triggerer] = [service for service in deployment.services if service.name == "triggerer"]
    output = triggerer.output_files[0].read_text(errors="replace") if triggerer.output_files[0].exists() else ""
    markers = (f" map_index={index} ", f" run_id={run.run_id} ")
    return in_file, "".join(line for line in output.splitlines(keepends=True) if all(m in line for m in markers))


def _unenroll_calls(crm: ZohoCRMEmulator, cadence: str, since: int = 0) -> list[dict[str, Any]]:
    return [
        entry
        for entry in crm.journal_entries(since)
        if entry["path"].endswith("/actions/unenrol_from_cadences")
        and (entry.get("json") or {}).get("cadences_ids") == [cadence]
    ]


def _still_enrolled(crm: ZohoCRMEmulator, spec: dict[str, Any]) -> int:
    enrolled = set(crm.snapshot()["enrollments"][spec["cadence"]])
    return sum(1 for n in range(spec["records"]) if str(spec["first"] + n) in enrolled)


def _parsed(deployment: CeleryDeployment) -> None:
    wanted = {BURST_DAG, UNENROLL_DAG}
    deployment.wait_for(
        lambda: wanted <= {d["dag_id"] for d in deployment.api.get("dags", limit=100)["dags"]}, 120, "the DAGs parsed"
    )


# ---------------------------------------------------------------------------------------- the runs


@pytest.fixture(scope="module")
def burst(deployment: CeleryDeployment, crm: ZohoCRMEmulator) -> Run:
    """60 sensors started together; the rule turns active only once every one of them waits in the triggerer."""
    _parsed(deployment)
    crm.set_workflow_rule_active(RULE_ID, False)
    started = time.monotonic()
    run = Run(BURST_DAG, "", stats_before=crm.stats())
    run.run_id = _trigger(deployment, BURST_DAG)
    path = f"dags/{BURST_DAG}/dagRuns/{run.run_id}/taskInstances"

    def all_deferred() -> bool:
        states = [ti["state"] for ti in deployment.api.get(path, limit=1000)["task_instances"]]
        assert "failed" not in states, f"a sensor failed before the rule turned active: {states}"
        return states.count("deferred") == SENSORS

    deployment.wait_for(all_deferred, 300, f"all {SENSORS} sensors deferred")
    run.notes["all_deferred_after"] = time.monotonic() - started
    crm.set_workflow_rule_active(RULE_ID, True)
    _finish(deployment, run, 300)
    run.seconds = time.monotonic() - started
    run.stats_after = crm.stats()

    def logs_written() -> bool:
        """The processes write their log files on their own schedule: wait until every sensor's are complete."""
        for index in range(SENSORS):
            trigger = "".join(_trigger_text(deployment, run, index))
            workers = "".join(
                p.read_text() for role in WORKERS for p in _log_files(deployment, role, run, SENSOR_TASK, index)
            )
            if "Trigger fired event" not in trigger or "Wanted state reached" not in workers:
                return False
        return True

    if run.final["state"] == "success":
        deployment.wait_for(logs_written, 60, "every sensor's trigger and worker logs written")
    TIMINGS["token burst"] = run.seconds
    return run


@pytest.fixture(scope="module")
def bulk(deployment: CeleryDeployment, crm: ZohoCRMEmulator, burst: Run) -> Run:
    """200,000 records in three mapped chunks, in the pool the provider's helper sizes for the edition."""
    _parsed(deployment)
    printed = subprocess.run(
        [sys.executable, "-m", "airflow_provider_zohocrm.pools", EDITION],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    command = shlex.split(printed)
    assert command[:3] == ["airflow", "pools", "set"], printed
    done = deployment.cli(*command[1:])
    assert done.returncode == 0, done.stderr[-2000:]
    pool = deployment.api.get(f"pools/{command[3]}")
    crm.add_cadence(BULK["cadence"], "Celery bulk un-enroll", "Leads")
    crm.enrol_records(BULK["cadence"], [str(BULK["first"] + n) for n in range(BULK["records"])])
    journal_mark = crm.journal_entries()[-1]["seq"]
    crm.reset_peak()
    started = time.monotonic()
    run = Run(UNENROLL_DAG, "", stats_before=crm.stats())
    conf = {
        "cadence_ids": [BULK["cadence"]],
        "first_record": BULK["first"],
        "records": BULK["records"],
        "chunk_size": BULK["chunk"],
        "checkpoint": f"file://{deployment.shared}/checkpoints",
    }
    run.run_id = _trigger(deployment, UNENROLL_DAG, conf)
    _finish(deployment, run, 300)
    run.seconds = time.monotonic() - started
    run.stats_after = crm.stats()
    run.notes.update(pool=pool, calls=_unenroll_calls(crm, BULK["cadence"], journal_mark))
    TIMINGS["200,000-record un-enroll"] = run.seconds
    return run


@pytest.fixture(scope="module")
def crash(deployment: CeleryDeployment, crm: ZohoCRMEmulator, bulk: Run) -> Run:
    """60,000 records in one task; its host is killed once the emulator has seen ``KILL_AFTER_CALLS`` of its calls."""
    crm.add_cadence(CRASH["cadence"], "Celery crash un-enroll", "Leads")
    crm.enrol_records(CRASH["cadence"], [str(CRASH["first"] + n) for n in range(CRASH["records"])])
    journal_mark = crm.journal_entries()[-1]["seq"]
    started = time.monotonic()
    run = Run(UNENROLL_DAG, "", stats_before=crm.stats())
    conf = {
        "cadence_ids": [CRASH["cadence"]],
        "first_record": CRASH["first"],
        "records": CRASH["records"],
        "chunk_size": CRASH["chunk"],
        "checkpoint": f"file://{deployment.shared}/checkpoints",
    }
    run.run_id = _trigger(deployment, UNENROLL_DAG, conf)
    path = f"dags/{UNENROLL_DAG}/dagRuns/{run.run_id}/taskInstances/{UNENROLL_TASK}/0"

    def mid_way() -> dict[str, Any] | None:
        calls = len(_unenroll_calls(crm, CRASH["cadence"], journal_mark))
        if calls < KILL_AFTER_CALLS:
            return None
        ti = deployment.api.call("GET", path, ok=(200, 404))
        return ti if ti and ti.get("state") == "running" and ti.get("hostname") else None

    ti = deployment.wait_for(mid_way, 180, f"{KILL_AFTER_CALLS} un-enroll calls of the task", interval=0.1)
    victim = deployment.role_of(ti["hostname"])
    assert victim in WORKERS, f"the un-enroll runs on {ti['hostname']!r}, not on a worker host"
    pids = deployment.kill_host(victim)
    killed_at = time.monotonic()
    run.notes.update(
        victim=victim,
        pids=pids,
        calls_at_kill=len(_unenroll_calls(crm, CRASH["cadence"], journal_mark)),
        first_try=ti,
    )
    _finish(deployment, run, HEARTBEAT_TIMEOUT + 240)
    run.seconds = time.monotonic() - started
    run.notes["recovery_seconds"] = time.monotonic() - killed_at
    run.stats_after = crm.stats()
    run.notes["calls"] = _unenroll_calls(crm, CRASH["cadence"], journal_mark)
    TIMINGS["crash and retry"] = run.seconds
    return run


# ---------------------------------------------------------------------------------------- 1. one token


def test_sixty_sensors_on_three_hosts_share_one_token(burst: Run, crm: ZohoCRMEmulator) -> None:
    states = burst.states()
    assert burst.final["state"] == "success", states
    assert len(states) == SENSORS
    assert set(states.values()) == {"success"}
    assert {ti["try_number"] for ti in burst.tis} == {1}, "a sensor was retried"
    grants, refused = burst.delta("token_grants"), burst.delta("token_denials")
    record(
        1,
        f"access tokens minted: {SENSORS} sensors, 2 workers + triggerer",
        grants,
        f"exactly 1 (auth_cache=variable; endpoint allows {TOKEN_MINT_LIMIT}/10 min, {TOKEN_LATENCY_MS} ms a mint)",
    )
    record(1, "token requests refused (Access Denied)", refused, "any: a refusal must cost a wait, not a task")
    record(1, "sensor task instances failed or retried", 0, "0")
    assert grants == 1
    assert burst.delta("token_requests") <= 3, "more than one mint attempt per host"  # 2 workers + the triggerer


def test_sensors_deferred_to_the_triggerer_host_and_resumed_on_the_workers(
    burst: Run, deployment: CeleryDeployment
) -> None:
    worker_names = {deployment.host(role).hostname: role for role in WORKERS}
    triggerer = deployment.host("zt").hostname
    jobs = deployment.api.get("jobs", job_type="TriggererJob")["jobs"]
    assert jobs, "no triggerer job recorded"
    assert {job["hostname"] for job in jobs} == {triggerer}
    resumed_on: dict[str, int] = dict.fromkeys(WORKERS, 0)
    deferred_on: dict[str, int] = dict.fromkeys(WORKERS, 0)
    only_in_output = 0
    for ti in burst.tis:
        index = ti["map_index"]
        assert ti["hostname"] in worker_names, f"sensor {index} finished on {ti['hostname']!r}, not a worker"
        resumed_on[worker_names[ti["hostname"]]] += 1
        in_file, in_output = _trigger_text(deployment, burst, index)
        assert "starting" in in_file, f"sensor {index}: no trigger log file on the triggerer's host"
        # The trigger's own poll, on the triggerer's host, saw the rule active and fired.
        trigger_text = in_file + in_output
        assert f"Workflow rule {RULE_ID} is active" in trigger_text, f"sensor {index}: {trigger_text[-2000:]}"
        assert "Trigger fired event" in trigger_text
        only_in_output += "Trigger fired event" not in in_file
        worker_text = {
            role: "".join(path.read_text() for path in _log_files(deployment, role, burst, SENSOR_TASK, index))
            for role in WORKERS
        }
        deferring = [role for role, text in worker_text.items() if "Pausing task as DEFERRED" in text]
        assert deferring, f"sensor {index}: no worker log shows the deferral"
        deferred_on[deferring[0]] += 1
        assert any("Wanted state reached: True" in text for text in worker_text.values()), (
            f"sensor {index}: no worker log shows the resumed sensor"
        )
        for role in WORKERS:
            assert not [p for p in _log_files(deployment, role, burst, SENSOR_TASK, index) if ".trigger." in p.name]
    record(
        4,
        "sensors deferred on zw1 / zw2, waited on zt, resumed on zw1 / zw2",
        f"{deferred_on['zw1']} / {deferred_on['zw2']}, {SENSORS}, {resumed_on['zw1']} / {resumed_on['zw2']}",
        "every one: deferred by a worker, polled by the triggerer's host, resumed by a worker",
    )
    record(
        4,
        "trigger lines in the trigger's log file / only in the triggerer's output",
        f"{SENSORS - only_in_output} / {only_in_output}",
        "both on the triggerer's host (Airflow 3.3 routes some to its output)",
    )
    assert all(deferred_on.values()), f"one worker did all the deferrals: {deferred_on}"


# ---------------------------------------------------------------------------------------- 2. the edition's limit


def test_calls_in_flight_stay_within_the_edition(bulk: Run, deployment: CeleryDeployment) -> None:
    assert bulk.final["state"] == "success", bulk.states()
    pool = bulk.notes["pool"]
    assert pool["slots"] == CONCURRENCY_LIMIT - 2  # recommended_pool_slots: the limit less 2 for triggers
    chunks = [ti for ti in bulk.tis if ti["task_id"] == UNENROLL_TASK]
    assert len(chunks) == 3
    assert {ti["pool_slots"] for ti in chunks} == {MAX_WORKERS}
    report = _xcom(deployment, bulk, "report")
    sizes = [min(BULK["chunk"], BULK["records"] - start) for start in range(0, BULK["records"], BULK["chunk"])]
    assert report == {
        "chunks": 3,
        "records": BULK["records"],
        "calls": sum(-(-size // RECORDS_PER_CALL) for size in sizes),
        "batches_resumed": 0,
        "succeeded": BULK["records"],
        "failed": 0,
    }
    peak, answered_429 = bulk.stats_after["peak_in_flight"], bulk.delta("responses_429")
    hosts = sorted({deployment.role_of(ti["hostname"]) or "?" for ti in chunks})
    record(
        2,
        f"peak calls in flight at Zoho ({EDITION})",
        peak,
        f"<= {CONCURRENCY_LIMIT} (pool {pool['slots']} slots, pool_slots={MAX_WORKERS})",
    )
    record(2, "429 answers during the un-enroll", answered_429, "0")
    record(2, "un-enroll chunks ran on", ", ".join(hosts), "both workers")
    assert peak <= CONCURRENCY_LIMIT
    assert answered_429 == 0
    assert hosts == sorted(WORKERS), "the chunks did not run across both workers"
    assert report["failed"] == 0


def test_throughput_against_the_ceiling(bulk: Run, crm: ZohoCRMEmulator) -> None:
    calls = bulk.notes["calls"]
    assert len(calls) >= BULK["records"] // RECORDS_PER_CALL
    first = min(call["timestamp"] for call in calls)
    last = max(call["timestamp"] + call["duration_ms"] / 1000 for call in calls)
    call_phase = last - first
    whole = _seconds(bulk.final["start_date"], bulk.final["end_date"])
    rate_calls, rate_whole = BULK["records"] / call_phase, BULK["records"] / whole
    record(
        2,
        "throughput, call phase (first to last call)",
        f"{rate_calls:,.0f} records/s = {rate_calls / CEILING:.0%}",
        f"of the ceiling {CEILING:,.0f}/s ({CONCURRENCY_LIMIT} x 100 records / {LATENCY_MS} ms); {call_phase:.1f} s",
    )
    record(
        2,
        "throughput, whole run (run start to end)",
        f"{rate_whole:,.0f} records/s = {rate_whole / CEILING:.0%}",
        f"of the ceiling; {whole:.1f} s with task start-up and scheduling",
    )
    assert _still_enrolled(crm, BULK) == 0
    assert rate_calls <= CEILING * 1.02  # nothing beats the edition (2 %: the journal's clock resolution)


def _seconds(start: str, end: str) -> float:
    from datetime import datetime

    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


# ---------------------------------------------------------------------------------------- 3. a worker dies


def test_retry_after_a_dead_worker_resumes_on_the_other_host(
    crash: Run, deployment: CeleryDeployment, crm: ZohoCRMEmulator
) -> None:
    victim = crash.notes["victim"]
    survivor = next(role for role in WORKERS if role != victim)
    assert crash.final["state"] == "success", crash.states()
    [ti] = [ti for ti in crash.tis if ti["task_id"] == UNENROLL_TASK]
    assert ti["try_number"] == 2, "the task was not retried"
    assert deployment.role_of(ti["hostname"]) == survivor
    result = _xcom(deployment, crash, UNENROLL_TASK, 0)
    assert result["records"] == CRASH["records"]
    assert result["succeeded"] + result["failed"] == CRASH["records"]  # every (record, cadence) pair, once
    assert result["succeeded_by_code"] == {"SUCCESS": CRASH["records"]}
    assert result["failed"] == 0
    resumed = result["batches_resumed"]
    assert 0 < resumed < CRASH_CALLS
    assert result["calls"] == CRASH_CALLS - resumed  # the retry sent only what the checkpoint lacked
    calls = crash.notes["calls"]
    batches = {tuple(call["json"]["ids"][:1]) for call in calls}
    assert len(batches) == CRASH_CALLS  # every batch reached Zoho
    assert _still_enrolled(crm, CRASH) == 0
    # The attempts' logs are on their hosts; the checkpoint in the shared folder is gone with the success.
    first_try = _log_files(deployment, victim, crash, UNENROLL_TASK, 0)
    retry = _log_files(deployment, survivor, crash, UNENROLL_TASK, 0)
    assert [path.name for path in first_try] == ["attempt=1.log"]
    assert [path.name for path in retry] == ["attempt=2.log"]
    assert "Finished batches are checkpointed in" in retry[0].read_text()
    assert [p for p in (deployment.shared / "checkpoints").rglob("*") if p.is_file()] == []
    sent_twice = len(calls) - CRASH_CALLS
    assert 0 <= sent_twice <= 2 * MAX_WORKERS  # at most the calls pending when the host died
    record(
        3,
        f"host killed mid-un-enroll (SIGKILL, {len(crash.notes['pids'])} processes)",
        victim,
        f"after {crash.notes['calls_at_kill']} of {CRASH_CALLS} calls",
    )
    record(
        3,
        "retry ran on",
        f"{survivor} (try 2)",
        f"heartbeat timeout {HEARTBEAT_TIMEOUT} s; {crash.notes['recovery_seconds']:.0f} s from kill to success",
    )
    record(
        3, "batches resumed from the shared checkpoint", f"{resumed} of {CRASH_CALLS}", "> 0; the retry sent the rest"
    )
    record(
        3,
        "(record, cadence) pairs reported / still enrolled",
        f"{result['succeeded'] + result['failed']:,} / {_still_enrolled(crm, CRASH)}",
        f"{CRASH['records']:,} exactly once / 0",
    )
    record(
        3,
        "calls sent twice (in flight at the kill)",
        sent_twice,
        f"<= {MAX_WORKERS * 2}: harmless, un-enrolling is idempotent",
    )


# ---------------------------------------------------------------------------------------- afterwards


def test_one_token_for_the_whole_run(crash: Run, crm: ZohoCRMEmulator) -> None:
    stats = crm.stats()
    record(1, "access tokens minted by the whole run", stats["token_grants"], "1")
    assert stats["token_grants"] == 1


def test_every_listener_is_on_the_tests_own_addresses(
    crash: Run, deployment: CeleryDeployment, topology: Topology
) -> None:
    import ipaddress

    listening = deployment.listening()
    assert ("api-server", CONTROL_ADDRESS, deployment.port) in listening, listening
    own = ipaddress.ip_network(SUBNET)
    foreign = sorted(
        entry for entry in listening if entry[1] != "127.0.0.1" and ipaddress.ip_address(entry[1]) not in own
    )
    assert foreign == [], f"listening beyond the test's addresses: {foreign}"


def test_stopping_leaves_no_process_namespace_or_link(
    crash: Run, deployment: CeleryDeployment, topology: Topology
) -> None:
    deployment.stop()
    assert deployment.alive() == []
    for role in ("zw1", "zw2", "zt"):
        assert topology.hosts[role].pids() == [], f"processes left in {role}"
    assert topology.down() == []
    assert topology.leftovers() == []

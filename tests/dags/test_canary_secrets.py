"""Canary secrets never leave the provider across real DAG runs, and one token serves them all.

Every example DAG runs through ``airflow dags test`` (one AIRFLOW_HOME, one SQLite metadata DB)
against an emulator whose client secret and refresh token are unique canaries; the access tokens
it issues (``1000.<hex>.<hex>``) are canaries too. Then everything Airflow kept or printed is
searched for them: the commands' output (task logs, failed tasks' exceptions), every file under
AIRFLOW_HOME (the raw database included), XCom values, rendered template fields, trigger rows
(decrypted with the home's Fernet key; ``dags test`` runs triggers inline, so there may be none)
and the example sensor's trigger, serialized and run by a triggerer-like process, with its event
and logs. The runs include a failed task and a run whose refresh fails (revoked refresh token),
so exception texts are covered.

The token cache directory lies outside AIRFLOW_HOME: holding the access token is its job. It is
the positive control, showing that the search finds a token where one is.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.airflow_home import AirflowHome

from airflow_provider_zohocrm.auth.token_cache import CACHE_DIR_ENV
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.dags

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"
SECRET_SUFFIX = uuid.uuid4().hex
CLIENT_SECRET = f"canary-client-secret-{SECRET_SUFFIX}"
REFRESH_TOKEN = f"canary-refresh-token-{uuid.uuid4().hex}"
RULE_ID = "4876876000011037080"  # the release pipeline's rule (its params default)
TIMEOUT = 300.0


@dataclass
class Outcome:
    """What the runs left behind, gathered once for the checks below."""

    home: Path
    cache_dir: Path
    fernet_key: str
    outputs: dict[str, str] = field(default_factory=dict)
    return_codes: dict[str, int] = field(default_factory=dict)
    grants_before_revoke: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    issued: tuple[str, ...] = ()
    trigger_output: str = ""
    trigger_return_code: int = -1
    cached: dict[str, str] = field(default_factory=dict)  # the token cache before the revoke

    def canaries(self) -> list[str]:
        """The secrets, each access token, and their random parts alone (a partial leak counts)."""
        values = [CLIENT_SECRET, REFRESH_TOKEN, CLIENT_SECRET.rsplit("-", 1)[1], REFRESH_TOKEN.rsplit("-", 1)[1]]
        for token in self.issued:
            values += [token, *token.split(".")[1:]]
        return values


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    from cryptography.fernet import Fernet

    home_dir = tmp_path_factory.mktemp("canary-airflow-home")
    cache_dir = tmp_path_factory.mktemp("canary-token-cache") / "tokens"
    result = Outcome(home=home_dir, cache_dir=cache_dir, fernet_key=Fernet.generate_key().decode())
    with (
        ZohoCRMEmulator(client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN) as emulator,
        pytest.MonkeyPatch.context() as mp,
    ):
        env = {
            **emulator.connection_env(),
            CACHE_DIR_ENV: str(cache_dir),
            "AIRFLOW__CORE__FERNET_KEY": result.fernet_key,
        }
        for name, value in env.items():
            mp.setenv(name, value)
        home = AirflowHome(home_dir, EXAMPLE_DAGS, env=env)
        home.migrate()

        def run(name: str, dag_id: str, logical_date: str, conf: dict[str, Any] | None = None) -> None:
            args = ["--conf", json.dumps(conf)] if conf else []
            done = home.run("dags", "test", dag_id, logical_date, *args, timeout=TIMEOUT)
            result.outputs[name] = done.stdout + "\n" + done.stderr
            result.return_codes[name] = done.returncode

        run("release", "zohocrm_release_pipeline", "2026-01-01")
        run("backfill", "zohocrm_cadence_backfill", "2026-01-01")  # 3 mapped task instances
        run("failed_load", "zohocrm_maintenance_window", "2026-01-01", {"fail_load": True})
        _defer_and_trigger(home, emulator, result)
        result.grants_before_revoke = emulator.stats()["token_grants"]
        result.cached = {p.name: p.read_text() for p in cache_dir.glob("*.json")}

        emulator.revoke_refresh_token()  # every call now fails: the token refresh answers invalid_code
        run("revoked", "zohocrm_maintenance_window", "2026-01-02")
        result.stats = emulator.stats()
        result.issued = emulator.tokens.issued()
    return result


TRIGGER_SCRIPT = """
import asyncio, sys
from airflow.providers.common.compat.sdk import TaskDeferred

try:
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=sys.argv[1])
except ImportError:
    from airflow.models.dagbag import DagBag
    bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
sensor = bag.dags["zohocrm_release_pipeline"].get_task("wait_rule_active")
sensor.rule_id = sys.argv[2]  # what "{{ params.rule_id }}" renders to
sensor.poke_interval = 0.2
try:
    sensor.execute({})
    raise SystemExit("the sensor did not defer")
except TaskDeferred as deferred:
    trigger = deferred.trigger
print("SERIALIZED", repr(trigger.serialize()), flush=True)

async def first_event():
    async for event in trigger.run():
        return event

print("EVENT", repr(asyncio.run(asyncio.wait_for(first_event(), 60)).payload), flush=True)
"""


def _defer_and_trigger(home: AirflowHome, emulator: ZohoCRMEmulator, result: Outcome) -> None:
    """The example's deferrable sensor defers in a fresh process, which then runs its trigger.

    That process is a triggerer's stand-in: it shares the file token cache, and everything it
    prints (Airflow 3's structlog output included) is searched along with the serialized trigger.
    """
    emulator.set_workflow_rule_active(RULE_ID, False)
    stop = threading.Event()
    since = max((entry["seq"] for entry in emulator.journal), default=0)

    def activate_after_two_reads() -> None:  # the sensor's poke, then the trigger's first poll
        path = f"/workflow_rules/{RULE_ID}"
        while not stop.wait(0.05):
            reads = [e for e in emulator.journal_entries(since) if e["method"] == "GET" and e["path"].endswith(path)]
            if len(reads) >= 2:
                emulator.set_workflow_rule_active(RULE_ID, True)
                return

    watcher = threading.Thread(target=activate_after_two_reads, daemon=True)
    watcher.start()
    try:
        done = subprocess.run(
            [sys.executable, "-c", TRIGGER_SCRIPT, str(EXAMPLE_DAGS), RULE_ID],
            env=home.environ(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        stop.set()
        watcher.join(5)
    result.trigger_output = done.stdout + "\n" + done.stderr
    result.trigger_return_code = done.returncode


def _leaks(texts: dict[str, str], canaries: list[str]) -> list[str]:
    return [f"{canary!r} in {where}" for where, text in texts.items() for canary in canaries if canary in text]


def _home_files(home: Path) -> dict[str, str]:
    """Every file under AIRFLOW_HOME (logs, config, the raw SQLite database and its journals)."""
    return {str(p.relative_to(home)): p.read_bytes().decode("latin-1") for p in home.rglob("*") if p.is_file()}


def _rows(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "airflow.db") as db:
        return db.execute(sql).fetchall()


def _text(value: Any) -> str:
    """A DB value as text: Airflow 3 stores JSON text, 2.11 JSON bytes."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def test_the_runs_did_what_they_should(outcome: Outcome) -> None:
    codes = outcome.return_codes
    assert codes["release"] == 0, outcome.outputs["release"][-3000:]
    assert codes["backfill"] == 0, outcome.outputs["backfill"][-3000:]
    assert codes["failed_load"] != 0
    assert "The load failed (fail_load=true)" in outcome.outputs["failed_load"]
    assert codes["revoked"] != 0
    assert "invalid_code" in outcome.outputs["revoked"]  # the refresh failed and said why
    assert outcome.trigger_return_code == 0, outcome.trigger_output[-3000:]
    assert "EVENT {'status': 'success', 'state': True}" in outcome.trigger_output


def test_one_token_grant_served_every_dag_run_and_the_triggerer(outcome: Outcome) -> None:
    """Task processes, mapped instances and this (triggerer-like) process share the file cache.

    Bound: 1. One host, one cache directory, a 3600 s token lifetime far beyond the runs, and no
    token invalidated before the revoke; the revoked run's refresh is refused, not granted.
    """
    assert outcome.grants_before_revoke == 1
    assert outcome.stats["token_grants"] == 1
    assert outcome.stats["token_denials"] == 0
    assert len(outcome.issued) == 1


def test_the_search_finds_a_token_where_one_is(outcome: Outcome) -> None:
    assert len(outcome.cached) == 1
    assert _leaks(outcome.cached, list(outcome.issued)) != []
    assert _leaks(outcome.cached, [CLIENT_SECRET, REFRESH_TOKEN]) == []  # the cache holds access tokens only


def test_no_canary_in_the_command_output(outcome: Outcome) -> None:
    assert "Refreshing the Zoho CRM access token" in "".join(outcome.outputs.values())  # task logs are here
    assert _leaks(outcome.outputs, outcome.canaries()) == []


def test_no_canary_in_any_file_under_airflow_home(outcome: Outcome) -> None:
    files = _home_files(outcome.home)
    assert "airflow.db" in files
    assert _leaks(files, outcome.canaries()) == []


def test_no_canary_in_xcom_values(outcome: Outcome) -> None:
    rows = _rows(outcome.home, "SELECT dag_id, task_id, map_index, value FROM xcom")
    assert len({row[0] for row in rows}) == 3, rows  # every DAG pushed results
    texts = {f"xcom {dag}.{task}[{index}]": _text(value) for dag, task, index, value in rows}
    assert _leaks(texts, outcome.canaries()) == []


def test_no_canary_in_rendered_template_fields(outcome: Outcome) -> None:
    rows = _rows(
        outcome.home,
        "SELECT dag_id, task_id, map_index, rendered_fields, k8s_pod_yaml FROM rendered_task_instance_fields",
    )
    assert rows
    texts = {f"rendered {dag}.{task}[{index}]": _text(fields) + _text(pod) for dag, task, index, fields, pod in rows}
    assert _leaks(texts, outcome.canaries()) == []


def test_no_canary_in_trigger_rows_or_the_serialized_trigger(outcome: Outcome) -> None:
    from cryptography.fernet import Fernet

    fernet = Fernet(outcome.fernet_key.encode())
    texts = {}
    for trigger_id, classpath, kwargs in _rows(outcome.home, "SELECT id, classpath, kwargs FROM trigger"):
        raw = _text(kwargs)
        texts[f"trigger {trigger_id} {classpath}"] = raw if raw.startswith("{") else fernet.decrypt(raw).decode()
    texts["the deferred sensor's serialized trigger, its event and logs"] = outcome.trigger_output
    assert "SERIALIZED ('airflow_provider_zohocrm.triggers.workflow_rules.WorkflowRuleStatusTrigger'" in (
        outcome.trigger_output
    )
    assert f"Workflow rule {RULE_ID} is active" in outcome.trigger_output  # the trigger's own log line
    assert _leaks(texts, outcome.canaries()) == []

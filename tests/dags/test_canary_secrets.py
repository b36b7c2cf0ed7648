"""Canary secrets never leave the provider across real DAG runs, and one token serves them all.

Every example DAG runs through ``airflow dags test`` (one AIRFLOW_HOME, one SQLite metadata DB)
against an emulator whose client secret and refresh token are unique canaries; the access tokens
it issues (``1000.<hex>.<hex>``) are canaries too. Then everything Airflow kept or printed is
searched for them: the commands' output (task logs, failed tasks' exceptions), every file under
AIRFLOW_HOME (the raw database included), XCom values, rendered template fields, trigger rows
(decrypted with the home's Fernet key) and, in process, the serialized trigger of the example
sensor, its event and its logs. The runs include a failed task and a run whose refresh fails
(revoked refresh token), so exception texts are covered.

The token cache directory lies outside AIRFLOW_HOME: holding the access token is its job. It is
the positive control, showing that the search finds a token where one is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_zohocrm.auth.token_cache import CACHE_DIR_ENV, MEMORY_CACHE
from airflow_provider_zohocrm.testing.airflow_home import AirflowHome
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
    trigger_texts: list[str] = field(default_factory=list)
    trigger_event: dict[str, Any] = field(default_factory=dict)
    cached: dict[str, str] = field(default_factory=dict)  # the token cache before the revoke

    def canaries(self) -> list[str]:
        """The secrets, each access token, and their random parts alone (a partial leak counts)."""
        values = [CLIENT_SECRET, REFRESH_TOKEN, CLIENT_SECRET.rsplit("-", 1)[1], REFRESH_TOKEN.rsplit("-", 1)[1]]
        for token in self.issued:
            values += [token, *token.split(".")[1:]]
        return values


class _Records(logging.Handler):
    """Every record formatted as emitted, before any handler's redaction."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.getMessage()} {record.args!r} {record.exc_text or ''}")


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
        MEMORY_CACHE.clear()  # this process shares the host's file cache, like a triggerer would
        _defer_and_trigger(emulator, result, tmp_path_factory.mktemp("canary-trigger") / "output.log")
        result.grants_before_revoke = emulator.stats()["token_grants"]
        result.cached = {p.name: p.read_text() for p in cache_dir.glob("*.json")}

        emulator.revoke_refresh_token()  # every call now fails: the token refresh answers invalid_code
        run("revoked", "zohocrm_maintenance_window", "2026-01-02")
        result.stats = emulator.stats()
        result.issued = emulator.tokens.issued()
    MEMORY_CACHE.clear()
    return result


def _defer_and_trigger(emulator: ZohoCRMEmulator, result: Outcome, output: Path) -> None:
    """The example's deferrable sensor defers in process; its trigger is serialized and run."""
    from airflow.providers.common.compat.sdk import TaskDeferred

    sensor = _dagbag().dags["zohocrm_release_pipeline"].get_task("wait_rule_active")
    sensor.rule_id = RULE_ID  # what "{{ params.rule_id }}" renders to
    sensor.poke_interval = 0.2
    emulator.set_workflow_rule_active(RULE_ID, False)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    trigger = deferred.value.trigger
    result.trigger_texts.append(repr(trigger.serialize()))

    records = _Records()
    root = logging.getLogger()
    root.addHandler(records)
    flip = threading.Timer(0.5, emulator.set_workflow_rule_active, (RULE_ID, True))
    flip.start()
    try:
        with _captured_output(output):
            event = asyncio.run(asyncio.wait_for(_first_event(trigger), 60))
    finally:
        flip.cancel()
        flip.join(5)
        root.removeHandler(records)
    result.trigger_event = dict(event.payload)
    result.trigger_texts += [repr(result.trigger_event), *records.lines, output.read_text()]


async def _first_event(trigger: Any) -> Any:
    async for event in trigger.run():
        return event
    return None


@contextlib.contextmanager
def _captured_output(path: Path) -> Iterator[None]:
    """Everything written to file descriptors 1 and 2 meanwhile goes to ``path`` (Airflow 3 logs
    through structlog, not to the stdlib handler)."""
    saved = [os.dup(1), os.dup(2)]
    sys.stdout.flush()
    sys.stderr.flush()
    with path.open("w") as target:
        os.dup2(target.fileno(), 1)
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def _dagbag() -> Any:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag

        return DagBag(dag_folder=str(EXAMPLE_DAGS), include_examples=False)
    return DagBag(dag_folder=str(EXAMPLE_DAGS))


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
    assert outcome.trigger_event == {"status": "success", "state": True}


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
    texts.update({f"in-process trigger {i}": text for i, text in enumerate(outcome.trigger_texts)})
    assert any("WorkflowRuleStatusTrigger" in text for text in outcome.trigger_texts)  # the serialization
    assert any(f"Workflow rule {RULE_ID} is active" in text for text in outcome.trigger_texts)  # its logs
    assert _leaks(texts, outcome.canaries()) == []

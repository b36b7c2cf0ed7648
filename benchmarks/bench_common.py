"""Shared by the benchmark scripts: an emulator in a child process, an isolated Airflow setup, output.

Every script prints human-readable lines and, with ``--json``, one last line ``BENCH {...}`` that
``run_all.py`` collects into its table. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CADENCE = "554023000004092008"  # the emulator's seeded manual-enrollment Contacts cadence
FIRST_RECORD = 554023000001000000
UNENROLL_PATH = "Contacts/actions/unenrol_from_cadences"


@dataclass
class Emulator:
    """A running emulator: its base URL, credentials, Airflow connection and (child) pid."""

    url: str
    client_id: str
    client_secret: str
    refresh_token: str
    connection: dict[str, Any]
    pid: int | None = None

    def token_form(self) -> dict[str, str]:
        return {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
        }

    def stats(self) -> dict[str, Any]:
        import requests

        return dict(requests.get(f"{self.url}/__emulator__/stats", timeout=10).json())


@contextlib.contextmanager
def child_emulator(latency_ms: float = 0, concurrency_limit: int = 10) -> Iterator[Emulator]:
    """The emulator CLI in its own process (its own GIL), stopped on exit."""
    command = [sys.executable, "-m", "airflow_provider_zohocrm.testing.emulator", "--port", "0"]
    command += ["--latency-ms", str(latency_ms), "--concurrency-limit", str(concurrency_limit)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        values: dict[str, str] = {}
        while "AIRFLOW_CONN_ZOHO_CRM_DEFAULT" not in values:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the emulator exited before printing its connection")
            key, _, value = line.strip().partition("=")
            values[key] = shlex.split(value)[0]
        yield Emulator(
            url=values["ZOHO_CRM_EMULATOR_URL"],
            client_id=values["ZOHO_CRM_CLIENT_ID"],
            client_secret=values["ZOHO_CRM_CLIENT_SECRET"],
            refresh_token=values["ZOHO_CRM_REFRESH_TOKEN"],
            connection=json.loads(values["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"]),
            pid=process.pid,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


def local_emulator_info(emulator: Any) -> Emulator:
    """The same description for an in-process ``ZohoCRMEmulator``."""
    return Emulator(
        url=emulator.url,
        client_id=emulator.client_id,
        client_secret=emulator.client_secret,
        refresh_token=emulator.refresh_token,
        connection=json.loads(emulator.connection_json()),
    )


def isolate_airflow() -> None:
    """A throw-away AIRFLOW_HOME and token cache, so a benchmark never touches the user's."""
    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="zohocrm-bench-airflow-home-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")  # no per-call INFO lines in timings
    os.environ["ZOHO_CRM_TOKEN_CACHE_DIR"] = os.path.join(tempfile.mkdtemp(prefix="zohocrm-bench-"), "tokens")


def use_connection(emulator: Emulator, conn_id: str = "zoho_crm_default", **extra: Any) -> str:
    """Point ``conn_id`` at ``emulator`` (through ``AIRFLOW_CONN_*``) with extra connection extras."""
    connection = json.loads(json.dumps(emulator.connection))
    connection["extra"].update(extra)
    os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(connection)
    return conn_id


def record_ids(count: int, start: int = 0) -> Iterator[str]:
    """Record ids as a generator, as a caller streaming millions would pass them."""
    return (str(FIRST_RECORD + start + i) for i in range(count))


def unenroll_body(index: int, size: int = 100) -> dict[str, Any]:
    return {"cadences_ids": [CADENCE], "ids": [str(FIRST_RECORD + index * size + k) for k in range(size)]}


def bare_token(emulator: Emulator) -> str:
    import requests

    response = requests.post(f"{emulator.url}/oauth/v2/token", data=emulator.token_form(), timeout=10)
    return str(response.json()["access_token"])


def parser(description: str) -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    result.add_argument("--json", action="store_true", help="end with one 'BENCH {...}' line for run_all.py")
    return result


def emit(args: argparse.Namespace, result: dict[str, Any]) -> None:
    if args.json:
        print("BENCH " + json.dumps(result), flush=True)

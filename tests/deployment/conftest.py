"""The deployment's fixtures: the emulator and the running Airflow services, shared by the module's tests.

Both are stopped by their fixtures' finalizers, so a failing test, an error or Ctrl-C still ends
every process the deployment started.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from deploy_airflow import (
    CLIENT_SECRET,
    REFRESH_TOKEN,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    TIMINGS,
    Deployment,
)

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


@pytest.fixture(scope="module")
def crm() -> Iterator[ZohoCRMEmulator]:
    """The bundled Zoho CRM emulator on 127.0.0.1, with canary credentials."""
    with ZohoCRMEmulator("127.0.0.1", 0, client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def sandbox_crm() -> Iterator[ZohoCRMEmulator]:
    """A second org, the sandbox: connection ``zoho_crm_sandbox`` (the promotion example reads it)."""
    with ZohoCRMEmulator(
        "127.0.0.1", 0, client_secret=SANDBOX_CLIENT_SECRET, refresh_token=SANDBOX_REFRESH_TOKEN
    ) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def deployment(
    crm: ZohoCRMEmulator, sandbox_crm: ZohoCRMEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """Airflow's four services on a fresh home, healthy, with the emulators' connections in every process."""
    from importlib.metadata import version

    airflow_version = version("apache-airflow")
    assert int(airflow_version.split(".")[0]) >= 3, f"Airflow {airflow_version}: the deployment test needs Airflow 3"
    started = time.monotonic()
    TIMINGS.clear()
    connections = {**crm.connection_env(), **sandbox_crm.connection_env("zoho_crm_sandbox")}
    deployment = Deployment(tmp_path_factory.mktemp("deployment"), connections)
    # A SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so the finalizer below still stops everything.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        deployment.migrate()
        deployment.start()
        TIMINGS["startup"] = time.monotonic() - started
        yield deployment
    finally:
        deployment.stop()
        TIMINGS["total"] = time.monotonic() - started
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One timing line before pytest's own summary line."""
    if not TIMINGS:
        return
    parts = [f"{name} {seconds:.0f} s" for name, seconds in TIMINGS.items()]
    terminalreporter.write_sep("-", "deployment timings")
    terminalreporter.write_line("; ".join(parts))

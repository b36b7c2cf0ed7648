"""The Celery deployment's fixtures: the hosts, the emulator as Zoho, and the running deployment.

Everything is torn down by the finalizers, in reverse: the Airflow services and every process
they started, PostgreSQL and Redis, the emulator, then the namespaces, links and bridge. A
failing test, an error, Ctrl-C or a SIGTERM (a cancelled CI job) all end there; an ``atexit``
hook removes the network pieces should the interpreter end any other orderly way.
"""

from __future__ import annotations

import atexit
import json
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery_airflow import (
    CONCURRENCY_LIMIT,
    EDITION,
    LATENCY_MS,
    TOKEN_LATENCY_MS,
    TOKEN_MINT_LIMIT,
    CeleryDeployment,
)
from measurements import RESULTS, TIMINGS
from support.tls import Certificates, make_certificates
from topology import CONTROL_ADDRESS, Topology

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

CLIENT_SECRET = f"canary-client-secret-{uuid.uuid4().hex}"
REFRESH_TOKEN = f"1000.canary-refresh-token-{uuid.uuid4().hex}"


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session")
def topology() -> Iterator[Topology]:
    """The bridge and the three namespaced hosts, removed at the end whatever happens."""
    hosts = Topology()
    atexit.register(hosts.down)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        hosts.up()
        yield hosts
    finally:
        problems = hosts.down()
        signal.signal(signal.SIGTERM, previous)
        assert not problems, problems


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """The emulator's certificate and the CA every host trusts (like a CA in each machine's image)."""
    return make_certificates(tmp_path_factory.mktemp("trust"), [CONTROL_ADDRESS])


@pytest.fixture(scope="session")
def crm(topology: Topology, certificates: Certificates) -> Iterator[ZohoCRMEmulator]:
    """Zoho as the emulator plays it, over HTTPS: Enterprise, 20 calls in flight, 100 ms each, throttled tokens."""
    with ZohoCRMEmulator(
        CONTROL_ADDRESS,
        0,
        client_secret=CLIENT_SECRET,
        refresh_token=REFRESH_TOKEN,
        edition=EDITION,
        concurrency_limit=CONCURRENCY_LIMIT,
        latency_ms=LATENCY_MS,
        token_mint_limit=TOKEN_MINT_LIMIT,
        token_latency_ms=TOKEN_LATENCY_MS,
        ssl_context=certificates.server_context(),
    ) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def deployment(
    topology: Topology, crm: ZohoCRMEmulator, certificates: Certificates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryDeployment]:
    """PostgreSQL, Redis and Airflow's services on their hosts, every one up; the connection shares one token."""
    from importlib.metadata import version

    airflow_version = version("apache-airflow")
    assert int(airflow_version.split(".")[0]) >= 3, f"Airflow {airflow_version}: the Celery test needs Airflow 3"
    started = time.monotonic()
    extra = {**crm.connection_extra(), "auth_cache": "variable"}
    connection = {"conn_type": "zoho_crm", "login": crm.client_id, "password": crm.client_secret, "extra": extra}
    deployment = CeleryDeployment(
        tmp_path_factory.mktemp("celery"),
        topology,
        {"AIRFLOW_CONN_ZOHO_CRM_DEFAULT": json.dumps(connection), "REQUESTS_CA_BUNDLE": str(certificates.ca)},
    )
    try:
        deployment.start_backends()
        TIMINGS["backends"] = time.monotonic() - started
        deployment.migrate()
        TIMINGS["migrate"] = time.monotonic() - started - TIMINGS["backends"]
        deployment.start()
        TIMINGS["startup"] = time.monotonic() - started
        yield deployment
    finally:
        deployment.stop()
        TIMINGS["total"] = time.monotonic() - started


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The measured table, then the timings, before pytest's own summary line."""
    if RESULTS:
        terminalreporter.write_sep("-", "Celery deployment: what was measured")
        rows = sorted(RESULTS, key=lambda row: row[0])  # by claim, in the order measured within each
        width = max(len(row[1]) for row in rows)
        terminalreporter.write_line(f"{'':<4}{'what':<{width}}  {'measured':<28}  expected")
        for claim, what, value, bound in rows:
            terminalreporter.write_line(f"{claim:<4}{what:<{width}}  {value:<28}  {bound}")
    if TIMINGS:
        terminalreporter.write_sep("-", "Celery deployment timings")
        terminalreporter.write_line("; ".join(f"{name} {seconds:.0f} s" for name, seconds in TIMINGS.items()))

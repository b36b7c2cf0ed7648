"""Airflow 3 on CeleryExecutor over four "hosts": PostgreSQL, Redis, two Celery workers and a triggerer apart.

The control host (this network namespace, 198.18.0.1 on the test's bridge) runs PostgreSQL, Redis,
the api-server, the scheduler and the dag-processor; ``zw1`` and ``zw2`` each run one Celery worker,
``zt`` the triggerer, each in its network namespace (``topology.py``) reaching the control host
over the link only. Every host has its own ``HOME``, ``TMPDIR`` and ``AIRFLOW_HOME`` (so its own
task logs and its own file token cache) under ``hosts/<role>``; the one folder every host uses is
``shared/``, standing in for shared storage (the un-enroll checkpoints' ``file://`` URL).

The Airflow configuration is the same ``AIRFLOW__*`` variables in every process; what differs
per host is only the environment a machine has (its home and temp directories) and its
hostname, which ``[core] hostname_callable = socket.gethostname`` reports for task instances.
No log server is started (``--skip-serve-logs``): the test reads each host's task logs from
that host's folder, as an operator with a shell on each machine would.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path

from backends import Postgres, Redis
from support.airflow_services import AirflowServices, clean_environment, deployment_settings
from support.processes import ProcessTracker, Service, free_port, port_open, stop_all
from topology import CONTROL_ADDRESS, SUBNET, Host, Topology

DAGS = Path(__file__).resolve().parent / "dags"
# The org the emulator plays (conftest.crm).
EDITION, CONCURRENCY_LIMIT, LATENCY_MS = "enterprise", 20, 100
TOKEN_MINT_LIMIT = 1  # throttled: a second token in the 10-minute window is "Access Denied"
TOKEN_LATENCY_MS = 1500  # a slow token endpoint: many callers arrive while the first mint is in flight
WORKER_CONCURRENCY = 16
HEARTBEAT_TIMEOUT = 20  # seconds without a task heartbeat before the scheduler fails (and retries) it
# Where each service runs.
PLACEMENT = {
    "api-server": "control",
    "scheduler": "control",
    "dag-processor": "control",
    "worker-zw1": "zw1",
    "worker-zw2": "zw2",
    "triggerer": "zt",
}


class CeleryDeployment(AirflowServices):
    """The backends and the Airflow services on their hosts; ``start()`` returns once every one is up."""

    def __init__(self, root: Path, topology: Topology, extra_env: Mapping[str, str]) -> None:
        self.root = root
        self.topology = topology
        self.shared = root / "shared"
        self.shared.mkdir(parents=True, exist_ok=True)
        self.host_dirs = {role: root / "hosts" / role for role in topology.hosts}
        addresses = (CONTROL_ADDRESS, "127.0.0.1")
        self.postgres = Postgres(addresses, SUBNET)
        self.redis = Redis(addresses, root)
        self.port = free_port()
        base_url = f"http://{CONTROL_ADDRESS}:{self.port}"
        self.base_env = self._environment(extra_env)
        super().__init__(root / "service-output", self.host_env("control"), base_url)
        self.backends: list[Service] = []
        self.backend_tracker = ProcessTracker()
        self.killed: set[str] = set()  # roles of hosts the test killed

    # ------------------------------------------------------------------ configuration

    def _environment(self, extra_env: Mapping[str, str]) -> dict[str, str]:
        # Nor the provider's settings or a proxy of the calling shell: every address used is the test's own.
        env = {
            key: value
            for key, value in clean_environment().items()
            if not key.startswith("ZOHO_CRM_") and not key.lower().endswith("_proxy")
        }
        env.update(deployment_settings(dags_folder=DAGS, host=CONTROL_ADDRESS, port=self.port))
        env.update(
            AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
            AIRFLOW__CORE__PARALLELISM="64",
            AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG="64",
            # The host's own name (its UTS namespace's), never a DNS lookup.
            AIRFLOW__CORE__HOSTNAME_CALLABLE="socket.gethostname",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=self.postgres.url(CONTROL_ADDRESS),
            AIRFLOW__CELERY__BROKER_URL=self.redis.url(CONTROL_ADDRESS),
            AIRFLOW__CELERY__RESULT_BACKEND=self.postgres.url(CONTROL_ADDRESS, driver="db+postgresql+psycopg2"),
            AIRFLOW__CELERY__WORKER_CONCURRENCY=str(WORKER_CONCURRENCY),
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT),
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL="3",
        )
        env.update(extra_env)
        return env

    def host_env(self, role: str) -> dict[str, str]:
        """The deployment's environment as a process on ``role`` sees it: that machine's own directories."""
        base = self.host_dirs[role]
        dirs = {"HOME": base / "home", "TMPDIR": base / "tmp", "AIRFLOW_HOME": base / "airflow-home"}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        return {**self.base_env, **{key: str(path) for key, path in dirs.items()}}

    def host(self, role: str) -> Host:
        return self.topology.hosts[role]

    def logs(self, role: str) -> Path:
        """The task (and trigger) log folder of a host."""
        return self.host_dirs[role] / "airflow-home" / "logs"

    def role_of(self, hostname: str | None) -> str | None:
        return next((role for role, host in self.topology.hosts.items() if host.hostname == hostname), None)

    # ------------------------------------------------------------------ lifecycle

    def start_backends(self) -> None:
        """PostgreSQL with the test's role and database, and Redis; both reachable from every host."""
        self.postgres.init()
        for service in (self.postgres.service(self.output_dir), self.redis.service(self.output_dir)):
            self.backends.append(service)
            service.start()
        self.postgres.wait_ready()
        self.postgres.create_database()
        deadline = time.monotonic() + 30
        while not port_open(self.redis.port, CONTROL_ADDRESS):
            assert time.monotonic() < deadline, f"Redis did not start\n{self.backends[1].tail()}"
            time.sleep(0.2)
        for role in ("zw1", "zw2", "zt"):
            for port in (self.postgres.port, self.redis.port):
                assert self.topology.reachable(role, port), f"{role} cannot reach {CONTROL_ADDRESS}:{port}"

    def start(self, timeout: float = 240) -> None:
        """The Airflow services on their hosts; returns once every one is healthy and both workers are ready."""
        commands = {
            "api-server": ["api-server", "--host", CONTROL_ADDRESS, "--port", str(self.port), "--workers", "1"],
            "scheduler": ["scheduler", "--skip-serve-logs"],
            "dag-processor": ["dag-processor"],
            "triggerer": ["triggerer", "--skip-serve-logs"],
        }
        for worker in ("zw1", "zw2"):
            commands[f"worker-{worker}"] = [
                "celery",
                "worker",
                "--skip-serve-logs",
                "--without-mingle",
                "--without-gossip",
                "--concurrency",
                str(WORKER_CONCURRENCY),
            ]
        for name, role in PLACEMENT.items():
            argv = self.host(role).command([self.airflow, *commands[name]])
            self.add_service(name, argv, self.host_env(role))
        self.wait_for(lambda: self.api.healthy() and self.workers_ready(), timeout, "every service up")
        self.api.login()

    def workers_ready(self) -> bool:
        """Both Celery workers said ``ready.`` (Celery's line once it consumes from the broker)."""
        for service in self.services:
            if service.name.startswith("worker-") and not any(
                re.search(r"celery@\S+ ready\.", path.read_text(errors="replace"))
                for path in service.output_files
                if path.exists()
            ):
                return False
        return True

    def expected_exits(self) -> set[str]:
        return {name for name, role in PLACEMENT.items() if role in self.killed}

    def kill_host(self, role: str) -> list[int]:
        """SIGKILL every process of a host (its whole Celery worker: main process, pool, task processes)."""
        self.tracker.watch(self.services)
        self.killed.add(role)
        return self.topology.kill_host(role)

    def stop(self) -> None:
        """Every Airflow process, then PostgreSQL and Redis (once nothing uses them); idempotent."""
        super().stop()
        stop_all(self.backends, self.backend_tracker)
        self.postgres.remove()

    def listening(self) -> set[tuple[str, str, int]]:
        """``(service, address, port)`` of every listener any process of the deployment ever had."""
        self.backend_tracker.watch(self.backends)
        self.tracker.watch(self.services)
        return self.backend_tracker.listening | self.tracker.listening

    def alive(self) -> list[tuple[str, int]]:
        return [(name, p.pid) for tracker in (self.tracker, self.backend_tracker) for name, p in tracker.alive()]

    def output_files(self) -> list[Path]:
        return [*super().output_files(), *(path for service in self.backends for path in service.output_files)]

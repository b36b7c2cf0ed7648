"""An Airflow 3 deployment as users run it: api-server, scheduler, dag-processor and triggerer as services.

One temporary AIRFLOW_HOME, the SQLite metadata DB, LocalExecutor, the repository's example DAGs,
and every listener on 127.0.0.1: the api-server (``--host``) with the execution API the workers
call, while the scheduler's and the triggerer's log servers, which would bind every interface,
are not started (``--skip-serve-logs``; the api-server reads the log files from the shared home).
Configuration goes through ``AIRFLOW__*`` variables, the same in every process, so the JWT secret
and the Fernet key agree. The REST API is authenticated the Airflow 3 way: the SimpleAuthManager
with ``simple_auth_manager_all_admins`` hands out a JWT at ``GET /auth/token``.
"""

from __future__ import annotations

import ast
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests
from deploy_processes import ProcessTracker, Service, free_port, stop_all

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DAGS = REPO / "example_dags"
SERVICES = ("api-server", "scheduler", "dag-processor", "triggerer")
# Filled by the fixtures, printed by conftest.pytest_terminal_summary.
TIMINGS: dict[str, float] = {}
# The emulators' credentials: unique canaries, so any hit in a log is a leak, never a coincidence.
CLIENT_SECRET = f"canary-client-secret-{uuid.uuid4().hex}"
REFRESH_TOKEN = f"1000.canary-refresh-token-{uuid.uuid4().hex}"
SANDBOX_CLIENT_SECRET = f"canary-sandbox-client-secret-{uuid.uuid4().hex}"
SANDBOX_REFRESH_TOKEN = f"1000.canary-sandbox-refresh-token-{uuid.uuid4().hex}"


def example_dag_ids(folder: Path = EXAMPLE_DAGS) -> list[str]:
    """The ``dag_id`` of every ``DAG(dag_id=...)`` / ``@dag(dag_id=...)`` in the folder, sorted.

    Read from the source, so a new example is triggered without editing the test; the test also
    checks this list against the DAGs the deployment parsed (a DAG declared another way shows up there).
    """
    found = set()
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in ("DAG", "dag"):
                continue
            for keyword in node.keywords:
                if keyword.arg == "dag_id" and isinstance(keyword.value, ast.Constant):
                    found.add(str(keyword.value.value))
    return sorted(found)


class AirflowApi:
    """The public REST API (``/api/v2``) with a bearer JWT from the SimpleAuthManager."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def login(self) -> None:
        """``GET /auth/token``: a JWT without credentials, as ``simple_auth_manager_all_admins`` allows."""
        answer = self.session.get(f"{self.base_url}/auth/token", timeout=30)
        assert answer.status_code in (200, 201), f"GET /auth/token: {answer.status_code} {answer.text[:500]}"
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def call(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 60)
        answer = self.session.request(method, f"{self.base_url}/api/v2/{path.lstrip('/')}", **kwargs)
        assert answer.status_code in ok, f"{method} /api/v2/{path}: {answer.status_code} {answer.text[:2000]}"
        return answer.json() if answer.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params=params or None)

    def post(self, path: str, body: Any, ok: tuple[int, ...] = (200,)) -> Any:
        return self.call("POST", path, json=body, ok=ok)


class Deployment:
    """The services, their environment and the REST client; ``start()`` returns once all are healthy."""

    def __init__(self, root: Path, extra_env: Mapping[str, str]) -> None:
        self.root = root
        self.home = root / "airflow-home"
        self.output_dir = root / "service-output"  # the services' stdout and stderr
        self.token_cache = root / "token-cache"  # outside AIRFLOW_HOME: holding the token is its job
        for folder in (self.home, self.output_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = self._environment(extra_env)
        self.services: list[Service] = []
        self.tracker = ProcessTracker()
        self.api = AirflowApi(self.base_url)
        self.stopped = False

    @property
    def airflow(self) -> str:
        """The ``airflow`` script of this interpreter's environment."""
        return str(Path(sys.executable).with_name("airflow"))

    def _environment(self, extra_env: Mapping[str, str]) -> dict[str, str]:
        from cryptography.fernet import Fernet

        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_", "PYTEST_"))
        }
        env.update(
            AIRFLOW_HOME=str(self.home),
            PYTHONUNBUFFERED="1",
            ZOHO_CRM_TOKEN_CACHE_DIR=str(self.token_cache),
            AIRFLOW__CORE__DAGS_FOLDER=str(EXAMPLE_DAGS),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__CORE__PARALLELISM="4",  # 2-core CI machines
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
            AIRFLOW__CORE__TEST_CONNECTION="Enabled",
            AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode(),
            AIRFLOW__CORE__AUTH_MANAGER="airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{self.base_url}/execution/",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{self.home / 'airflow.db'}",
            AIRFLOW__API__HOST="127.0.0.1",
            AIRFLOW__API__PORT=str(self.port),
            AIRFLOW__API__BASE_URL=self.base_url,
            AIRFLOW__API__WORKERS="1",
            AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(32),
            # Off already by default; pinned because its server binds every interface.
            AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK="False",
            AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST="127.0.0.1",
            # Not started (--skip-serve-logs); free loopback ports should anything still ask for them.
            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
            AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
            AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
        )
        env.update(extra_env)
        return env

    # ------------------------------------------------------------------ lifecycle

    def migrate(self) -> None:
        done = self.cli("db", "migrate", timeout=300)
        assert done.returncode == 0, f"airflow db migrate failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"

    def start(self, timeout: float = 180) -> None:
        """Start the four services and wait until the health endpoint reports every one healthy."""
        commands = {
            "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            "scheduler": ["scheduler", "--skip-serve-logs"],
            "dag-processor": ["dag-processor"],
            "triggerer": ["triggerer", "--skip-serve-logs"],
        }
        for name in SERVICES:
            service = Service(name, [self.airflow, *commands[name]], self.env, self.output_dir)
            service.start()
            self.services.append(service)
        self.wait_for(self._healthy, timeout, "every service healthy in /api/v2/monitor/health")
        self.api.login()

    def _healthy(self) -> bool:
        try:
            health = requests.get(f"{self.base_url}/api/v2/monitor/health", timeout=5).json()
        except (requests.RequestException, ValueError):
            return False
        parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
        return all((health.get(part) or {}).get("status") == "healthy" for part in parts)

    def wait_for(self, condition: Any, timeout: float, what: str, interval: float = 1.0) -> Any:
        """Poll ``condition()`` until it returns something truthy; fail naming ``what`` (and any dead service)."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_services()
            self.tracker.watch(self.services)
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{self.tails()}")
            time.sleep(interval)

    def check_services(self) -> None:
        """Fail at once, with its output, if a service died."""
        for service in self.services:
            code = service.exit_code()
            if code is not None and not self.stopped:
                raise AssertionError(f"airflow {service.name} exited with {code}\n{service.tail()}")

    def tails(self) -> str:
        return "\n".join(f"=== {s.name} ===\n{s.tail(1500)}" for s in self.services)

    def stop(self) -> None:
        """Stop every process the deployment started (idempotent)."""
        self.stopped = True
        stop_all(self.services, self.tracker)

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """An ``airflow`` command in the deployment's environment; its output is also kept in ``cli.out``/``.err``."""
        done = subprocess.run(
            [self.airflow, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        for path, text in zip(self.cli_output_files, (done.stdout, done.stderr), strict=True):
            with path.open("a") as kept:
                kept.write(f"$ airflow {' '.join(args)}\n{text}")
        return done

    @property
    def cli_output_files(self) -> list[Path]:
        return [self.output_dir / "cli.out", self.output_dir / "cli.err"]

    def output_files(self) -> list[Path]:
        """Everything the services and the commands printed."""
        return [*self.cli_output_files, *(path for service in self.services for path in service.output_files)]

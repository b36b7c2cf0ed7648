"""What every real Airflow deployment in the tests shares: the REST client and the services' lifecycle.

``AirflowServices`` holds the started services, the tracker of their processes, the environment
every ``airflow`` command gets and the REST client; subclasses say which services run where
(``tests/deployment``: LocalExecutor on SQLite; ``tests/celery_deployment``: CeleryExecutor on
PostgreSQL and Redis, workers in network namespaces). Nothing here imports Airflow.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import requests

from support.processes import ProcessTracker, Service, free_port, stop_all

# Variables of the calling shell that must not reach a deployment: its config comes from the test only.
FOREIGN_PREFIXES = ("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_", "PYTEST_")


def clean_environment() -> dict[str, str]:
    """This process's environment without Airflow settings, connections, variables or pytest's own."""
    return {key: value for key, value in os.environ.items() if not key.startswith(FOREIGN_PREFIXES)}


def deployment_settings(*, dags_folder: Path, host: str, port: int) -> dict[str, str]:
    """The ``AIRFLOW__*`` settings every test deployment shares; each adds its executor and database.

    The api-server listens on ``host:port`` only; the simple auth manager makes every caller an
    admin (a JWT from ``GET /auth/token``); fresh Fernet, API and JWT secrets per deployment; the
    scheduler's health server and the log servers are off (``--skip-serve-logs``), their ports
    pinned to free ones should anything still ask, since those servers bind every interface.
    """
    from cryptography.fernet import Fernet

    base_url = f"http://{host}:{port}"
    return {
        "PYTHONUNBUFFERED": "1",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base_url}/execution/",
        "AIRFLOW__API__HOST": host,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": base_url,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    }


def airflow_script() -> str:
    """The ``airflow`` script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("airflow"))


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

    def healthy(self, parts: Iterable[str] = ("metadatabase", "scheduler", "triggerer", "dag_processor")) -> bool:
        """Whether ``/api/v2/monitor/health`` reports every one of ``parts`` healthy (no login needed)."""
        try:
            health = requests.get(f"{self.base_url}/api/v2/monitor/health", timeout=5).json()
        except (requests.RequestException, ValueError):
            return False
        return all((health.get(part) or {}).get("status") == "healthy" for part in parts)


class AirflowServices:
    """Started services, their processes, the environment of ``airflow`` commands and the REST client."""

    def __init__(self, output_dir: Path, env: dict[str, str], base_url: str) -> None:
        self.output_dir = output_dir  # the services' and the commands' stdout and stderr
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.base_url = base_url
        self.services: list[Service] = []
        self.tracker = ProcessTracker()
        self.api = AirflowApi(base_url)
        self.stopped = False

    @property
    def airflow(self) -> str:
        return airflow_script()

    def add_service(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Service:
        """Start one service (its output in ``output_dir``) and keep it for ``stop()``."""
        service = Service(name, argv, self.env if env is None else env, self.output_dir)
        self.services.append(service)
        service.start()
        return service

    def migrate(self) -> None:
        done = self.cli("db", "migrate", timeout=300)
        assert done.returncode == 0, f"airflow db migrate failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"

    def wait_for(self, condition: Callable[[], Any], timeout: float, what: str, interval: float = 1.0) -> Any:
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

    def expected_exits(self) -> set[str]:
        """Services a test stopped on purpose: their exit is no failure."""
        return set()

    def check_services(self) -> None:
        """Fail at once, with its output, if a service died."""
        expected = self.expected_exits()
        for service in self.services:
            code = service.exit_code()
            if code is not None and not self.stopped and service.name not in expected:
                raise AssertionError(f"{service.name} exited with {code}\n{service.tail()}")

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

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
import uuid
from collections.abc import Mapping
from pathlib import Path

from support.airflow_services import AirflowServices, clean_environment, deployment_settings
from support.processes import free_port

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


class Deployment(AirflowServices):
    """The services, their environment and the REST client; ``start()`` returns once all are healthy."""

    def __init__(self, root: Path, extra_env: Mapping[str, str]) -> None:
        self.root = root
        self.home = root / "airflow-home"
        self.token_cache = root / "token-cache"  # outside AIRFLOW_HOME: holding the token is its job
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        base_url = f"http://127.0.0.1:{self.port}"
        super().__init__(root / "service-output", self._environment(extra_env), base_url)

    def _environment(self, extra_env: Mapping[str, str]) -> dict[str, str]:
        env = clean_environment()
        env.update(deployment_settings(dags_folder=EXAMPLE_DAGS, host="127.0.0.1", port=self.port))
        env.update(
            AIRFLOW_HOME=str(self.home),
            ZOHO_CRM_TOKEN_CACHE_DIR=str(self.token_cache),
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__CORE__PARALLELISM="4",  # 2-core CI machines
            AIRFLOW__CORE__TEST_CONNECTION="Enabled",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{self.home / 'airflow.db'}",
        )
        env.update(extra_env)
        return env

    def start(self, timeout: float = 180) -> None:
        """Start the four services and wait until the health endpoint reports every one healthy."""
        commands = {
            "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            "scheduler": ["scheduler", "--skip-serve-logs"],
            "dag-processor": ["dag-processor"],
            "triggerer": ["triggerer", "--skip-serve-logs"],
        }
        for name in SERVICES:
            self.add_service(name, [self.airflow, *commands[name]])
        self.wait_for(self.api.healthy, timeout, "every service healthy in /api/v2/monitor/health")
        self.api.login()

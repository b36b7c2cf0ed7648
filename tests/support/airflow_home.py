"""Run DAGs through real Airflow in a throw-away home: SQLite metadata DB, no examples.

Used by the demo and the end-to-end tests (a repository helper, not shipped in the wheel)::

    home = AirflowHome(tmp_path, dags_folder="dags", env={"AIRFLOW_CONN_ZOHO_CRM_DEFAULT": ...})
    home.migrate()
    result = home.dags_test("my_dag")
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class AirflowHome:
    """A temporary ``AIRFLOW_HOME``; commands run in subprocesses so Airflow reads it fresh."""

    path: Path
    dags_folder: Path
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path = Path(self.path).resolve()
        self.dags_folder = Path(self.dags_folder).resolve()
        self.path.mkdir(parents=True, exist_ok=True)

    @property
    def airflow(self) -> str:
        """The ``airflow`` script of the interpreter running this code (the same environment)."""
        return str(Path(sys.executable).with_name("airflow"))

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
        env.update(
            AIRFLOW_HOME=str(self.path),
            AIRFLOW__CORE__DAGS_FOLDER=str(self.dags_folder),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{self.path / 'airflow.db'}",
            AIRFLOW__CORE__EXECUTOR="SequentialExecutor" if _airflow_major() < 3 else "LocalExecutor",
            AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
        )
        env.update(self.env)
        return env

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.airflow, *args],
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def migrate(self) -> None:
        """Create the metadata DB (once per home)."""
        if (self.path / "airflow.db").exists():
            return
        result = self.run("db", "migrate")
        if result.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")

    def dags_test(
        self, dag_id: str, logical_date: str = "2026-01-01", timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """``airflow dags test``: one DAG run in-process, triggers included."""
        return self.run("dags", "test", dag_id, logical_date, timeout=timeout)


def _airflow_major() -> int:
    from importlib.metadata import version

    return int(version("apache-airflow").split(".")[0])

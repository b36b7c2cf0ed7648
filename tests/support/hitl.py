"""Answer a DAG run's human-in-the-loop approval the way a reviewer would: through Airflow's REST API.

``airflow dags test`` (``dag.test()``) leaves a human-in-the-loop task waiting until a response is
recorded from outside, as the Required Actions page or the HITL REST API of an api-server sharing
the metadata database records it. :class:`HITLResponder` runs a process on the same ``AIRFLOW_HOME``
that polls ``GET /api/v2/dags/{dag_id}/dagRuns/~/hitlDetails`` and answers each waiting task with
``PATCH .../taskInstances/{task_id}/{map_index}/hitlDetails`` (the public API, served in-process by
FastAPI's test client, the simple auth manager letting every caller act as admin)::

    with HITLResponder(home, "my_dag", option="Approve") as responder:
        result = home.dags_test("my_dag")
    (answered,) = responder.answered()   # subject, body, task_id, run_id, status of the PATCH
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from types import TracebackType
from typing import Any

from support.airflow_home import AirflowHome

_RESPOND = textwrap.dedent(
    """
    import json, sys, time
    from fastapi.testclient import TestClient
    from airflow.api_fastapi.app import create_app

    dag_id, option, count, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    client = TestClient(create_app("core"))
    answered, deadline = [], time.monotonic() + timeout
    while len(answered) < count and time.monotonic() < deadline:
        listed = client.get(f"/api/v2/dags/{dag_id}/dagRuns/~/hitlDetails", params={"response_received": False})
        listed.raise_for_status()
        for detail in listed.json()["hitl_details"]:
            ti = detail["task_instance"]
            path = (
                f"/api/v2/dags/{dag_id}/dagRuns/{ti['dag_run_id']}/taskInstances/"
                f"{ti['task_id']}/{ti['map_index']}/hitlDetails"
            )
            done = client.patch(path, json={"chosen_options": [option]})
            answered.append({
                "task_id": ti["task_id"], "run_id": ti["dag_run_id"], "subject": detail["subject"],
                "body": detail["body"], "options": detail["options"], "status": done.status_code,
            })
        time.sleep(0.5)
    print(json.dumps(answered))
    """
)


class HITLResponder:
    """A process answering ``count`` human-in-the-loop requests of ``dag_id`` with ``option``."""

    def __init__(
        self, home: AirflowHome, dag_id: str, *, option: str = "Approve", count: int = 1, timeout: float = 600
    ) -> None:
        self.home = home
        self.args = [dag_id, option, str(count), str(timeout)]
        self.timeout = timeout
        self._process: subprocess.Popen[str] | None = None
        self._answered: list[dict[str, Any]] | None = None
        self.stderr = ""

    def __enter__(self) -> HITLResponder:
        env = self.home.environ()
        env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = "True"
        self._process = subprocess.Popen(
            [sys.executable, "-c", _RESPOND, *self.args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        process = self._process
        if process is None:
            return
        if exc_type is not None or (process.poll() is None and not self._wait(process)):
            process.kill()
        stdout, self.stderr = process.communicate(timeout=60)
        lines = stdout.strip().splitlines()
        self._answered = json.loads(lines[-1]) if process.returncode == 0 and lines else None

    def _wait(self, process: subprocess.Popen[str]) -> bool:
        """The run is over; the responder ends once it has answered (or ends now if it never will)."""
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            return False
        return True

    def answered(self) -> list[dict[str, Any]]:
        """What was answered (after the ``with`` block); fails with the responder's stderr if it failed."""
        if self._answered is None:
            raise AssertionError(f"the HITL responder failed or was killed:\n{self.stderr[-3000:]}")
        return self._answered

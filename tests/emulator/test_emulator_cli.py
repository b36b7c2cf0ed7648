"""``python -m airflow_provider_zohocrm.testing.emulator`` as another process would run it."""

from __future__ import annotations

import json
import queue
import shlex
import signal
import subprocess
import sys
import threading

import requests

LINES_EXPECTED = 5


def _read_lines(process: subprocess.Popen[str], count: int, timeout: float) -> dict[str, str]:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    values = {}
    for _ in range(count):
        key, _, value = lines.get(timeout=timeout).rstrip("\n").partition("=")
        values[key] = shlex.split(value)[0]
    return values


def test_cli_prints_url_credentials_and_connection() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_zohocrm.testing.emulator", "--port", "0", "--no-seed"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        values = _read_lines(process, LINES_EXPECTED, timeout=20)
        url = values["ZOHO_CRM_EMULATOR_URL"]
        assert url.startswith("http://127.0.0.1:")
        connection = json.loads(values["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"])
        assert connection["extra"]["accounts_url"] == url
        form = {
            "grant_type": "refresh_token",
            "client_id": values["ZOHO_CRM_CLIENT_ID"],
            "client_secret": values["ZOHO_CRM_CLIENT_SECRET"],
            "refresh_token": values["ZOHO_CRM_REFRESH_TOKEN"],
        }
        body = requests.post(f"{url}/oauth/v2/token", data=form, timeout=5).json()
        assert body["api_domain"] == url
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)

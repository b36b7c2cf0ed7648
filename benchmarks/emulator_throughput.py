"""Requests per second the bundled Zoho CRM emulator serves (authenticated, keep-alive).

Starts the emulator (no latency, a concurrency limit high enough never to answer 429), then
hammers ``GET /crm/v8/org`` from N threads, each with its own keep-alive ``requests.Session``.
By default the emulator runs in a child process (``python -m ...emulator``) so clients and server
do not share a GIL; ``--in-process`` runs it in this interpreter instead. Prints; asserts nothing.

    .venv/bin/python benchmarks/emulator_throughput.py [--threads 8] [--seconds 5] [--in-process]
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import requests

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


@contextlib.contextmanager
def _child_emulator(concurrency: int) -> Iterator[dict[str, str]]:
    command = [sys.executable, "-m", "airflow_provider_zohocrm.testing.emulator", "--port", "0"]
    process = subprocess.Popen([*command, "--concurrency-limit", str(concurrency)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        values = {}
        for _ in range(4):
            key, _, value = process.stdout.readline().strip().partition("=")
            values[key] = shlex.split(value)[0]
        yield values
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def _local_emulator(concurrency: int) -> Iterator[dict[str, str]]:
    with ZohoCRMEmulator(concurrency_limit=concurrency) as emulator:
        yield {
            "ZOHO_CRM_EMULATOR_URL": emulator.url,
            "ZOHO_CRM_CLIENT_ID": emulator.client_id,
            "ZOHO_CRM_CLIENT_SECRET": emulator.client_secret,
            "ZOHO_CRM_REFRESH_TOKEN": emulator.refresh_token,
        }


def _token(values: dict[str, str]) -> str:
    form = {
        "grant_type": "refresh_token",
        "client_id": values["ZOHO_CRM_CLIENT_ID"],
        "client_secret": values["ZOHO_CRM_CLIENT_SECRET"],
        "refresh_token": values["ZOHO_CRM_REFRESH_TOKEN"],
    }
    response = requests.post(f"{values['ZOHO_CRM_EMULATOR_URL']}/oauth/v2/token", data=form, timeout=10)
    return str(response.json()["access_token"])


def _hammer(url: str, token: str, threads: int, seconds: float) -> tuple[int, int]:
    ok, failed = [0] * threads, [0] * threads
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Zoho-oauthtoken {token}"
        while time.monotonic() < deadline:
            if session.get(f"{url}/crm/v8/org", timeout=10).status_code == 200:
                ok[index] += 1
            else:
                failed[index] += 1

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sum(ok), sum(failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--in-process", action="store_true", help="serve from this interpreter")
    args = parser.parse_args()
    start = _local_emulator if args.in_process else _child_emulator
    with start(args.threads + 1) as values:
        url = values["ZOHO_CRM_EMULATOR_URL"]
        ok, failed = _hammer(url, _token(values), args.threads, args.seconds)
    where = "in-process" if args.in_process else "child process"
    print(
        f"emulator ({where}), {args.threads} keep-alive clients, {args.seconds:g} s: "
        f"{ok / args.seconds:.0f} requests/s ({ok} ok, {failed} failed)"
    )


if __name__ == "__main__":
    main()

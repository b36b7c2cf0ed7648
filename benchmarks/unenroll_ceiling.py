"""P3: un-enroll records/s vs the ceiling at concurrency 10 and 50 ms latency (goal >= 0.9).

The ceiling is limit / latency x 100 records = 10 / 0.05 s x 100 = 20,000 records/s: every one of
Zoho's 10 concurrent slots busy all the time with a full batch. Measured side by side, the same
number of records each, interleaved and repeated (medians):

- hook: ``ZohoCRMHook.unenroll_from_cadences`` (the batching engine, max_workers=10);
- hook.request x10 threads: the hook's calls from 10 plain threads (no engine), to split the cost;
- bare requests: 10 threads sharing one ``requests.Session`` making the same POSTs and parsing the
  answers;
- raw socket: 10 threads each writing the same POST to its own keep-alive socket and parsing the
  answer, no HTTP library at all: what the rig itself (emulator, loopback, machine) allows;

each against the emulator in a child process (its own GIL, as Zoho is; it answers every call
50 ms after the request arrived, its own work included) and, for comparison,
against the emulator inside this process (the two then share one GIL). ``hook / bare`` is the
provider's own efficiency. Prints; asserts nothing.

    .venv/bin/python benchmarks/unenroll_ceiling.py [--records 20000] [--repeats 3] [--no-in-process]
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from bench_common import (
    CADENCE,
    UNENROLL_PATH,
    Emulator,
    bare_token,
    child_emulator,
    emit,
    isolate_airflow,
    local_emulator_info,
    parser,
    record_ids,
    unenroll_body,
    use_connection,
)

LIMIT, LATENCY_MS, WORKERS = 10, 50.0, 10
CEILING = LIMIT / (LATENCY_MS / 1000) * 100


def via_engine(hook: Any, records: int, offset: int) -> float:
    started = time.perf_counter()
    result = hook.unenroll_from_cadences("Contacts", record_ids(records, offset), [CADENCE], max_workers=WORKERS)
    elapsed = time.perf_counter() - started
    assert result["succeeded"] == records, result
    return records / elapsed


def threaded(call: Callable[[dict[str, Any]], None], records: int, offset: int) -> float:
    """``records / 100`` calls from WORKERS threads taking the next batch as they finish."""
    batches = iter(range(offset // 100, offset // 100 + records // 100))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                index = next(batches, None)
            if index is None:
                return
            call(unenroll_body(index))

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records / (time.perf_counter() - started)


def bare_client(emulator: Emulator) -> Callable[[dict[str, Any]], None]:
    import requests
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    session.mount("http://", HTTPAdapter(pool_maxsize=WORKERS))
    url = f"{emulator.url}/crm/v8/{UNENROLL_PATH}"
    headers = {"Authorization": f"Zoho-oauthtoken {bare_token(emulator)}"}

    def call(body: dict[str, Any]) -> None:
        response = session.post(url, json=body, headers=headers, timeout=30, allow_redirects=False)
        response.raise_for_status()
        response.json()

    return call


def raw_socket_client(emulator: Emulator) -> Callable[[dict[str, Any]], None]:
    """POSTs over one keep-alive socket per thread, read with no HTTP library (the rig's own limit)."""
    import json
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(emulator.url)
    head = (
        f"POST /crm/v8/{UNENROLL_PATH} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Zoho-oauthtoken {bare_token(emulator)}\r\nContent-Type: application/json\r\n"
    )
    local = threading.local()

    def call(body: dict[str, Any]) -> None:
        if not hasattr(local, "reader"):
            sock = socket.create_connection((url.hostname, url.port), timeout=30)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            local.sock, local.reader = sock, sock.makefile("rb")
        data = json.dumps(body).encode()
        local.sock.sendall(f"{head}Content-Length: {len(data)}\r\n\r\n".encode() + data)
        status = local.reader.readline().split()[1]
        length = 0
        while (line := local.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        json.loads(local.reader.read(length))
        assert status == b"200", status

    return call


def variants(emulator: Emulator, conn_id: str) -> dict[str, Callable[[int, int], float]]:
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    use_connection(emulator, conn_id, max_concurrency=LIMIT)
    engine_hook, plain_hook = ZohoCRMHook(conn_id), ZohoCRMHook(conn_id)
    via_engine(engine_hook, 1000, 10**12)  # warm-up: imports, token, connections
    bare, raw = bare_client(emulator), raw_socket_client(emulator)

    def hook_request(body: dict[str, Any]) -> None:
        plain_hook.request("POST", UNENROLL_PATH, json=body)

    return {
        "hook": lambda n, o: via_engine(engine_hook, n, o),
        "hook.request x10 threads": lambda n, o: threaded(hook_request, n, o),
        "bare requests": lambda n, o: threaded(bare, n, o),
        "raw socket": lambda n, o: threaded(raw, n, o),
    }


def measure(runs: dict[str, Callable[[int, int], float]], records: int, repeats: int) -> dict[str, float]:
    rates: dict[str, list[float]] = {name: [] for name in runs}
    offset = 0
    for _ in range(repeats):
        for name, run in runs.items():
            rates[name].append(run(records, offset))
            offset += records
    return {name: statistics.median(values) for name, values in rates.items()}


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--records", type=int, default=20_000)
    cli.add_argument("--repeats", type=int, default=3)
    cli.add_argument("--no-in-process", action="store_true", help="skip the in-process emulator comparison")
    args = cli.parse_args()
    isolate_airflow()

    results: dict[str, dict[str, float]] = {}
    with child_emulator(LATENCY_MS, LIMIT) as emulator:
        results["child process"] = measure(variants(emulator, "zoho_crm_child"), args.records, args.repeats)
    if not args.no_in_process:
        from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

        with ZohoCRMEmulator(latency_ms=LATENCY_MS, concurrency_limit=LIMIT) as local:
            runs = variants(local_emulator_info(local), "zoho_crm_local")
            results["in-process"] = measure(runs, args.records, args.repeats)

    print(f"{args.records:,} records x 1 cadence per run, median of {args.repeats}; ceiling {CEILING:,.0f} records/s")
    print(f"{'emulator':<14} {'client':<26} {'records/s':>10} {'/ceiling':>9} {'/bare':>7}")
    for where, rates in results.items():
        for name, rate in rates.items():
            print(f"{where:<14} {name:<26} {rate:>10,.0f} {rate / CEILING:>9.3f} {rate / rates['bare requests']:>7.3f}")
    child = results["child process"]
    ratio = child["hook"] / CEILING
    emit(
        args,
        {
            "id": "P3",
            "value": round(ratio, 3),
            "goal": ">= 0.9",
            "met": ratio >= 0.9,
            "detail": f"hook {ratio:.3f}, bare requests {child['bare requests'] / CEILING:.3f}, raw socket "
            f"{child['raw socket'] / CEILING:.3f} of the ceiling "
            f"(hook/bare {child['hook'] / child['bare requests']:.3f}); emulator in-process: hook "
            f"{results.get('in-process', {}).get('hook', float('nan')) / CEILING:.3f}",
        },
    )


if __name__ == "__main__":
    main()

"""Un-enroll throughput and memory: R records x 1 cadence through ``ZohoCRMHook.unenroll_from_cadences``.

The emulator runs in a child process (its own GIL) with a concurrency limit and a per-call
latency; the ceiling is ``limit / latency x 100 records`` records/s (10 / 50 ms x 100 = 20,000).
Record ids come from a generator, as a caller streaming millions would pass them. Prints the
achieved records/s as a fraction of that ceiling, the calls made vs ceil(R/100), and the client's
memory growth: peak RSS over the baseline taken after a warm-up call, and (``--tracemalloc``, a
second run, slower) the peak of Python allocations. Prints; asserts nothing.

    .venv/bin/python benchmarks/unenroll_throughput.py [--records 100000] [--max-workers 10]
        [--latency-ms 50] [--concurrency-limit 10] [--tracemalloc]
    .venv/bin/python benchmarks/unenroll_throughput.py --records 1000000   # the memory figure
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

CADENCE = "554023000004092008"  # the emulator's seeded manual-enrollment Contacts cadence
FIRST_RECORD = 554023000001000000


@contextlib.contextmanager
def child_emulator(latency_ms: float, concurrency_limit: int) -> Iterator[dict[str, str]]:
    command = [sys.executable, "-m", "airflow_provider_zohocrm.testing.emulator", "--port", "0"]
    command += ["--latency-ms", str(latency_ms), "--concurrency-limit", str(concurrency_limit)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        values: dict[str, str] = {}
        while "AIRFLOW_CONN_ZOHO_CRM_DEFAULT" not in values:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the emulator exited before printing its connection")
            key, _, value = line.strip().partition("=")
            values[key] = shlex.split(value)[0]
        yield values
    finally:
        process.terminate()
        process.wait(timeout=10)


def record_ids(count: int, start: int = 0) -> Iterator[str]:
    return (str(FIRST_RECORD + start + i) for i in range(count))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(hook: Any, records: int, max_workers: int, offset: int) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    result = hook.unenroll_from_cadences("Contacts", record_ids(records, offset), [CADENCE], max_workers=max_workers)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--max-workers", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency-limit", type=int, default=10)
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python allocations (slower run)")
    args = parser.parse_args()

    os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="zohocrm-bench-airflow-home-"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ["ZOHO_CRM_TOKEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="zohocrm-bench-tokens-")
    ceiling = args.concurrency_limit / (args.latency_ms / 1000) * 100

    with child_emulator(args.latency_ms, args.concurrency_limit) as values:
        # The connection's per-credential slots (max_concurrency) sized to the Zoho limit, as a
        # deployment on that edition would set them; the default 8 would cap max_workers.
        connection = json.loads(values["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"])
        connection["extra"]["max_concurrency"] = args.concurrency_limit
        os.environ["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"] = json.dumps(connection)
        from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

        hook = ZohoCRMHook()
        run(hook, 1000, args.max_workers, offset=10**12)  # warm-up: imports, token, connections
        baseline = peak_rss_mib()
        result, elapsed = run(hook, args.records, args.max_workers, offset=0)
        rss_growth = peak_rss_mib() - baseline
        rate = args.records / elapsed

        print(f"records x cadences:  {args.records:,} x 1, max_workers={args.max_workers}")
        print(f"emulator:            concurrency limit {args.concurrency_limit}, latency {args.latency_ms:g} ms")
        print(f"calls:               {result['calls']:,} (floor ceil(R/100) = {-(-args.records // 100):,})")
        print(f"outcome:             {result['succeeded']:,} succeeded, {result['failed']:,} failed")
        print(f"elapsed:             {elapsed:.2f} s")
        print(f"throughput:          {rate:,.0f} records/s of {ceiling:,.0f} records/s ceiling = {rate / ceiling:.3f}")
        print(f"peak RSS growth:     {rss_growth:.1f} MiB over the post-warm-up baseline ({baseline:.1f} MiB)")
        if args.tracemalloc:
            tracemalloc.start()
            run(hook, args.records, args.max_workers, offset=0)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"tracemalloc peak:    {peak / 2**20:.1f} MiB of Python allocations during the run")


if __name__ == "__main__":
    main()

"""P6: peak memory of a 1,000,000-record un-enroll over the baseline (goal <= 50 MiB).

Record ids come from a generator, as a caller streaming them from a query would pass them; the
engine holds only the batches in flight. The emulator runs in a child process (its memory is not
counted) with no latency. Baseline: this process's resident memory after a warm-up un-enroll
(imports, token, connections, threads). Peak: the highest resident memory sampled every 20 ms
during the run, and the kernel's high-water mark (``ru_maxrss``). Prints; asserts nothing.

    .venv/bin/python benchmarks/unenroll_memory.py [--records 1000000] [--max-workers 10]
"""

from __future__ import annotations

import os
import resource
import threading
import time

from bench_common import CADENCE, child_emulator, emit, isolate_airflow, parser, record_ids, use_connection

MIB = 2**20


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def max_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


class PeakSampler:
    """Samples resident memory in a thread until stopped; keeps the highest value."""

    def __init__(self, every: float = 0.02) -> None:
        self.every = every
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--records", type=int, default=1_000_000)
    cli.add_argument("--max-workers", type=int, default=10)
    args = cli.parse_args()
    isolate_airflow()
    with child_emulator(0, args.max_workers) as emulator:
        use_connection(emulator, max_concurrency=args.max_workers)
        from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

        hook = ZohoCRMHook()
        hook.unenroll_from_cadences("Contacts", record_ids(5000, 10**12), [CADENCE], max_workers=args.max_workers)
        baseline, high_water_before = rss_bytes(), max_rss_bytes()
        started = time.perf_counter()
        with PeakSampler() as sampler:
            result = hook.unenroll_from_cadences(
                "Contacts", record_ids(args.records), [CADENCE], max_workers=args.max_workers
            )
        elapsed = time.perf_counter() - started
    growth = (sampler.peak - baseline) / MIB
    high_water = (max_rss_bytes() - max(baseline, high_water_before)) / MIB
    print(f"{args.records:,} records x 1 cadence, max_workers={args.max_workers}: ", end="")
    print(f"{result['calls']:,} calls in {elapsed:.1f} s")
    print(f"outcome: {result['succeeded']:,} succeeded, {result['failed']:,} failed")
    print(f"baseline RSS {baseline / MIB:.1f} MiB; peak {sampler.peak / MIB:.1f} MiB")
    print(f"peak growth over baseline: {growth:.1f} MiB sampled, {max(high_water, 0):.1f} MiB high-water (goal <= 50)")
    emit(
        args,
        {
            "id": "P6",
            "value": round(growth, 1),
            "goal": "<= 50 MiB",
            "met": growth <= 50 and result["succeeded"] == args.records,
            "detail": f"+{growth:.1f} MiB over {baseline / MIB:.0f} MiB for {args.records:,} records "
            f"({result['calls']:,} calls, {elapsed:.0f} s)",
        },
    )


if __name__ == "__main__":
    main()

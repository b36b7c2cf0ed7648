"""Run benchmarks P1-P7, each in its own interpreter, and print one table (about 2.5 minutes on 2 cores).

Each script runs in a fresh process so imports, threads and memory of one never colour another
(P6's peak memory in particular). ``--full`` uses the larger sizes: more records for P3, more
runs for P4, more calls for P5. Goals are shown, never asserted: timings depend on the machine.

    .venv/bin/python benchmarks/run_all.py [--full] [--only P3,P5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# id: (what, script, default arguments, --full arguments)
BENCHMARKS: dict[str, tuple[str, str, list[str], list[str]]] = {
    "P1": ("token refreshes, 50 tasks / 4 processes", "token_refresh.py", [], []),
    "P2": (
        "un-enroll calls vs ceil(R/100)*ceil(C/5)",
        "unenroll_calls.py",
        [],
        ["--records", "1,99,100,101,250,1000,20000"],
    ),
    "P3": (
        "un-enroll records/s vs ceiling (10 x 50 ms)",
        "unenroll_ceiling.py",
        ["--records", "20000", "--repeats", "5"],
        ["--records", "100000", "--repeats", "3"],
    ),
    "P4": ("import overhead over airflow.sdk", "import_overhead.py", ["--runs", "5"], ["--runs", "15"]),
    "P5": (
        "per-call cost vs bare requests",
        "call_overhead.py",
        ["--calls", "150", "--rounds", "5"],
        ["--calls", "500"],
    ),
    "P6": ("peak memory, 1,000,000-record un-enroll", "unenroll_memory.py", [], []),
    "P7": ("as-code export+plan s, 500 rules / 10 modules", "as_code.py", [], []),
}


def run(script: str, arguments: list[str], timeout: float) -> tuple[dict[str, object] | None, str, float]:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / script), "--json", *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=HERE,
        )
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s", time.perf_counter() - started
    elapsed = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        return None, f"exit {done.returncode}: {' / '.join(tail)}", elapsed
    report = "\n".join(line for line in done.stdout.splitlines() if not line.startswith("BENCH "))
    return json.loads(lines[-1][len("BENCH ") :]), report, elapsed


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--full", action="store_true", help="the larger sizes (several minutes)")
    cli.add_argument("--only", default="", help="comma-separated ids, e.g. P3,P5")
    cli.add_argument("--quiet", action="store_true", help="only the table, not each script's own report")
    cli.add_argument("--timeout", type=float, default=600)
    args = cli.parse_args()
    wanted = [part.strip().upper() for part in args.only.split(",") if part.strip()] or list(BENCHMARKS)

    rows = []
    started = time.perf_counter()
    for bench_id in wanted:
        what, script, default_args, full_args = BENCHMARKS[bench_id]
        result, report, elapsed = run(script, full_args if args.full else default_args, args.timeout)
        if not args.quiet:
            print(f"--- {bench_id}: {script} ({elapsed:.0f} s)\n{report}\n", flush=True)
        if result is None:
            rows.append((bench_id, what, "error", "", "", report))
        else:
            met = "yes" if result["met"] else "no"
            rows.append((bench_id, what, str(result["value"]), str(result["goal"]), met, str(result["detail"])))

    print(f"{'id':<3} {'benchmark':<42} {'result':>8}  {'goal':<14} {'met':<4} detail")
    for bench_id, what, value, goal, met, detail in rows:
        print(f"{bench_id:<3} {what:<42} {value:>8}  {goal:<14} {met:<4} {detail}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

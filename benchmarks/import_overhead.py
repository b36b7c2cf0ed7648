"""Import overhead of the provider over a bare ``import airflow.sdk`` (DAG parsing pays it).

Runs fresh interpreters alternately with and without the provider's modules and prints the ratio
of median wall times. Prints; asserts nothing.

    .venv/bin/python benchmarks/import_overhead.py [--runs 11]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = "import airflow.sdk"
MODULES = [
    "airflow_provider_zohocrm.hooks",
    "airflow_provider_zohocrm.operators",
    "airflow_provider_zohocrm.sensors",
]


def _available(module: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, check=False)
    return probe.returncode == 0


def _time(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    modules = [m for m in MODULES if _available(m)]
    with_provider = "; ".join([BASELINE, *(f"import {m}" for m in modules)])
    _time(with_provider)  # warm the bytecode and OS file caches once
    bare, ours = [], []
    for _ in range(args.runs):
        bare.append(_time(BASELINE))
        ours.append(_time(with_provider))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"modules: {', '.join(modules)}")
    print(f"import airflow.sdk            median {b * 1000:7.1f} ms over {args.runs} runs")
    print(f"  + provider modules          median {o * 1000:7.1f} ms")
    print(f"import overhead ratio: {o / b:.3f}x (goal <= 1.02x)")


if __name__ == "__main__":
    main()

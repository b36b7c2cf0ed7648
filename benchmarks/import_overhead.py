"""P4: import overhead of the provider's operators and sensors over a bare ``import airflow.sdk`` (goal <= 1.02x).

Every DAG file that uses an operator or sensor pays for importing it at parse time. Each run is a
fresh interpreter that times ``import airflow.sdk``, then every operator and sensor class
(``import *`` of both packages; hooks load only when a task runs), and reports
(sdk + provider) / sdk. Timing both steps in the same interpreter keeps the run-to-run noise of
the 2-second Airflow import (several hundred ms on a busy 2-core machine) out of a ratio whose
subject is ~10 ms. The ratio of whole-interpreter wall times, alternating with and without the
provider, is printed too; it needs a quiet machine. Prints; asserts nothing.

    .venv/bin/python benchmarks/import_overhead.py [--runs 11]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from bench_common import emit, parser

BASELINE = "import airflow.sdk"
PROVIDER = [
    "from airflow_provider_zohocrm.operators import *",
    "from airflow_provider_zohocrm.sensors import *",
]
STEPS = f"""
import json, time
started = time.perf_counter()
{BASELINE}
sdk = time.perf_counter()
{chr(10).join(PROVIDER)}
done = time.perf_counter()
print(json.dumps([sdk - started, done - sdk]))
"""


def _wall(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def _steps() -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", STEPS], check=True, capture_output=True, text=True)
    sdk, provider = json.loads(done.stdout.strip().splitlines()[-1])
    return float(sdk), float(provider)


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--runs", type=int, default=11)
    args = cli.parse_args()
    with_provider = "; ".join([BASELINE, *PROVIDER])
    _wall(with_provider)  # warm the OS file caches once
    steps, bare, ours = [], [], []
    for _ in range(args.runs):
        steps.append(_steps())
        bare.append(_wall(BASELINE))
        ours.append(_wall(with_provider))
    ratio = statistics.median((sdk + provider) / sdk for sdk, provider in steps)
    sdk_ms = statistics.median(sdk for sdk, _ in steps) * 1000
    provider_ms = statistics.median(provider for _, provider in steps) * 1000
    wall_ratio = statistics.median(ours) / statistics.median(bare)
    print(f"provider: {'; '.join(PROVIDER)}")
    print(
        f"in one interpreter, median of {args.runs}: import airflow.sdk {sdk_ms:.0f} ms, "
        f"then the provider {provider_ms:.1f} ms"
    )
    print(f"import overhead ratio: {ratio:.3f}x (goal <= 1.02x)")
    print(
        f"whole interpreters, medians: {statistics.median(bare) * 1000:.0f} ms bare, "
        f"{statistics.median(ours) * 1000:.0f} ms with the provider = {wall_ratio:.3f}x (noisy)"
    )
    emit(
        args,
        {
            "id": "P4",
            "value": round(ratio, 3),
            "goal": "<= 1.02x",
            "met": ratio <= 1.02,
            "detail": f"+{provider_ms:.1f} ms over {sdk_ms:.0f} ms (median of {args.runs}); "
            f"whole-interpreter medians {wall_ratio:.3f}x",
        },
    )


if __name__ == "__main__":
    main()

"""P4: import overhead of the provider's operators and sensors over a bare ``import airflow.sdk`` (goal <= 1.02x).

Every DAG file that uses an operator or sensor pays for importing it, at every parse. Runs fresh
interpreters alternately with and without every operator and sensor class (``import *`` of both
packages; hooks load only when a task runs) and prints the ratio of the fastest runs (the work is
fixed, so the minimum is the estimate least disturbed by other load) and of the medians. The
provider's own import time in one interpreter (``-X importtime``) is printed too: it does not
depend on the machine being quiet. Prints; asserts nothing.

    .venv/bin/python benchmarks/import_overhead.py [--runs 11]
"""

from __future__ import annotations

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


def _time(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def provider_import_ms(code: str) -> float:
    """Cumulative ``-X importtime`` of the modules imported after ``airflow.sdk`` (ours, mostly)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], check=True, capture_output=True, text=True)
    lines = done.stderr.splitlines()
    last_sdk = max(i for i, line in enumerate(lines) if line.rstrip().endswith("| airflow.sdk"))
    total = 0
    for line in lines[last_sdk + 1 :]:
        parts = line.split("|")
        if len(parts) == 3 and parts[0].startswith("import time:") and parts[0].split(":")[1].strip().isdigit():
            total += int(parts[0].split(":")[1])  # self time in microseconds
    return total / 1000


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--runs", type=int, default=11)
    args = cli.parse_args()
    with_provider = "; ".join([BASELINE, *PROVIDER])
    _time(with_provider)  # warm the OS file caches once
    bare, ours = [], []
    for _ in range(args.runs):
        bare.append(_time(BASELINE))
        ours.append(_time(with_provider))
    b, o = min(bare), min(ours)
    bm, om = statistics.median(bare), statistics.median(ours)
    own = statistics.median(provider_import_ms(with_provider) for _ in range(3))
    print(f"provider: {'; '.join(PROVIDER)}")
    print(f"import airflow.sdk            fastest {b * 1000:7.1f} ms, median {bm * 1000:7.1f} ms over {args.runs} runs")
    print(f"  + operators and sensors     fastest {o * 1000:7.1f} ms, median {om * 1000:7.1f} ms")
    print(f"import overhead ratio: {o / b:.3f}x fastest, {om / bm:.3f}x median (goal <= 1.02x)")
    print(f"provider modules' own import time (-X importtime): {own:.1f} ms = {1 + own / 1000 / bm:.3f}x")
    emit(
        args,
        {
            "id": "P4",
            "value": round(o / b, 3),
            "goal": "<= 1.02x",
            "met": o / b <= 1.02,
            "detail": f"fastest {o * 1000:.0f} vs {b * 1000:.0f} ms; medians {om / bm:.3f}x (of {args.runs}); "
            f"own import time {own:.1f} ms = {1 + own / 1000 / bm:.3f}x",
        },
    )


if __name__ == "__main__":
    main()

"""P1: token refreshes for 50 tasks starting together over 4 worker processes (goal: 1).

Worker processes are spawned fresh, like Airflow task processes, and share only the token cache
directory; each runs its share of the tasks as threads, every task building its own hook and
making one call (``tests/support/token_burst.py``). Side by side: the default file cache (one refresh
for the host) and ``auth_cache=memory`` (one refresh per process). A second burst after the
emulator expired every token shows one refresh per token lifetime. Prints; asserts nothing.

    .venv/bin/python benchmarks/token_refresh.py [--tasks 50] [--processes 4]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from bench_common import emit, isolate_airflow, local_emulator_info, parser, use_connection

# token_burst is a test helper kept out of the wheel (tests/support/): make <repo>/tests importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def burst(emulator: object, cache: str, tasks: int, processes: int) -> tuple[int, int, int, float]:
    """(grants after the first burst, grants after a burst with every token expired, failures, seconds)."""
    from support.token_burst import token_burst

    info = local_emulator_info(emulator)
    conn = use_connection(info, auth_cache=cache)
    env = {
        f"AIRFLOW_CONN_{conn.upper()}": os.environ[f"AIRFLOW_CONN_{conn.upper()}"],
        "ZOHO_CRM_TOKEN_CACHE_DIR": os.path.join(tempfile.mkdtemp(prefix="zohocrm-bench-p1-"), "tokens"),
        "AIRFLOW_HOME": os.environ["AIRFLOW_HOME"],
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
    first: list[int] = []

    def expire(_: int) -> None:
        first.append(emulator.stats()["token_grants"])  # type: ignore[attr-defined]
        emulator.expire_tokens()  # type: ignore[attr-defined]

    rounds = token_burst(env, tasks=tasks, processes=processes, rounds=2, between=expire, timeout=120)
    failures = sum(len(r.errors) for r in rounds)
    return first[0], emulator.stats()["token_grants"], failures, rounds[0].seconds  # type: ignore[attr-defined]


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--tasks", type=int, default=50)
    cli.add_argument("--processes", type=int, default=4)
    args = cli.parse_args()
    isolate_airflow()
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

    results = {}
    for cache in ("file", "memory"):
        # Latency keeps the first refresh in flight while the rest arrive; no 429s in the way.
        with ZohoCRMEmulator(latency_ms=50, concurrency_limit=100) as emulator:
            results[cache] = burst(emulator, cache, args.tasks, args.processes)
    file_first, file_total, file_failures, seconds = results["file"]
    memory_first, _, memory_failures, _ = results["memory"]
    print(f"{args.tasks} tasks over {args.processes} spawned processes, one call each ({seconds:.1f} s for the burst)")
    print(f"auth_cache=file   : {file_first} refresh(es) (goal 1); {file_total - file_first} more after expiry")
    print(f"auth_cache=memory : {memory_first} refresh(es) (one per process)")
    print(f"failed calls       : {file_failures + memory_failures}")
    emit(
        args,
        {
            "id": "P1",
            "value": file_first,
            "goal": "1",
            "met": file_first == 1 and file_total - file_first == 1 and file_failures == 0,
            "detail": f"{file_first} refresh for {args.tasks} tasks/{args.processes} processes; "
            f"{file_total - file_first} after expiry; memory-only cache: {memory_first}",
        },
    )


if __name__ == "__main__":
    main()

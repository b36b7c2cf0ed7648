"""Many tasks asking for a Zoho token at once, from several processes: the deployment-scale check.

Zoho lets a refresh token mint 10 access tokens per 10 minutes, and a burst of Airflow tasks starts
many fresh processes at the same moment. ``token_burst`` reproduces that on one host: worker
processes started with ``spawn`` (a fresh interpreter, like a task process) import the hook, wait
on a barrier with the parent, then start their threads together behind a second barrier; each
thread builds its own ``ZohoCRMHook`` and makes one call, as one task would. Rounds let the caller
change the world in between (expire every token, advance the clock) with the same processes.

Used by ``tests/integration/test_token_sharing.py`` and ``benchmarks/token_refresh.py``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BurstRound:
    """One round's outcome over all processes: calls that succeeded, errors, wall time."""

    ok: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def split(tasks: int, processes: int) -> list[int]:
    """``tasks`` spread as evenly as possible over ``processes`` (50 over 4: 13, 13, 12, 12)."""
    if tasks < 1 or processes < 1:
        raise ValueError("tasks and processes must be >= 1")
    base, extra = divmod(tasks, processes)
    counts = [base + (1 if i < extra else 0) for i in range(processes)]
    return [count for count in counts if count]


def _task(hook_class: Any, gate: threading.Barrier, outcomes: list[str | None], timeout: float) -> None:
    try:
        gate.wait(timeout)
        hook_class(max_attempts=3).get_cadences()
        outcomes.append(None)
    except BaseException as exc:  # reported to the parent, never raised in a thread
        outcomes.append(f"{type(exc).__name__}: {exc}")


def _worker(env: dict[str, str], threads: int, rounds: int, start: Any, results: Any, timeout: float) -> None:
    """One worker process: import the hook, then per round start ``threads`` tasks together."""
    os.environ.update(env)
    try:
        from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
    except BaseException as exc:
        for number in range(rounds):
            results.put((number, [f"import failed: {type(exc).__name__}: {exc}"] * threads, 0.0))
        return
    for number in range(rounds):
        start.wait(timeout)
        gate = threading.Barrier(threads)
        outcomes: list[str | None] = []
        started = time.monotonic()
        workers = [
            threading.Thread(target=_task, args=(ZohoCRMHook, gate, outcomes, timeout), daemon=True)
            for _ in range(threads)
        ]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout)
        missing = threads - len(outcomes)
        results.put((number, [*outcomes, *["no answer within the timeout"] * missing], time.monotonic() - started))


def token_burst(
    env: Mapping[str, str],
    *,
    tasks: int = 50,
    processes: int = 4,
    rounds: int = 1,
    between: Callable[[int], None] | None = None,
    timeout: float = 120.0,
) -> list[BurstRound]:
    """Run ``rounds`` bursts of ``tasks`` hook calls over ``processes`` spawned processes.

    ``env`` is applied in each worker before Airflow is imported: the connection
    (``AIRFLOW_CONN_ZOHO_CRM_DEFAULT``) and ``ZOHO_CRM_TOKEN_CACHE_DIR`` at least.
    ``between(round_number)`` runs in the caller after each round but the last. Every wait is
    bounded by ``timeout``; workers still alive at the end are terminated.
    """
    context = multiprocessing.get_context("spawn")
    counts = split(tasks, processes)
    start = context.Barrier(len(counts) + 1)
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(dict(env), count, rounds, start, results, timeout), daemon=True)
        for count in counts
    ]
    outcome: list[BurstRound] = []
    try:
        for process in workers:
            process.start()
        for number in range(rounds):
            start.wait(timeout)  # every worker has imported the hook: the round starts now
            burst = BurstRound()
            for _ in workers:
                got_round, answers, seconds = results.get(timeout=timeout)
                assert got_round == number, (got_round, number)
                burst.ok += sum(answer is None for answer in answers)
                burst.errors += [answer for answer in answers if answer is not None]
                burst.seconds = max(burst.seconds, seconds)
            outcome.append(burst)
            if between is not None and number < rounds - 1:
                between(number)
        for process in workers:
            process.join(timeout)
    finally:
        for process in workers:
            if process.is_alive():
                process.terminate()
                process.join(5)
        results.close()
    return outcome

"""What the Celery deployment test measured: filled by the tests, printed by ``conftest.pytest_terminal_summary``."""

from __future__ import annotations

# (claim, what, measured, bound or expectation), in the order measured. Claims, as in the test's docstring:
# 1 one token for the deployment, 2 calls in flight within the edition, 3 a worker dies, 4 deferral.
RESULTS: list[tuple[str, str, str, str]] = []
TIMINGS: dict[str, float] = {}


def record(claim: int, what: str, value: object, bound: str = "") -> None:
    RESULTS.append((f"{claim}.", what, str(value), bound))

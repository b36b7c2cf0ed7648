"""API limits: in-flight requests per credential and the rolling 24-hour credit allowance.

Neither class locks: the emulator calls them under its state lock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

CREDIT_WINDOW_SECONDS = 24 * 3600
_BUCKET_SECONDS = 60


class ConcurrencyGate:
    """Counts requests in flight per credential (refresh token) and remembers the peak.

    The peak is the most calls one credential had in flight at once since construction or the
    last ``reset_peak()``. Calls refused by the limit (429) never count, so the peak alone cannot
    exceed the limit: read it with the number of 429s (``responses_429`` in the stats).
    """

    def __init__(self) -> None:
        self._in_flight: dict[str, int] = {}
        self.peak = 0

    def try_enter(self, credential: str, limit: int) -> bool:
        current = self._in_flight.get(credential, 0)
        if current >= limit:
            return False
        self._in_flight[credential] = current + 1
        self.peak = max(self.peak, current + 1)
        return True

    def leave(self, credential: str) -> None:
        remaining = self._in_flight.get(credential, 0) - 1
        if remaining > 0:
            self._in_flight[credential] = remaining
        else:
            self._in_flight.pop(credential, None)

    @property
    def in_flight(self) -> int:
        return sum(self._in_flight.values())

    def reset_peak(self) -> int:
        """Start a new measurement: the peak becomes the calls in flight now; returns the old peak."""
        previous = self.peak
        self.peak = max(self._in_flight.values(), default=0)
        return previous


class CreditMeter:
    """One credit per API call over a rolling 24 h.

    Credits are kept in one-minute buckets so memory stays flat under heavy load; a bucket is
    released once its newest possible credit is 24 h old, i.e. up to a minute late (conservative).
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._buckets: deque[list[int]] = deque()  # [minute, credits]
        self._used = 0

    def used(self) -> int:
        self._expire()
        return self._used

    def try_spend(self, allowance: int | None) -> bool:
        if allowance is not None and self.used() >= allowance:
            return False
        minute = int(self._clock() // _BUCKET_SECONDS)
        if self._buckets and self._buckets[-1][0] == minute:
            self._buckets[-1][1] += 1
        else:
            self._buckets.append([minute, 1])
        self._used += 1
        return True

    def _expire(self) -> None:
        now = self._clock()
        while self._buckets and (self._buckets[0][0] + 1) * _BUCKET_SECONDS + CREDIT_WINDOW_SECONDS <= now:
            self._used -= self._buckets.popleft()[1]

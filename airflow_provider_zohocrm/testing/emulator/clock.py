"""An adjustable clock: wall time plus an offset, so tests jump past expiries instead of sleeping."""

from __future__ import annotations

import threading
import time


class Clock:
    """``now()`` is ``time.time()`` shifted by every ``advance()`` since the last ``reset()``."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward (never back: expiries and rolling windows assume monotonic time)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    @property
    def offset(self) -> float:
        return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

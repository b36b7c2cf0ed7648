"""A bounded record of the requests the emulator answered, safe to print in test failures.

Secrets never enter it: the ``Authorization`` header is reduced to a boolean ``authorized``,
credential-bearing parameters are masked, and any string containing a known secret (client
secret, refresh tokens) is masked wherever it appears.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
_SECRET_PARAMS = frozenset({"client_secret", "refresh_token", "access_token", "code", "token"})
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
DEFAULT_LIMIT = 10_000


class Journal:
    """The last ``limit`` entries; each gets an increasing ``seq`` so readers can poll ``since``."""

    def __init__(self, secrets: Iterable[str], limit: int = DEFAULT_LIMIT) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._secrets = tuple(s for s in secrets if s)
        self._seq = 0
        self._lock = threading.Lock()

    def record(
        self,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        **outcome: Any,
    ) -> None:
        """Store one request; ``outcome`` carries status, timestamp, duration_ms, fault, error."""
        entry = {
            "method": method,
            "path": path,
            "query": _mask_params(query),
            "json": json_body,
            "form": _mask_params(form) if form is not None else None,
            "headers": {k: v for k, v in headers.items() if k.lower() not in _SECRET_HEADERS},
            "authorized": any(k.lower() == "authorization" for k in headers),
            **outcome,
        }
        entry = self._scrub(entry)
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        """Entries with ``seq`` greater than ``since`` (pass the last ``seq`` you have seen)."""
        with self._lock:
            return [entry for entry in self._entries if entry["seq"] > since]

    @property
    def last_seq(self) -> int:
        return self._seq

    def clear(self) -> int:
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            return count

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {self._scrub(k): self._scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub(v) for v in value]
        return value


def _mask_params(params: Mapping[str, str]) -> dict[str, str]:
    return {k: REDACTED if k.lower() in _SECRET_PARAMS else v for k, v in params.items()}

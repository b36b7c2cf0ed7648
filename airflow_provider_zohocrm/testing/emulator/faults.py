"""Scripted faults: make the next matching requests fail the way real networks and servers do.

A fault matches on method (or ``*``) and path (``path`` prefix and/or ``path_regex``), fires for
``count`` matching requests (unlimited when ``count`` is null) with ``probability`` drawn from
a RNG seeded per fault, so fault-suite runs are reproducible. Kinds:

- ``status``: answer ``status`` (500 INTERNAL_ERROR envelope, 502/503/504 an HTML page, 429
  TOO_MANY_REQUESTS, optionally with ``Retry-After: retry_after``); ``body`` overrides the body.
- ``reset``: close the connection without answering (the client sees a connection error).
- ``hang``: hold the request ``hang_seconds``, then close without answering (client timeout).
- ``invalidate_token``: kill the request's access token and answer 401 with the configured
  ``dead_token_code`` (INVALID_TOKEN by default).
- ``drop_after``: process the request (state changes), then close without answering: the lost
  response of a write that took effect, which a client must not blindly repeat.
- ``fail_after``: process the request, then answer ``status`` (5xx, default 502) instead: a
  gateway that timed out on a backend which finished the work.

Not thread-safe on its own: the emulator calls it under its state lock.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Mapping
from typing import Any

KINDS = ("status", "reset", "hang", "invalidate_token", "drop_after", "fail_after")
# Kinds that let the request reach the store before the client loses (or is lied to about) the answer.
AFTER_KINDS = frozenset({"drop_after", "fail_after"})
_SPEC_KEYS = {
    "kind", "method", "path", "path_regex", "status", "count", "probability", "retry_after",
    "hang_seconds", "body", "seed",
}  # fmt: skip
_ENVELOPES = {
    400: ("INVALID_DATA", "invalid data"),
    401: ("INVALID_TOKEN", "invalid oauth token"),
    403: ("NO_PERMISSION", "permission denied"),
    404: ("INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one"),
    429: ("TOO_MANY_REQUESTS", "Rate limit exceeded. Please retry after the specified time."),
    500: ("INTERNAL_ERROR", "Internal Server Error"),
}
_HTML_REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


@dataclasses.dataclass
class Fault:
    id: int
    kind: str
    method: str = "*"
    path: str = ""
    path_regex: str | None = None
    status: int | None = None
    count: int | None = 1
    probability: float = 1.0
    retry_after: float | None = None
    hang_seconds: float = 10.0
    body: Any = None
    seed: int = 0
    fired: int = 0
    _pattern: re.Pattern[str] | None = dataclasses.field(default=None, repr=False)
    _rng: random.Random = dataclasses.field(default_factory=random.Random, repr=False)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], fault_id: int) -> Fault:
        """Validate a control-API fault spec; ``ValueError`` says what is wrong."""
        unknown = set(spec) - _SPEC_KEYS
        if unknown:
            raise ValueError(f"unknown fault keys {sorted(unknown)}")
        kind = spec.get("kind") or "status"
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        status = spec.get("status")
        if kind == "status" and not (isinstance(status, int) and 400 <= status <= 599):
            raise ValueError("a status fault needs an integer status between 400 and 599")
        if kind == "fail_after":
            status = 502 if status is None else status
            if not (isinstance(status, int) and 500 <= status <= 599):
                raise ValueError("a fail_after fault needs an integer status between 500 and 599")
        probability = float(spec.get("probability", 1.0))
        if not 0.0 < probability <= 1.0:
            raise ValueError("probability must be in (0, 1]")
        count = spec.get("count", 1 if "probability" not in spec else None)
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError("count must be null (unlimited) or an integer >= 1")
        retry_after = spec.get("retry_after")
        if retry_after is not None and (not isinstance(retry_after, (int, float)) or retry_after < 0):
            raise ValueError("retry_after must be a number of seconds >= 0")
        regex = spec.get("path_regex")
        try:
            pattern = re.compile(regex) if regex else None
        except re.error as exc:
            raise ValueError(f"path_regex does not compile: {exc}") from None
        seed = int(spec.get("seed", 0))
        return cls(
            id=fault_id,
            kind=kind,
            method=str(spec.get("method", "*")).upper(),
            path=str(spec.get("path", "")),
            path_regex=regex,
            status=status,
            count=count,
            probability=probability,
            retry_after=retry_after,
            hang_seconds=float(spec.get("hang_seconds", 10.0)),
            body=spec.get("body"),
            seed=seed,
            _pattern=pattern,
            _rng=random.Random(seed),
        )

    def matches(self, method: str, path: str) -> bool:
        return (
            (self.method == "*" or self.method == method)
            and path.startswith(self.path)
            and (self._pattern is None or self._pattern.search(path) is not None)
        )

    def response(self) -> tuple[int, dict[str, str], bytes | dict[str, Any]]:
        """Status, extra headers and body (bytes for HTML, a dict for JSON) of a status fault."""
        status = self.status or 500
        headers = {} if self.retry_after is None else {"Retry-After": _header_number(self.retry_after)}
        if isinstance(self.body, dict):
            return status, headers, self.body
        if self.body is not None:
            return status, {**headers, "Content-Type": "text/plain"}, str(self.body).encode()
        if status in _HTML_REASONS:
            reason = _HTML_REASONS[status]
            page = f"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>"
            return status, {**headers, "Content-Type": "text/html"}, page.encode()
        fallback = (
            ("INTERNAL_ERROR", "Internal Server Error") if status >= 500 else ("INVALID_REQUEST", "invalid request")
        )
        code, message = _ENVELOPES.get(status, fallback)
        return status, headers, {"code": code, "details": {}, "message": message, "status": "error"}

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if not f.name.startswith("_")}


class FaultPlan:
    """The scripted faults, consulted in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1
        self.fired = 0

    def add(self, spec: Mapping[str, Any]) -> Fault:
        fault = Fault.from_spec(spec, self._next_id)
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault that fires for this request; spent faults are dropped."""
        for fault in self._faults:
            if not fault.matches(method, path):
                continue
            if fault.probability < 1.0 and fault._rng.random() >= fault.probability:
                continue
            fault.fired += 1
            self.fired += 1
            if fault.count is not None and fault.fired >= fault.count:
                self._faults.remove(fault)
            return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        return [fault.to_dict() for fault in self._faults]


def _header_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)

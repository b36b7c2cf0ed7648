"""Invalid inputs still mishandled by modules outside the validation gate's own files, by owner.

Each ``Pending`` names the file whose fix is due, the entry points and parameter it affects, and
which values (``match``; ``None``: every invalid value of the parameter). The property tests keep
these values out of the properties that must hold now, and run them in strict ``xfail`` tests of
their own: the moment the owner's fix lands the xfail passes, fails the run, and the owner deletes
the rule here. The census prints the owner next to each failure it explains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pending:
    owner: str  # the file the fix belongs in
    reason: str
    entries: tuple[str, ...]  # entry point names (EntryPoint.name)
    param: str
    match: Callable[[Any], bool] | None = None  # None: every invalid value of the parameter

    def covers(self, entry: str, param: str, value: Any) -> bool:
        return entry in self.entries and param == self.param and (self.match is None or self.match(value))


def _long_path(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) > 1000
        and all(
            part and part.replace("_", "").replace("-", "").isalnum() and part.isascii() for part in value.split("/")
        )
    )


REQUEST = ("client.request", "hook.request")
TRANSPORT = "airflow_provider_zohocrm/transport.py"

PENDING: tuple[Pending, ...] = (
    # transport.py: ZohoTransport.request should start with validation.check_request_args.
    Pending(TRANSPORT, "method: AttributeError on non-text, errors without the parameter name", REQUEST, "method"),
    Pending(TRANSPORT, "path: an over-long path is sent", REQUEST, "path", _long_path),
    Pending(TRANSPORT, "params: anything requests can encode is sent, the rest raises TypeError", REQUEST, "params"),
    Pending(
        TRANSPORT,
        "json: NaN retried as a transport error, other non-JSON raises TypeError after sending",
        REQUEST,
        "json",
    ),
    Pending(TRANSPORT, "retry: any truthy value retries", REQUEST, "retry"),
)


def owner_of(entry: str, param: str, value: Any) -> Pending | None:
    """The pending fix that explains a failure of ``entry`` with ``param=value``, if any."""
    return next((rule for rule in PENDING if rule.covers(entry, param, value)), None)


def whole_params(entry: str) -> set[str]:
    """Parameters of ``entry`` whose every invalid value waits for another file's fix."""
    return {rule.param for rule in PENDING if entry in rule.entries and rule.match is None}

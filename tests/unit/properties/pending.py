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


# Every invalid input the properties generate is refused today; a fix that is due goes here.
PENDING: tuple[Pending, ...] = ()


def owner_of(entry: str, param: str, value: Any) -> Pending | None:
    """The pending fix that explains a failure of ``entry`` with ``param=value``, if any."""
    return next((rule for rule in PENDING if rule.covers(entry, param, value)), None)


def whole_params(entry: str) -> set[str]:
    """Parameters of ``entry`` whose every invalid value waits for another file's fix."""
    return {rule.param for rule in PENDING if entry in rule.entries and rule.match is None}

"""Invalid inputs that still fail the property because of a file outside the validation gate's own.

One strict ``xfail`` per rule of ``pending.py``, each naming the file its fix belongs in: it fails
today (so the xfail holds), and passes the moment that fix lands, which turns the strict xfail into
a failure: the owner then deletes the rule from ``pending.py``, and the values join the properties
of ``test_invalid_*``. Every rule draws only values it covers, so each example shows the gap.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .checks import BY_NAME, assert_rejected_before_any_request
from .pending import PENDING, Pending
from .strategies import PENDING as PENDING_SETTINGS
from .strategies import Shown, values


def pending_values(rule: Pending) -> st.SearchStrategy[tuple[str, Shown]]:
    """``(entry name, value)`` pairs the rule covers: its corpus values, or every invalid value."""

    def of(name: str) -> st.SearchStrategy[tuple[str, Shown]]:
        entry = BY_NAME[name]
        if rule.match is None:
            return st.tuples(st.just(name), values(entry, rule.param))
        covered = [Shown(value) for value in entry.params[rule.param] if rule.match(value)]
        assert covered, f"no corpus value of {name}.{rule.param} shows: {rule.reason}"
        return st.tuples(st.just(name), st.sampled_from(covered))

    return st.sampled_from(rule.entries).flatmap(of)


CASES = [
    pytest.param(
        rule,
        marks=pytest.mark.xfail(strict=True, reason=f"fix due in {rule.owner}: {rule.reason}"),
        id=f"{rule.owner.rsplit('/', 1)[-1]}:{rule.param}:{index}",
    )
    for index, rule in enumerate(PENDING)
]


@pytest.fixture
def offline(
    zoho_conn: str, requests_mock: Any, recorded_sleeps: list[float], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Any:
    monkeypatch.chdir(tmp_path)
    return requests_mock


if CASES:  # with no fix due, there is nothing to run (and no empty-parameter skip to report)

    @pytest.mark.parametrize("rule", CASES)
    @PENDING_SETTINGS
    @given(data=st.data())
    def test_pending_fix(rule: Pending, data: Any, offline: Any):
        name, shown = data.draw(pending_values(rule), label="input")
        assert_rejected_before_any_request(BY_NAME[name], rule.param, shown.value, lambda: len(offline.request_history))


def test_every_pending_rule_names_an_owner_file() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    assert all((root / rule.owner).is_file() for rule in PENDING)

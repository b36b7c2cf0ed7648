"""Property: any invalid input to an operator or a sensor fails with ``ZohoCRMValidationError``
naming the parameter, before a single request (token requests included; ``requests_mock`` answers
nothing, so anything sent would show in its history).

Inputs are the fixed corpus (``corpus.py``) and generated values of the parameter's kind
(``strategies.py``), text as a template renders it included; values a pending fix of another file
is due for run in ``test_pending_fixes.py`` instead.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .checks import assert_rejected_before_any_request, entries
from .entry_points import EntryPoint
from .strategies import PROPERTY, invalid_inputs


@pytest.fixture
def offline(
    zoho_conn: str, requests_mock: Any, recorded_sleeps: list[float], monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> Any:
    """The default connection (us, production), no Zoho answering, and relative paths under ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    return requests_mock


@pytest.mark.parametrize("entry", entries("operator", "sensor"), ids=lambda entry: entry.name)
@PROPERTY
@given(data=st.data())
def test_operators_and_sensors_reject_invalid_inputs_before_any_request(entry: EntryPoint, data: Any, offline: Any):
    param, value = data.draw(invalid_inputs(entry), label="input")
    assert_rejected_before_any_request(entry, param, value.value, lambda: len(offline.request_history))

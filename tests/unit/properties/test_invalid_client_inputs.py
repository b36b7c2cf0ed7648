"""Property: any invalid input to a ``ZohoCRMClient`` family method, a hook method, the hook's own
arguments or ``request`` fails with ``ZohoCRMValidationError`` naming the parameter, before a single
request (token requests included; ``requests_mock`` answers nothing).

The hook's call methods are the client's (``hook.get_workflow_rules`` is
``client.workflow_rules.list_all``); both spellings are exercised. Values a pending fix of another
file is due for run in ``test_pending_fixes.py`` instead.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .checks import assert_rejected_before_any_request, entries
from .entry_points import EntryPoint
from .pending import whole_params
from .strategies import PROPERTY, invalid_inputs

TESTED = [entry for entry in entries("client", "hook") if set(entry.params) - whole_params(entry.name)]


@pytest.mark.parametrize("entry", TESTED, ids=lambda entry: entry.name)
@PROPERTY
@given(data=st.data())
def test_client_and_hook_reject_invalid_inputs_before_any_request(
    entry: EntryPoint, data: Any, zoho_conn: str, requests_mock: Any, recorded_sleeps: list[float]
):
    param, value = data.draw(invalid_inputs(entry), label="input")
    assert_rejected_before_any_request(entry, param, value.value, lambda: len(requests_mock.request_history))

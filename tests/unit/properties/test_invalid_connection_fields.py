"""Property: any invalid connection field (login, password, every extra, the hook's overrides)
fails ``settings_from_mapping`` with ``ZohoCRMConnectionConfigError`` naming the field.

Strings that mean "unset" (``None`` and ``""`` for an extra) are not invalid and never drawn.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

from .checks import entries
from .entry_points import EntryPoint, outcome
from .strategies import PROPERTY, invalid_inputs


@pytest.mark.parametrize("entry", entries("connection"), ids=lambda entry: entry.name)
@PROPERTY
@given(data=st.data())
def test_invalid_connection_fields_are_config_errors_naming_the_field(entry: EntryPoint, data: Any):
    param, shown = data.draw(invalid_inputs(entry), label="input")
    kind, exc = outcome(entry, param, shown.value)
    assert kind == "named", f"{entry.name}: {param}={shown!r}: {kind}: {exc!r}"
    assert isinstance(exc, ZohoCRMConnectionConfigError)

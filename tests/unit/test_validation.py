"""Ids and module names are checked before anything is sent (API paths: ``test_transport.py``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import validate_id, validate_module

BAD_IDS = ["12a", "../x", "1/2", "", " 1", "1 ", "123\n", "-5", "+5", "1e5", "1" * 31, None, True, False, 1.5, 0, -3]
BAD_IDS += [[1], b"123", "١٢٣"]
BAD_MODULES = ["Leads;drop", "Le ads", "", None, True, 1, "1Leads", "_Leads", "Leads/1", "../Leads", "Leads\n"]
BAD_MODULES += ["Leads?x=1", "Lead-s", "A" * 101, ["Leads"], "Léads"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "1"), ("4876876000011150005", "4876876000011150005"), (42, "42"), ("1" * 30, "1" * 30)],
)
def test_validate_id_accepts(value, expected):
    assert validate_id(value, "rule_id") == expected


@pytest.mark.parametrize("value", BAD_IDS, ids=repr)
def test_validate_id_rejects(value):
    with pytest.raises(ZohoCRMValidationError) as info:
        validate_id(value, "rule_id")
    assert info.value.json_path == "rule_id"
    assert "rule_id must be a Zoho id" in str(info.value)


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_any_digit_string_is_an_id(value):
    assert validate_id(value, "id") == value


@given(st.text(min_size=1, max_size=40).filter(lambda s: not (s.isascii() and s.isdigit())))
def test_anything_else_is_not_an_id(value):
    with pytest.raises(ZohoCRMValidationError):
        validate_id(value, "id")


@pytest.mark.parametrize("value", ["Leads", "Deals", "Custom_Module1", "a", "A" * 100])
def test_validate_module_accepts(value):
    assert validate_module(value) == value


@pytest.mark.parametrize("value", BAD_MODULES, ids=repr)
def test_validate_module_rejects(value):
    with pytest.raises(ZohoCRMValidationError) as info:
        validate_module(value)
    assert info.value.json_path == "module"


def test_validate_module_names_the_parameter():
    with pytest.raises(ZohoCRMValidationError, match="trigger_module must be a module API name"):
        validate_module("x y", "trigger_module")


def test_long_values_are_truncated_in_messages():
    with pytest.raises(ZohoCRMValidationError) as info:
        validate_id("x" * 500, "id")
    assert "x" * 100 not in str(info.value)
    assert "..." in str(info.value)

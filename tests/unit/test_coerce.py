"""Rendered template text into typed values: to_bool, to_int, to_structured, to_list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_zohocrm.coerce import is_structured_text, to_bool, to_int, to_list, to_structured
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import validate_modules

from .automation.model import SMALL_SNAPSHOT


def rejection(convert: Any, value: Any, param: str) -> ZohoCRMValidationError:
    with pytest.raises(ZohoCRMValidationError) as info:
        convert(value, param)
    return info.value


# --- to_bool ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("False", False), (" TRUE ", True), ("\tfalse\n", False)],
)
def test_to_bool_accepts_bools_and_their_rendered_text(value: Any, expected: bool) -> None:
    assert to_bool(value, "fail_on_error") is expected


@pytest.mark.parametrize("value", ["maybe", "", "yes", "1", "0", "t", 1, 0, None, 1.0, ["true"]], ids=repr)
def test_to_bool_refuses_anything_else_naming_the_parameter(value: Any) -> None:
    error = rejection(to_bool, value, "fail_on_error")
    assert error.json_path == "fail_on_error"
    assert str(error).startswith("fail_on_error must be true or false; got ")
    assert repr(value) in str(error)


def test_to_bool_shortens_a_long_value_in_its_message() -> None:
    error = rejection(to_bool, "x" * 500, "dry_run")
    assert "x" * 100 not in str(error)
    assert "..." in str(error)


# --- to_int -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [("8", 8), (" 25 ", 25), ("0", 0), ("007", 7)])
def test_to_int_turns_rendered_whole_numbers_into_ints(value: str, expected: int) -> None:
    assert to_int(value, "max_workers") == expected


@pytest.mark.parametrize("value", [8, 0, -3, 2.5, None, True, "many", "", "-3", "2.5", "1e3"], ids=repr)
def test_to_int_leaves_everything_else_for_the_receiver_to_check(value: Any) -> None:
    assert to_int(value, "max_workers") is value


# --- to_structured ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", [json.dumps(SMALL_SNAPSHOT), str(SMALL_SNAPSHOT), "  " + json.dumps(SMALL_SNAPSHOT, indent=2)]
)
def test_rendered_json_or_python_repr_text_parses(text: str) -> None:
    assert to_structured(text, "snapshot") == SMALL_SNAPSHOT


def test_values_that_are_not_rendered_structures_pass_through() -> None:
    assert to_structured(SMALL_SNAPSHOT, "snapshot") is SMALL_SNAPSHOT
    assert to_structured("/tmp/snapshot.json", "snapshot") == "/tmp/snapshot.json"
    assert to_structured(None, "include") is None


def test_text_that_is_neither_json_nor_a_literal_is_refused() -> None:
    with pytest.raises(ZohoCRMValidationError, match="neither JSON nor a Python literal") as info:
        to_structured("{'a': open('x')}", "snapshot")
    assert info.value.json_path == "snapshot"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["Leads", "Contacts"]', ["Leads", "Contacts"]),
        ("['Leads', 'Contacts']", ["Leads", "Contacts"]),
        ('{"rule_ids": ["11"]}', {"rule_ids": ["11"]}),
        ("{'rule_ids': ('11',), 'names': None}", {"rule_ids": ("11",), "names": None}),
        ("\n [1, 2.5, true, null]", [1, 2.5, True, None]),
        ("[]", []),
        ("{}", {}),
    ],
)
def test_to_structured_reads_json_first_then_a_python_literal(text: str, expected: Any) -> None:
    assert to_structured(text, "include") == expected


@pytest.mark.parametrize("value", [[1], {"a": 1}, ("a",), 3, True, "Leads", "a, b", "", "/tmp/x.json"], ids=repr)
def test_to_structured_returns_other_values_themselves(value: Any) -> None:
    assert to_structured(value, "include") is value


@pytest.mark.parametrize("text", ["[1, 2", "{'a': 1", "[Leads]", "{'a': __import__('os')}", "[1] + [2]"], ids=repr)
def test_to_structured_refuses_unreadable_text_naming_the_parameter(text: str) -> None:
    error = rejection(to_structured, text, "exclude")
    assert error.json_path == "exclude"
    assert str(error).startswith("exclude is text that is neither JSON nor a Python literal")


@pytest.mark.parametrize(
    ("value", "expected"), [("[1]", True), (" {", True), ("Leads", False), ("", False), (["[1]"], False), (None, False)]
)
def test_structured_text_starts_with_a_bracket_or_brace(value: Any, expected: bool) -> None:
    assert is_structured_text(value) is expected


# --- to_list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["1", "2"]', ["1", "2"]),
        ("['1', '2']", ["1", "2"]),
        ("[1, 2]", [1, 2]),
        ("1, 2", ["1", "2"]),
        ("1 2", ["1", "2"]),
        (" 1,2 ,\n3\t4 ", ["1", "2", "3", "4"]),
        ("1", ["1"]),
        ("[]", []),
    ],
)
def test_to_list_reads_rendered_lists_and_separated_text(text: str, expected: list[Any]) -> None:
    assert to_list(text, "record_ids") == expected


def test_as_id_list_leaves_non_strings_alone():
    values = ["1"]
    assert to_list(values, "record_ids") is values
    assert to_list([], "record_ids") == []


@pytest.mark.parametrize("text", ["", " ", " , ", ",\n,"], ids=repr)
def test_to_list_refuses_text_that_names_nothing(text: str) -> None:
    error = rejection(to_list, text, "record_ids")
    assert error.json_path == "record_ids"
    assert "names nothing" in str(error)


@pytest.mark.parametrize("value", [("1", 2), {"a": 1}, 3, None, b"1, 2"], ids=repr)
def test_to_list_returns_values_that_are_not_text_themselves(value: Any) -> None:
    assert to_list(value, "record_ids") is value


def test_to_list_leaves_an_iterator_unread() -> None:
    ids = iter(["1", "2"])
    assert to_list(ids, "record_ids") is ids
    assert list(ids) == ["1", "2"]


@pytest.mark.parametrize("text", ["[1, 2", '{"a": 1}', "{'a': 1}", "[1] + [2]", "{x}"], ids=repr)
def test_to_list_refuses_text_that_is_not_a_list_naming_the_parameter(text: str) -> None:
    error = rejection(to_list, text, "record_ids")
    assert error.json_path == "record_ids"
    assert str(error).startswith(f"record_ids is a string that is not a list: {text!r}")


# --- what the automation operators do with ``modules`` ------------------------------------------


def module_names(value: object) -> list[str]:
    """What the automation operators do with their ``modules`` argument."""
    return validate_modules(to_list(value, "modules"), "modules")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["Leads", "Contacts"], ["Leads", "Contacts"]),
        ('["Leads", "Contacts", "Leads"]', ["Leads", "Contacts"]),
        ("['Leads']", ["Leads"]),
        ("Leads, Contacts", ["Leads", "Contacts"]),
        ("Deals", ["Deals"]),
    ],
)
def test_module_names_accept_lists_and_their_rendered_text(value: object, expected: list[str]) -> None:
    assert module_names(value) == expected


@pytest.mark.parametrize(
    ("value", "where"), [([], "modules"), ("", "modules"), (["Le ads"], "modules[0]"), (3, "modules")]
)
def test_module_names_refuse_empty_or_invalid(value: object, where: str) -> None:
    with pytest.raises(ZohoCRMValidationError) as info:
        module_names(value)
    assert info.value.json_path == where

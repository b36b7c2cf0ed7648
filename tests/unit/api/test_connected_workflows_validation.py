"""The documented rules of Create Connected Workflow (page 001), checked before any request."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm.api.connected_workflows_validation import (
    NAME_PATTERN,
    create_body,
    same_module,
    validate_description,
    validate_name,
    validate_primary_module,
)
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

GOOD_NAMES = [
    "contacts-process",
    "a",
    "x" * 50,
    "Deals / Q3 | $ ? , ' ! . \\ _ -",
    "Vertriebsprozess für Großkunden",
    "日本語のワークフロー",
    "tab\tand\nnewline",
]
BAD_CHARACTER_NAMES = [
    "a@b",
    "a#b",
    "50%",
    "a&b",
    "(x)",
    "a*b",
    "a+b",
    "a=b",
    "a:b",
    "a;b",
    "<a>",
    "a[b]",
    "{a}",
    "a~b",
]
BAD_CHARACTER_NAMES += ["a`b", 'a"b', "a^b", "a\x1cb", "a\x00b", "a\x7fb"]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names_pass_unchanged(name):
    assert validate_name(name) == name


@pytest.mark.parametrize("name", BAD_CHARACTER_NAMES, ids=repr)
def test_names_outside_the_documented_pattern_fail(name):
    with pytest.raises(ZohoCRMValidationError, match="characters Zoho does not allow") as info:
        validate_name(name)
    assert info.value.code == "INVALID_DATA"
    assert info.value.json_path == "name"


def test_name_of_51_characters_fails_naming_the_limit():
    with pytest.raises(ZohoCRMValidationError, match="51 characters long; Zoho allows at most 50"):
        validate_name("x" * 51)


@pytest.mark.parametrize("name", [None, "", "   ", "\n", " \t\r\x0b\f"], ids=repr)
def test_name_is_required(name):
    with pytest.raises(ZohoCRMValidationError, match="name is required") as info:
        validate_name(name)
    assert info.value.code == "MANDATORY_NOT_FOUND"


@pytest.mark.parametrize("name", [1, ["a"], {"a": 1}, b"abc", True])
def test_name_must_be_a_string(name):
    with pytest.raises(ZohoCRMValidationError, match="name must be a string"):
        validate_name(name)


@given(st.text(alphabet=st.characters(min_codepoint=0x80), min_size=1, max_size=50))
def test_any_non_ascii_text_is_allowed(name):
    # \P{InBasicLatin}: every code point above U+007F.
    assert validate_name(name) == name


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), min_size=1, max_size=50))
def test_ascii_names_follow_the_java_pattern(name):
    allowed = set("0123456789_-\\.|$?,'/! \t\n\x0b\f\r") | {chr(c) for c in range(ord("a"), ord("z") + 1)}
    allowed |= {chr(c) for c in range(ord("A"), ord("Z") + 1)}
    expected_ok = all(ch in allowed for ch in name) and bool(name.strip(" \t\n\x0b\f\r"))
    try:
        validate_name(name)
    except ZohoCRMValidationError:
        assert not expected_ok
    else:
        assert expected_ok


def test_pattern_matches_the_emulator_for_shared_characters():
    from airflow_provider_zohocrm.testing.emulator.connected_workflows import NAME_PATTERN as EMULATOR

    for code in range(0x100):
        ch = chr(code)
        if ch in "\x1c\x1d\x1e\x1f\x85\xa0":  # Python's \s (emulator) vs Java's \s (ours)
            continue
        assert bool(NAME_PATTERN.fullmatch(ch)) == bool(EMULATOR.fullmatch(ch)), repr(ch)


@pytest.mark.parametrize("description", [None, "", "d" * 500, "Ünïcödé ok"])
def test_descriptions_up_to_500_pass(description):
    assert validate_description(description) == description


def test_description_of_501_fails():
    with pytest.raises(ZohoCRMValidationError, match="501 characters long; Zoho allows at most 500") as info:
        validate_description("d" * 501)
    assert info.value.json_path == "description"


@pytest.mark.parametrize("description", [1, ["x"], {"x": 1}])
def test_description_must_be_a_string(description):
    with pytest.raises(ZohoCRMValidationError, match="description must be a string"):
        validate_description(description)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("Contacts", {"api_name": "Contacts"}),
        ({"api_name": "Contacts"}, {"api_name": "Contacts"}),
        ({"id": "4876876000000002179"}, {"id": "4876876000000002179"}),
        ({"id": 4876876000000002179}, {"id": "4876876000000002179"}),
        (
            {"api_name": "Contacts", "id": "4876876000000002179"},
            {"api_name": "Contacts", "id": "4876876000000002179"},
        ),
        ({"api_name": "Contacts", "id": None}, {"api_name": "Contacts"}),
    ],
)
def test_primary_module_forms(module, expected):
    assert validate_primary_module(module) == expected


@pytest.mark.parametrize("module", [{}, {"api_name": None}, {"api_name": None, "id": None}])
def test_primary_module_needs_api_name_or_id(module):
    with pytest.raises(ZohoCRMValidationError, match="needs api_name or id") as info:
        validate_primary_module(module)
    assert info.value.code == "EXPECTED_FIELD_MISSING"


@pytest.mark.parametrize(
    ("module", "where"),
    [
        ("Con tacts", "primary_module"),
        ("", "primary_module"),
        ({"api_name": "Leads/../x"}, "primary_module.api_name"),
        ({"id": "12a"}, "primary_module.id"),
        ({"id": -1}, "primary_module.id"),
        ({"apiname": "Leads"}, "primary_module"),
        (["Leads"], "primary_module"),
        (None, "primary_module"),
        (42, "primary_module"),
    ],
)
def test_bad_primary_modules_fail_naming_where(module, where):
    with pytest.raises(ZohoCRMValidationError) as info:
        validate_primary_module(module)
    assert info.value.json_path == where


def test_create_body_is_the_documented_single_object():
    body = create_body("contacts-process", {"api_name": "Contacts"}, "sample")
    assert body == {
        "connected_workflows": [
            {"name": "contacts-process", "description": "sample", "primary_module": {"api_name": "Contacts"}}
        ]
    }
    assert "description" not in create_body("x", "Leads")["connected_workflows"][0]


def test_same_module_matches_by_id_or_case_insensitive_name():
    listed = {"api_name": "Contacts", "id": "4876876000000002179"}
    assert same_module({"api_name": "contacts"}, listed)
    assert same_module({"id": "4876876000000002179"}, listed)
    assert not same_module({"api_name": "Leads"}, listed)
    assert not same_module({"id": "1"}, listed)
    assert not same_module({"api_name": "Leads"}, None)

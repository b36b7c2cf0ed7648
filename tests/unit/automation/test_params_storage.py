"""Inputs rendered as text, and snapshot documents on local paths and ObjectStoragePath URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_zohocrm.automation.storage import load_snapshot, read_document, write_document
from airflow_provider_zohocrm.coerce import to_list
from airflow_provider_zohocrm.coerce import to_structured as parse_structured
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import validate_modules

from .model import doc, rule, workflow


def module_names(value: object) -> list[str]:
    """What the automation operators do with their ``modules`` argument."""
    return validate_modules(to_list(value, "modules"), "modules")


SNAPSHOT = doc({"Leads": [rule("11"), rule("12", active=False)]}, [workflow("91")])


@pytest.mark.parametrize("text", [json.dumps(SNAPSHOT), str(SNAPSHOT), "  " + json.dumps(SNAPSHOT, indent=2)])
def test_rendered_json_or_python_repr_text_parses(text: str) -> None:
    assert parse_structured(text, "snapshot") == SNAPSHOT


def test_values_that_are_not_rendered_structures_pass_through() -> None:
    assert parse_structured(SNAPSHOT, "snapshot") is SNAPSHOT
    assert parse_structured("/tmp/snapshot.json", "snapshot") == "/tmp/snapshot.json"
    assert parse_structured(None, "include") is None


def test_text_that_is_neither_json_nor_a_literal_is_refused() -> None:
    with pytest.raises(ZohoCRMValidationError, match="neither JSON nor a Python literal") as info:
        parse_structured("{'a': open('x')}", "snapshot")
    assert info.value.json_path == "snapshot"


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


def test_a_local_path_round_trips_creating_directories(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "dir" / "snapshot.json"
    write_document(str(target), SNAPSHOT)
    assert json.loads(target.read_text()) == SNAPSHOT
    assert load_snapshot(str(target)) == SNAPSHOT


def test_a_url_goes_through_object_storage_path(tmp_path: Path) -> None:
    url = (tmp_path / "osp" / "snapshot.json").as_uri()
    assert url.startswith("file:///")
    write_document(url, SNAPSHOT)
    assert read_document(url) == SNAPSHOT
    assert load_snapshot(url) == SNAPSHOT


def test_load_snapshot_accepts_the_document_or_its_text_and_checks_it() -> None:
    assert load_snapshot(SNAPSHOT) == SNAPSHOT
    assert load_snapshot(json.dumps(SNAPSHOT)) == SNAPSHOT
    with pytest.raises(ZohoCRMValidationError, match="version must be 1"):
        load_snapshot({**SNAPSHOT, "version": 2})
    with pytest.raises(ZohoCRMValidationError, match="must be a JSON object"):
        load_snapshot(None)


def test_missing_or_non_json_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ZohoCRMValidationError, match="no snapshot at"):
        load_snapshot(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(ZohoCRMValidationError, match="does not hold JSON"):
        load_snapshot(str(tmp_path / "bad.json"))

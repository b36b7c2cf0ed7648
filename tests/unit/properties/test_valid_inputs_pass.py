"""The stricter checks refuse only what is invalid: the edges of every bound, and the forms users write, pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_zohocrm.automation.storage import check_location, load_snapshot, write_document
from airflow_provider_zohocrm.coerce import to_list, to_structured
from airflow_provider_zohocrm.connection import settings_from_mapping
from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError, ZohoCRMValidationError
from airflow_provider_zohocrm.validation import MAX_DEPTH, is_id

from .entry_points import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, SNAPSHOT


def settings(**extra: Any) -> Any:
    return settings_from_mapping(
        login=CLIENT_ID, password=CLIENT_SECRET, extra={"refresh_token": REFRESH_TOKEN, **extra}
    )


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("timeout", 3600, 3600.0),
        ("timeout", "0.5", 0.5),
        ("timeout", " 1e3 ", 1000.0),
        ("max_retry_seconds", 86400, 86400.0),
        ("max_attempts", "100", 100),
        ("max_attempts", 6.0, 6),
        ("max_concurrency", 1, 1),
        ("api_url", "https://proxy.example:8443/zoho/", "https://proxy.example:8443/zoho"),
        ("accounts_url", "http://[::1]:8080", "http://[::1]:8080"),
        ("data_center", " EU ", "eu"),
    ],
)
def test_values_at_the_edges_pass(key: str, value: Any, expected: Any) -> None:
    assert getattr(settings(**{key: value}), key) == expected


@pytest.mark.parametrize(("key", "value"), [("timeout", 3600.5), ("max_attempts", 101), ("max_concurrency", "1.5")])
def test_one_step_past_an_edge_fails_naming_the_field(key: str, value: Any) -> None:
    with pytest.raises(ZohoCRMConnectionConfigError) as info:
        settings(**{key: value})
    assert info.value.details["param_name"] == key


def test_the_prefixed_form_of_older_uis_passes_and_an_unknown_key_names_the_nearest() -> None:
    assert settings(**{"extra__zoho_crm__timeout": "7"}).timeout == 7.0
    with pytest.raises(ZohoCRMConnectionConfigError, match="did you mean 'timeout'") as info:
        settings(timeuot=5)
    assert info.value.details["param_name"] == "extra.timeuot"


def test_ids_up_to_30_digits_pass_however_given() -> None:
    assert [is_id(value) for value in ("9" * 30, 10**30 - 1, 1)] == [True] * 3
    assert [is_id(value) for value in (10**30, "9" * 31, 0, True)] == [False] * 4


def test_rendered_text_as_deep_as_allowed_parses() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert to_structured(text, "order") is not None
    with pytest.raises(ZohoCRMValidationError, match="nested more than"):
        to_structured("[" + text + "]", "order")
    assert to_list("[]", "record_ids") == []
    assert to_list("1, 2", "record_ids") == ["1", "2"]


def test_locations_users_write_pass(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dir" / "snapshot.json"
    assert check_location(f" {target} ", "path", for_write=True) == str(target)
    write_document(str(target), SNAPSHOT)
    assert load_snapshot(str(target)) == SNAPSHOT
    url = (tmp_path / "osp.json").as_uri()
    write_document(url, SNAPSHOT)
    assert load_snapshot(url) == SNAPSHOT


def test_a_location_that_cannot_be_written_fails_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    for location in (str(tmp_path), str(tmp_path / "file" / "x.json"), "a\x00b", "foo://bucket/x.json"):
        with pytest.raises(ZohoCRMValidationError) as info:
            check_location(location, "path", for_write=True)
        assert info.value.json_path == "path"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]

"""Snapshot documents on local paths and ObjectStoragePath URLs, and loading them from any form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_zohocrm.automation.storage import load_snapshot, read_document, write_document
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

from .model import SMALL_SNAPSHOT


def test_a_local_path_round_trips_creating_directories(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "dir" / "snapshot.json"
    write_document(str(target), SMALL_SNAPSHOT)
    assert json.loads(target.read_text()) == SMALL_SNAPSHOT
    assert load_snapshot(str(target)) == SMALL_SNAPSHOT


def test_a_url_goes_through_object_storage_path(tmp_path: Path) -> None:
    url = (tmp_path / "osp" / "snapshot.json").as_uri()
    assert url.startswith("file:///")
    write_document(url, SMALL_SNAPSHOT)
    assert read_document(url) == SMALL_SNAPSHOT
    assert load_snapshot(url) == SMALL_SNAPSHOT


def test_load_snapshot_accepts_the_document_or_its_text_and_checks_it() -> None:
    assert load_snapshot(SMALL_SNAPSHOT) == SMALL_SNAPSHOT
    assert load_snapshot(json.dumps(SMALL_SNAPSHOT)) == SMALL_SNAPSHOT
    with pytest.raises(ZohoCRMValidationError, match="version must be 1"):
        load_snapshot({**SMALL_SNAPSHOT, "version": 2})
    with pytest.raises(ZohoCRMValidationError, match="must be a JSON object"):
        load_snapshot(None)


def test_missing_or_non_json_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ZohoCRMValidationError, match="no snapshot at"):
        load_snapshot(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(ZohoCRMValidationError, match="does not hold JSON"):
        load_snapshot(str(tmp_path / "bad.json"))


def test_a_file_url_naming_a_directory_is_refused_before_any_read(tmp_path: Path) -> None:
    from airflow_provider_zohocrm.automation.storage import check_location

    with pytest.raises(ZohoCRMValidationError, match="directory") as info:
        check_location(f"file://{tmp_path}", "path", for_write=True)
    assert info.value.json_path == "path"
    assert check_location(f"file://{tmp_path}/snap.json", "path", for_write=True) == f"file://{tmp_path}/snap.json"

"""Choosing the checkpoint store: ``checkpoint=True/False``, a directory, a URL, or ``$ZOHO_CRM_CHECKPOINT_DIR``."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.unenroll.checkpoint import (
    DIR_ENV,
    FileCheckpoint,
    FileCheckpointStore,
    default_directory,
    default_location,
)
from airflow_provider_zohocrm.unenroll.checkpoint_store import checkpoint_store, default_store
from airflow_provider_zohocrm.unenroll.object_checkpoint import ObjectStorageCheckpointStore
from airflow_provider_zohocrm.unenroll.result import BatchOutcome, UnenrollError

from ..helpers import UNENROLL_URL as URL  # noqa: TID252 - the shared test helpers
from ..operators.test_cadences import CADENCES, CADENCES_URL, TASK, answer, op, unenroll_calls  # noqa: TID252

KEY = ("dag", "manual__1", "unenroll", -1)


@pytest.fixture
def zoho(zoho: Any) -> Any:
    """The shared ``zoho``, answering un-enroll calls as in the operator's tests: ids ending in 13 fail."""
    zoho.post(URL, json=answer)
    zoho.get(CADENCES_URL, json=CADENCES)
    return zoho


@pytest.fixture
def default_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "default"))
    return tmp_path / "default"


@pytest.mark.parametrize("value", [True, "True", " true ", "TRUE"])
def test_true_is_the_default_directory(default_dir, value):
    store = checkpoint_store(value)
    assert isinstance(store, FileCheckpointStore)
    assert store.for_task(*KEY).path.parent == default_dir


@pytest.mark.parametrize("value", [False, "False", "false "])
def test_false_is_no_store(default_dir, value):
    assert checkpoint_store(value) is None


def test_an_absolute_directory_is_a_file_store_with_the_same_files(tmp_path):
    store = checkpoint_store(f"  {tmp_path / 'ckpt'}  ")
    assert isinstance(store, FileCheckpointStore)
    assert store.for_task(*KEY).path == FileCheckpoint.for_task(*KEY, directory=tmp_path / "ckpt").path
    assert isinstance(checkpoint_store(tmp_path), FileCheckpointStore)  # a Path works too
    home = checkpoint_store("~/ckpt")
    assert isinstance(home, FileCheckpointStore)
    assert home.directory == Path.home() / "ckpt"


def test_a_url_is_an_object_store(tmp_path):
    store = checkpoint_store((tmp_path / "shared").as_uri())
    assert isinstance(store, ObjectStorageCheckpointStore)
    store.for_task(*KEY).record(0, BatchOutcome(1))
    [prefix] = (tmp_path / "shared").iterdir()
    assert [p.name for p in prefix.iterdir()] == ["0.json"]


def test_the_environment_may_name_a_url(tmp_path, monkeypatch):
    url = (tmp_path / "shared").as_uri()
    monkeypatch.setenv(DIR_ENV, url)
    assert default_location() == url
    assert isinstance(default_store(), ObjectStorageCheckpointStore)
    assert isinstance(checkpoint_store("true"), ObjectStorageCheckpointStore)
    with pytest.raises(ZohoCRMValidationError, match="is a URL"):
        default_directory()  # FileCheckpoint.for_task cannot use it

    monkeypatch.setenv(DIR_ENV, "nosuch://bucket/prefix")
    with pytest.raises(ZohoCRMValidationError, match=DIR_ENV) as info:
        checkpoint_store(True)
    assert info.value.json_path == "checkpoint"


@pytest.mark.parametrize(
    "value",
    ["", "   ", "yes", "None", "relative/dir", "nosuch://bucket/prefix", 1, 0, None, ["/tmp/x"], {"url": "s3://b"}],
)
def test_anything_else_is_refused_naming_the_parameter(default_dir, value):
    with pytest.raises(ZohoCRMValidationError) as info:
        checkpoint_store(value)
    assert info.value.json_path == "checkpoint"


# --------------------------------------------------------------------------- the operator


def test_the_operator_resumes_from_an_object_store_and_deletes_it_on_success(zoho, tmp_path):
    url = (tmp_path / "shared").as_uri()
    with pytest.raises(UnenrollError):
        op(checkpoint=url).execute(context=TASK)
    [prefix] = (tmp_path / "shared").iterdir()
    assert sorted(p.name for p in prefix.iterdir()) == ["0.json", "1.json", "2.json"]
    assert len(unenroll_calls(zoho)) == 3

    result = op(checkpoint=url, fail_on_error=False).execute(context=TASK)  # the retry
    assert len(unenroll_calls(zoho)) == 3  # every batch was answered: nothing sent again
    assert (result["batches_resumed"], result["succeeded"], result["failed"]) == (3, 247, 3)
    assert list((tmp_path / "shared").iterdir()) == []  # the task succeeded: its prefix is gone


def test_the_operator_takes_a_templated_url_or_directory(zoho, tmp_path):
    operator = op(checkpoint="{{ params.where }}")
    assert "checkpoint" in operator.template_fields
    operator.checkpoint = str(tmp_path / "local")  # as rendered
    with contextlib.suppress(UnenrollError):
        operator.execute(context=TASK)
    assert [p.suffix for p in (tmp_path / "local").iterdir()] == [".jsonl"]


@pytest.mark.parametrize("kwargs", [{}, {"dry_run": True}])
@pytest.mark.parametrize("checkpoint", ["yes", "relative/dir", "nosuch://bucket/x", 3])
def test_a_bad_checkpoint_fails_the_operator_before_any_request(zoho, kwargs, checkpoint):
    with pytest.raises(ZohoCRMValidationError) as info:
        op(checkpoint=checkpoint, **kwargs).execute(context=TASK)
    assert info.value.json_path == "checkpoint"
    assert zoho.request_history == []

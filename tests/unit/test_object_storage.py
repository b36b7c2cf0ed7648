"""``object_storage``: Airflow's ObjectStoragePath, and universal-pathlib where that one cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_provider_zohocrm import object_storage


class _IncompatibleProtocolError(TypeError):
    """Named as universal-pathlib 0.3 names it when an older ObjectStoragePath meets it."""


def test_an_objectstoragepath_that_rejects_every_protocol_falls_back_to_universal_pathlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def incompatible(url: str) -> None:
        raise _IncompatibleProtocolError(f"ObjectStoragePath(...) detected protocol for {url}")

    try:
        import airflow.sdk as module
    except ImportError:  # Airflow 2
        import airflow.io.path as module  # type: ignore[no-redef]
    monkeypatch.setattr(module, "ObjectStoragePath", incompatible)
    monkeypatch.setattr(object_storage, "_warned", False)
    warnings: list[str] = []
    monkeypatch.setattr(object_storage.log, "warning", lambda message, *args: warnings.append(message % args))
    target = tmp_path / "doc.json"
    path = object_storage.object_storage_path(f"file://{target}")
    path.write_text("{}")
    object_storage.object_storage_path(f"file://{target}")
    assert target.read_text() == "{}"
    assert len(warnings) == 1  # once per process
    assert "universal-pathlib directly" in warnings[0]


def test_other_type_errors_are_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(url: str) -> None:
        raise TypeError("something else")

    try:
        import airflow.sdk as module
    except ImportError:  # Airflow 2
        import airflow.io.path as module  # type: ignore[no-redef]
    monkeypatch.setattr(module, "ObjectStoragePath", broken)
    with pytest.raises(TypeError, match="something else"):
        object_storage.object_storage_path("file:///tmp/x")


def test_check_location_text_strips_text_and_resolves_a_url(tmp_path: Path) -> None:
    assert object_storage.check_location_text(f"  {tmp_path}\n", "path", "a file path") == str(tmp_path)
    assert object_storage.check_location_text(f" file://{tmp_path} ", "path", "a file path") == f"file://{tmp_path}"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (None, "target must be a directory path or a URL; got None"),
        ("   ", "target must be a directory path or a URL; got '   '"),
        ("/tmp/a\x00b", "target must be printable text of at most 4096 characters"),
        ("/" + "a" * 4096, "target must be printable text of at most 4096 characters"),
        ("nosuchscheme://bucket/key", "target: cannot use 'nosuchscheme://bucket/key' as object storage"),
    ],
)
def test_check_location_text_refuses_typed_naming_the_param(location: object, message: str) -> None:
    from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

    with pytest.raises(ZohoCRMValidationError) as info:
        object_storage.check_location_text(location, "target", "a directory path")
    assert str(info.value).startswith(message)
    assert info.value.details["json_path"] == "target"

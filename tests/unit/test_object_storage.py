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

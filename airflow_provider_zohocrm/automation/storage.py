"""Reading and writing snapshot documents: a local path, or a URL through Airflow's ObjectStoragePath.

A plain path (no scheme) is a local file written with ``pathlib``; any URL (``s3://``, ``gs://``,
``file://``, ``s3://conn_id@bucket/key``...) goes through ``ObjectStoragePath``, imported on first
use (see :mod:`airflow_provider_zohocrm.object_storage`), so it reaches whatever filesystems the
installed providers register, with their Airflow connections.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airflow_provider_zohocrm.automation.document import check_document
from airflow_provider_zohocrm.coerce import is_structured_text, to_structured
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.object_storage import is_url as _is_url
from airflow_provider_zohocrm.object_storage import object_storage_path as _object_storage_path


def write_document(location: str, document: dict[str, Any]) -> None:
    """Write ``document`` as indented JSON, creating a local file's directories."""
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if _is_url(location):
        target = _object_storage_path(location)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    else:
        path = Path(location)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def read_document(location: str) -> Any:
    """The parsed JSON stored at ``location`` (not yet checked)."""
    try:
        if _is_url(location):
            text = _object_storage_path(location).read_text()
        else:
            text = Path(location).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ZohoCRMValidationError(
            f"no snapshot at {location}",
            details={"json_path": "snapshot"},
            hint="Pass the path or URL the snapshot task wrote (its path argument)",
        ) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ZohoCRMValidationError(
            f"{location} does not hold JSON: {exc}", details={"json_path": "snapshot"}
        ) from None


def load_snapshot(value: Any, param: str = "snapshot") -> dict[str, Any]:
    """A checked snapshot from the document, its JSON (or repr) text, or the path/URL holding it."""
    if isinstance(value, str) and value.strip() and not is_structured_text(value):
        value = read_document(value.strip())
    return check_document(to_structured(value, param), param)

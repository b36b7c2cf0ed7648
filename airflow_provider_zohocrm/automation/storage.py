"""Reading and writing snapshot documents: a local path, or a URL through Airflow's ObjectStoragePath.

A plain path (no scheme) is a local file written with ``pathlib``; any URL (``s3://``, ``gs://``,
``file://``, ``s3://conn_id@bucket/key``...) goes through ``ObjectStoragePath``, imported on first
use (see :mod:`airflow_provider_zohocrm.object_storage`), so it reaches whatever filesystems the
installed providers register, with their Airflow connections.

Whatever a location is (a directory, a binary file, a name too long, a NUL byte, an unknown
scheme), reading or writing it fails with ``ZohoCRMValidationError`` naming the parameter, never
with a raw ``OSError``. :func:`check_location` runs the checks that need no write, so a caller can
refuse a bad ``path`` before its first request.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from airflow_provider_zohocrm.automation.document import check_document
from airflow_provider_zohocrm.coerce import is_structured_text, to_structured
from airflow_provider_zohocrm.object_storage import check_location_text, location_error, redact_url, resolve
from airflow_provider_zohocrm.object_storage import is_url as _is_url
from airflow_provider_zohocrm.validation import check_depth, preview

NAME_MAX_BYTES = 255  # the longest file name Linux, macOS and Windows file systems take
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # a snapshot of every rule of a large org is well under 1 MB
_HINT = "Pass a local file path or an object-storage URL (s3://bucket/key.json, file:///shared/key.json)"


def check_location(location: Any, param: str = "path", *, for_write: bool = False) -> str:
    """``location`` stripped, if it can name a document: text, no control characters, names that
    fit, a scheme some installed filesystem serves; for a write, a local path that is not a
    directory and whose nearest existing parent is one. Raises ``ZohoCRMValidationError`` naming ``param``.
    """
    text = check_location_text(location, param, "a file path")
    if _is_url(text):
        local = _local_file_url(text)
        if not (for_write and local is not None):
            return text  # a remote store is not probed: that would be a request before any work
        path = Path(local)
    else:
        path = Path(text).expanduser()
    long_names = [part for part in path.parts if len(os.fsencode(part)) > NAME_MAX_BYTES]
    if long_names:
        raise location_error(param, f"has a name longer than {NAME_MAX_BYTES} bytes: {preview(long_names[0])}")
    if for_write:
        try:
            is_dir = path.is_dir()
            parent = next((p for p in path.parents if p.exists()), None)
        except OSError as exc:  # a path too long as a whole, a loop of links ...
            raise location_error(param, f"cannot be a file: {_reason(exc)}", _HINT) from None
        if is_dir:
            raise location_error(param, f"is the directory {text!r}; name the file to write")
        if parent is not None and not parent.is_dir():
            raise location_error(param, f"lies under {str(parent)!r}, which is a file, not a directory")
    return text


def _local_file_url(url: str) -> str | None:
    """The local path a ``file://`` URL names, or None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("file", "local") or parts.netloc not in ("", "localhost"):
        return None
    return unquote(parts.path) or None


def write_document(location: str, document: dict[str, Any], param: str = "path") -> None:
    """Write ``document`` as indented JSON, creating a local file's directories."""
    location = check_location(location, param, for_write=True)
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    try:
        if _is_url(location):
            target = resolve(location, param)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        else:
            path = Path(location).expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise location_error(param, f"could not be written: {_reason(exc)}", _HINT) from None


def read_document(location: str, param: str = "snapshot") -> Any:
    """The parsed JSON stored at ``location`` (not yet checked)."""
    location = check_location(location, param)
    shown = redact_url(location)
    try:
        if _is_url(location):
            with resolve(location, param).open("rb") as stream:
                data = stream.read(MAX_DOCUMENT_BYTES + 1)
        else:
            with Path(location).expanduser().open("rb") as stream:
                data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError:
        raise location_error(
            param, f"names no file: no snapshot at {shown}", "Pass the path or URL the snapshot task wrote (its path)"
        ) from None
    except (OSError, ValueError) as exc:
        raise location_error(param, f"could not be read from {shown}: {_reason(exc)}", _HINT) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise location_error(param, f"at {shown} is larger than {MAX_DOCUMENT_BYTES // 2**20} MB: not a snapshot")
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise location_error(param, f"at {shown} does not hold JSON text: {_reason(exc)}") from None
    check_depth(document, param)
    return document


def load_snapshot(value: Any, param: str = "snapshot") -> dict[str, Any]:
    """A checked snapshot from the document, its JSON (or repr) text, or the path/URL holding it."""
    if isinstance(value, str) and value.strip() and not is_structured_text(value):
        value = read_document(value.strip(), param)
    document = to_structured(value, param)
    check_depth(document, param)
    return check_document(document, param)


def _reason(exc: BaseException) -> str:
    """The cause without the path it names (the message names the location once, redacted)."""
    reason = getattr(exc, "strerror", None) or str(exc).split(": '")[0]
    return f"{type(exc).__name__}: {reason}"[:200]

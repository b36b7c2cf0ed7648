"""Where the automation files live for the Airflow operators: a local directory or an object-storage URL.

The core (:mod:`airflow_provider_zohocrm.as_code`) reads and writes a local directory. A URL
(``s3://bucket/automation``, ``gs://...``, ``file:///shared/automation``, ``s3://conn_id@bucket/...``)
goes through Airflow's ``ObjectStoragePath`` (:mod:`airflow_provider_zohocrm.object_storage`): its
files are copied into a temporary directory to be read, or written there and then uploaded. Only
the files of the layout are copied (``connected_workflows.yaml`` and ``workflow_rules/*.yaml``), so
a URL naming a large prefix costs no more than the automation it holds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from airflow_provider_zohocrm.as_code.files import CONNECTED_WORKFLOWS_FILE, MAX_FILE_BYTES, RULES_DIR, SUFFIX
from airflow_provider_zohocrm.object_storage import check_location_text, is_url, location_error, redact_url, resolve

_HINT = "Pass a local directory or an object-storage URL of one (s3://bucket/automation, file:///shared/automation)"


def check_location(location: Any, param: str = "path", *, for_write: bool = False) -> str:
    """``location`` stripped, if it can name the files' directory; a typed error naming ``param`` otherwise.

    A URL's filesystem is resolved (an unknown scheme or a missing provider fails here) but a remote
    store is not probed; a local path must be a directory to read, and must not be a file to write.
    """
    text = check_location_text(location, param, "a directory path")
    if is_url(text):
        return text
    path = Path(text).expanduser()
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except OSError as exc:  # a name too long, a loop of links
        raise location_error(param, f"cannot be used: {type(exc).__name__}", _HINT) from None
    if for_write and exists and not is_dir:
        raise location_error(param, f"is the file {text!r}; name a directory to write the automation files into")
    if not for_write and not is_dir:
        problem = "is a file, not a directory" if exists else "names no directory"
        raise location_error(
            param, f"{problem}: {text!r}", "Pass the directory written by an export (it holds workflow_rules/)"
        )
    return text


@contextmanager
def local_copy(location: str, param: str = "path") -> Iterator[str]:
    """A local directory holding the files at ``location`` (the directory itself, or a temporary copy)."""
    location = check_location(location, param)
    if not is_url(location):
        yield str(Path(location).expanduser())
        return
    root = resolve(location, param)
    with tempfile.TemporaryDirectory(prefix="zohocrm-automation-") as local:
        _download(root, Path(local), location, param)
        yield local


@contextmanager
def local_target(location: str, param: str = "path") -> Iterator[str]:
    """A local directory to write the files into; for a URL a temporary one, uploaded when the block ends."""
    location = check_location(location, param, for_write=True)
    if not is_url(location):
        yield str(Path(location).expanduser())
        return
    root = resolve(location, param)
    with tempfile.TemporaryDirectory(prefix="zohocrm-automation-") as local:
        yield local
        _upload(Path(local), root, location, param)


def _download(root: Any, local: Path, location: str, param: str) -> None:
    shown = redact_url(location)
    found = 0
    try:
        workflows = root / CONNECTED_WORKFLOWS_FILE
        if workflows.is_file():
            _copy_down(workflows, local / CONNECTED_WORKFLOWS_FILE, shown, param)
            found += 1
        rules = root / RULES_DIR
        if rules.is_dir():
            (local / RULES_DIR).mkdir()
            for item in sorted(rules.iterdir(), key=lambda p: p.name):
                if item.name.endswith(SUFFIX) and item.is_file():
                    _copy_down(item, local / RULES_DIR / item.name, shown, param)
                    found += 1
    except (OSError, ValueError) as exc:
        raise location_error(param, f"could not be read from {shown}: {type(exc).__name__}", _HINT) from None
    if not found:
        raise location_error(
            param,
            f"at {shown} holds neither {CONNECTED_WORKFLOWS_FILE} nor {RULES_DIR}/*{SUFFIX}",
            "Pass the location an export wrote",
        )


def _copy_down(source: Any, target: Path, shown: str, param: str) -> None:
    with source.open("rb") as stream:
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise location_error(param, f"at {shown}: {source.name} is larger than {MAX_FILE_BYTES // 2**20} MB")
    target.write_bytes(data)


def _upload(local: Path, root: Any, location: str, param: str) -> None:
    try:
        for item in sorted(local.rglob("*")):
            if item.is_file():
                target = root.joinpath(*item.relative_to(local).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(item.read_bytes())
    except (OSError, ValueError) as exc:
        raise location_error(
            param, f"could not be written to {redact_url(location)}: {type(exc).__name__}", _HINT
        ) from None

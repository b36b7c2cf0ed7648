"""The assertion every invalid-input property makes, and the entry points the tests share."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import corpus
from .entry_points import EntryPoint, all_entry_points, outcome

# Files the snapshot-reading corpus names (a directory, a binary file, deep JSON ...), made once.
_FILES = Path(tempfile.mkdtemp(prefix="zohocrm-invalid-inputs-"))
atexit.register(shutil.rmtree, _FILES, ignore_errors=True)
ENTRIES: list[EntryPoint] = all_entry_points(
    corpus.snapshot_files(_FILES / "read"), corpus.write_paths(_FILES / "write")
)
BY_NAME = {entry.name: entry for entry in ENTRIES}


def entries(*layers: str) -> list[EntryPoint]:
    return [entry for entry in ENTRIES if entry.layer in layers]


def assert_rejected_before_any_request(entry: EntryPoint, param: str, value: Any, sent: Callable[[], int]) -> None:
    """``entry`` with ``param=value`` raises ``ZohoCRMValidationError`` naming ``param``, and nothing was sent.

    ``sent()`` counts the requests that reached Zoho's stand-in (requests_mock's history, the
    emulator's stats), token requests included.
    """
    before = sent()
    kind, exc = outcome(entry, param, value)
    requests = sent() - before
    where = f"{entry.name}({param}={corpus.label(value)})"
    assert kind == "named", f"{where}: {kind}: {type(exc).__name__ if exc else 'no error'}: {exc}"
    assert requests == 0, f"{where}: {requests} request(s) sent before the error: {exc}"

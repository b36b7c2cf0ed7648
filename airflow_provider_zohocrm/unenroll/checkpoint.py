"""Crash-safe un-enroll: remember which batches are finished, so a re-run does not send them again.

Batches are numbered from the input order: batch ``i`` is record batch ``r`` (ids ``r*100`` to
``r*100+99`` of the valid ids) with cadence batch ``j``, ``i = r * cadence_batches + j``. A batch
is recorded once Zoho answered its call (each record succeeded or failed with its own code), with
its outcome; a re-run given the same ids skips it and folds the recorded outcome into its result,
so the final result reports every record exactly once. Calls that failed as a whole (an error
left after the retries, NOT_ALLOWED, a fatal error) are not recorded: a re-run sends them again,
which is what a task retry is for. Each record carries a digest of its module, cadence and record
ids; a batch whose ids changed since is sent again instead of being trusted.

A ``Checkpoint`` has two methods (``done``, ``record``); a ``CheckpointStore`` gives each task
instance, keyed by (dag_id, run_id, task_id, map_index), a ``TaskCheckpoint`` (which can also
``delete`` itself). Two stores exist; either holds batch indices, digests, counts and failed record
ids with Zoho's code and message, never a credential:

- ``FileCheckpointStore`` (here): one append-only JSON-lines ``FileCheckpoint`` file per task
  instance (fsync'd per line; a torn last line from a crash is ignored) in a local directory:
  ``$ZOHO_CRM_CHECKPOINT_DIR``, else ``$AIRFLOW_HOME/zohocrm_checkpoints``, else a per-user
  directory in the temp dir. It guarantees resumption on **one host** only: a retry that runs on
  another worker (Celery, Kubernetes) finds no file and sends every batch again, unless the
  directory is shared storage that every worker mounts.
- ``ObjectStorageCheckpointStore`` (:mod:`airflow_provider_zohocrm.unenroll.object_checkpoint`):
  one small JSON object per finished batch under a per-task-instance prefix of an
  ``ObjectStoragePath`` URL (``s3://``, ``gs://``, ``file:///shared/...``); a retry on **any
  host that can reach the URL** resumes.

:mod:`airflow_provider_zohocrm.unenroll.checkpoint_store` picks the store from the operator's
``checkpoint`` argument (``True``, ``False``, a directory or a URL) or ``$ZOHO_CRM_CHECKPOINT_DIR``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.object_storage import is_url, redact_url
from airflow_provider_zohocrm.unenroll.result import BatchOutcome

log = logging.getLogger(__name__)

DIR_ENV = "ZOHO_CRM_CHECKPOINT_DIR"
STALE_AFTER_SECONDS = 30 * 24 * 3600  # files of tasks that never succeeded are pruned after this
MAX_MESSAGE = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class Checkpoint(Protocol):
    """Where finished batches are kept. ``record`` is called from one thread at a time."""

    def done(self) -> Mapping[int, BatchOutcome]:
        """The finished batches (their indices are the keys) with their recorded outcomes."""

    def record(self, batch_index: int, outcome: BatchOutcome) -> None:
        """Remember a finished batch durably before returning."""


class TaskCheckpoint(Checkpoint, Protocol):
    """The checkpoint of one task instance, as a ``CheckpointStore`` gives it."""

    def delete(self) -> None:
        """Forget every finished batch: the next run with this key starts from the first batch."""


class CheckpointStore(Protocol):
    """Gives each task instance its checkpoint; all the tries of a task instance share it."""

    def for_task(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> TaskCheckpoint:
        """The checkpoint of the task instance (dag_id, run_id, task_id, map_index)."""


def batch_digest(module: str, cadence_ids: tuple[str, ...], record_ids: list[str]) -> str:
    material = "\x1f".join((module.lower(), ",".join(cadence_ids), ",".join(record_ids)))
    return hashlib.blake2b(material.encode(), digest_size=8).hexdigest()


def default_location() -> str:
    """``$ZOHO_CRM_CHECKPOINT_DIR`` (a directory or a URL), else the default local directory."""
    configured = os.environ.get(DIR_ENV, "").strip()
    if configured:
        return configured
    home = os.environ.get("AIRFLOW_HOME")
    if home:
        return str(Path(home) / "zohocrm_checkpoints")
    return str(Path(tempfile.gettempdir()) / f"airflow-zohocrm-checkpoints-{os.getuid()}")


def default_directory() -> Path:
    """The local directory of ``FileCheckpoint`` files when none is given (``default_location``)."""
    location = default_location()
    if is_url(location):
        raise ZohoCRMValidationError(
            f"${DIR_ENV} is a URL ({redact_url(location)}), not a local directory",
            details={"json_path": "checkpoint"},
            hint="Use airflow_provider_zohocrm.unenroll.checkpoint_store.default_store() for it",
        )
    return Path(location)


def task_name(dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
    """A task instance's name in a store: readable, with a digest of the whole key (unique)."""
    key = json.dumps([dag_id, run_id, task_id, map_index])
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    readable = _UNSAFE.sub("_", f"{dag_id}.{task_id}")[:80]
    suffix = "" if map_index < 0 else f".{map_index}"
    return f"{readable}{suffix}.{digest}"


def encode_batch(batch_index: int, outcome: BatchOutcome) -> bytes:
    """A finished batch as one line of compact JSON (without its newline).

    ``notes`` (records that succeeded with another code than SUCCESS, e.g. NO_CONTENT for a 204)
    are written only when there are some, so a resumed run reports the same codes.
    """
    line: dict[str, Any] = {
        "batch": batch_index,
        "digest": outcome.digest,
        "succeeded": outcome.succeeded,
        "failures": [[rid, code, message[:MAX_MESSAGE]] for rid, code, message in outcome.failures],
    }
    if outcome.notes:
        line["notes"] = [[rid, code, message[:MAX_MESSAGE]] for rid, code, message in outcome.notes]
    return json.dumps(line, separators=(",", ":")).encode()


def parse_batch(raw: bytes) -> tuple[int, BatchOutcome] | None:
    """The (index, outcome) ``encode_batch`` wrote, or None for anything else (torn, foreign).

    A line without ``notes`` (written before they were kept, or with none) has none.
    """
    try:
        data: Any = json.loads(raw)
        index, succeeded, failures = data["batch"], data["succeeded"], data["failures"]
        outcome = BatchOutcome(
            succeeded=int(succeeded),
            failures=tuple((str(rid), str(code), str(message)) for rid, code, message in failures),
            digest=str(data.get("digest") or ""),
            notes=tuple((str(rid), str(code), str(message)) for rid, code, message in data.get("notes") or ()),
        )
    except (ValueError, TypeError, KeyError):
        return None
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        return None
    return index, outcome


class FileCheckpoint:
    """An append-only JSON-lines file of finished batches: one line per batch, fsync'd."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._tail_checked = False

    @classmethod
    def for_task(
        cls,
        dag_id: str,
        run_id: str,
        task_id: str,
        map_index: int = -1,
        directory: str | os.PathLike[str] | None = None,
    ) -> FileCheckpoint:
        """The checkpoint of one task instance (all its tries share it); prunes stale files first."""
        root = Path(directory) if directory is not None else default_directory()
        prune_stale(root)
        return cls(root / f"{task_name(dag_id, run_id, task_id, map_index)}.jsonl")

    def done(self) -> dict[int, BatchOutcome]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("Could not read the checkpoint %s (%s): every batch is sent", self.path, exc)
            return {}
        finished: dict[int, BatchOutcome] = {}
        skipped = 0
        for line in raw.splitlines():
            parsed = parse_batch(line)
            if parsed is None:
                skipped += 1  # a torn last line (the writer died mid-write), or foreign text
                continue
            finished[parsed[0]] = parsed[1]
        if skipped:
            log.warning("Ignored %d unreadable line(s) of the checkpoint %s", skipped, self.path)
        if finished:
            log.info("Checkpoint %s: %d batch(es) finished earlier are not sent again", self.path, len(finished))
        return finished

    def record(self, batch_index: int, outcome: BatchOutcome) -> None:
        line = encode_batch(batch_index, outcome)
        if not self._tail_checked:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            if not self._tail_checked:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    os.write(fd, b"\n")  # end a torn last line, so this record starts a line of its own
                self._tail_checked = True
            os.write(fd, line + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)

    def delete(self) -> None:
        """Forget every finished batch: the next run with this key starts from the first batch."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __repr__(self) -> str:
        return f"FileCheckpoint({str(self.path)!r})"


class FileCheckpointStore:
    """``FileCheckpoint`` files in a local directory: a retry resumes on the same host only.

    ``directory`` None is ``default_directory()``, read when a task asks for its checkpoint.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else None

    def for_task(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> FileCheckpoint:
        return FileCheckpoint.for_task(dag_id, run_id, task_id, map_index, directory=self.directory)

    def __repr__(self) -> str:
        return f"FileCheckpointStore({str(self.directory) if self.directory else None!r})"


def task_key(context: Mapping[str, Any]) -> tuple[str, str, str, int] | None:
    """(dag_id, run_id, task_id, map_index) of the running task instance; None outside a task."""
    ti = context.get("ti") or context.get("task_instance")
    parts = [getattr(ti, name, None) for name in ("dag_id", "run_id", "task_id")]
    if not all(isinstance(part, str) and part for part in parts):
        return None
    map_index = getattr(ti, "map_index", None)
    dag_id, run_id, task_id = (str(part) for part in parts)
    return dag_id, run_id, task_id, map_index if isinstance(map_index, int) else -1


def prune_stale(directory: Path, max_age: float = STALE_AFTER_SECONDS) -> None:
    """Delete checkpoint files untouched for ``max_age`` seconds (tasks that never succeeded)."""
    cutoff = time.time() - max_age
    try:
        entries = list(directory.glob("*.jsonl"))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < cutoff:
                entry.unlink()

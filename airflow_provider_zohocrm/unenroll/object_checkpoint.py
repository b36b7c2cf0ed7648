"""Un-enroll checkpoints in object storage: a retry on any host that can reach the URL resumes.

``ObjectStorageCheckpointStore(url)`` keeps the finished batches of each task instance, keyed by
(dag_id, run_id, task_id, map_index), under a prefix of its own::

    <url>/<dag_id>.<task_id>[.<map_index>].<digest of the key>/<batch index>.json

Object stores cannot append, so each finished batch is one small object holding the same JSON as
a line of a ``FileCheckpoint`` file, written whole once Zoho answered the batch's call (an object
store makes a PUT visible whole or not at all). ``done()`` lists the prefix and reads every object
(concurrently on asynchronous filesystems such as ``s3fs`` and ``gcsfs``); an object that cannot be
read or parsed (a torn ``file://`` write, a foreign object) is ignored with a warning, so its batch
is sent again. ``delete()`` removes the prefix; the operator deletes it when the task succeeds.
Prefixes of tasks that never succeeded are not pruned here: give the bucket a lifecycle rule.

``url`` is anything ``ObjectStoragePath`` resolves with the installed providers: ``s3://bucket/
prefix``, ``s3://conn_id@bucket/prefix`` (the Airflow connection holds the credentials),
``gs://...``, or ``file:///shared/directory`` on storage every worker mounts. A checkpoint holds
batch indices, digests, counts and failed record ids with Zoho's code and message: never the URL,
never a credential; logs and reprs show the URL without its password.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.object_storage import object_storage_path, redact_url
from airflow_provider_zohocrm.unenroll.checkpoint import encode_batch, parse_batch, task_name
from airflow_provider_zohocrm.unenroll.result import BatchOutcome

log = logging.getLogger(__name__)

_BATCH_OBJECT = re.compile(r"(0|[1-9][0-9]*)\.json")


class ObjectStorageCheckpoint:
    """One JSON object per finished batch under ``path`` of the fsspec filesystem ``fs``.

    ``ObjectStorageCheckpointStore.for_task`` makes them; ``where`` is the URL shown in logs.
    """

    def __init__(self, fs: Any, path: str, where: str) -> None:
        self.fs = fs
        self.path = path.rstrip("/")
        self.where = where

    def done(self) -> dict[int, BatchOutcome]:
        with contextlib.suppress(Exception):
            self.fs.invalidate_cache(self.path)  # a listing this process cached may be stale
        try:
            listed = self.fs.ls(self.path, detail=False)
        except (FileNotFoundError, NotADirectoryError):
            return {}  # nothing recorded yet
        except Exception as exc:  # OSError, or a storage client's own error (denied, unreachable...)
            log.warning("Could not list the checkpoint %s (%s): every batch is sent", self.where, exc)
            return {}
        names = {str(entry).rstrip("/").rpartition("/")[2] for entry in listed}
        objects = {int(match[1]): name for name in names if (match := _BATCH_OBJECT.fullmatch(name))}
        if not objects:
            return {}
        paths = {index: f"{self.path}/{name}" for index, name in objects.items()}
        contents = _read_all(self.fs, list(paths.values()))
        finished: dict[int, BatchOutcome] = {}
        unreadable = []
        for index, path in sorted(paths.items()):
            raw = contents.get(path)
            parsed = parse_batch(raw) if isinstance(raw, bytes) else None
            if parsed is None or parsed[0] != index:
                unreadable.append(objects[index])  # torn by a crash mid-write, gone since, or foreign
                continue
            finished[index] = parsed[1]
        if unreadable:
            log.warning(
                "Ignored %d unreadable object(s) of the checkpoint %s (their batches are sent again): %s",
                len(unreadable),
                self.where,
                ", ".join(unreadable[:10]),
            )
        if finished:
            log.info("Checkpoint %s: %d batch(es) finished earlier are not sent again", self.where, len(finished))
        return finished

    def record(self, batch_index: int, outcome: BatchOutcome) -> None:
        """Write the batch's object; any failure is an ``OSError`` (the engine then drops the checkpoint)."""
        target = f"{self.path}/{batch_index}.json"
        body = encode_batch(batch_index, outcome) + b"\n"
        try:
            try:
                self.fs.pipe_file(target, body)
            except FileNotFoundError:
                # Object stores need no directories; a file:// store needs the prefix's, once.
                self.fs.makedirs(self.path, exist_ok=True)
                self.fs.pipe_file(target, body)
        except OSError:
            raise
        except Exception as exc:  # a storage client's own error type
            raise OSError(f"{self.where}/{batch_index}.json: {type(exc).__name__}: {exc}") from exc

    def delete(self) -> None:
        """Remove the prefix and every object under it: the next run starts from the first batch."""
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            self.fs.rm(self.path, recursive=True)

    def __repr__(self) -> str:
        return f"ObjectStorageCheckpoint({self.where!r})"


def _read_all(fs: Any, paths: list[str]) -> dict[str, Any]:
    """The bytes of each path (an exception for those that cannot be read), concurrently if ``fs`` can."""
    try:
        contents = fs.cat(paths, on_error="return")
        if isinstance(contents, dict):
            return contents
    except Exception as exc:  # e.g. every object vanished since the listing
        log.debug("Reading the checkpoint objects together failed (%s); reading them one by one", exc)
    read: dict[str, Any] = {}
    for path in paths:
        try:
            read[path] = fs.cat_file(path)
        except Exception as exc:
            read[path] = exc
    return read


class ObjectStorageCheckpointStore:
    """Checkpoints under an ``ObjectStoragePath`` URL: a retry resumes on any host that reaches it.

    The URL's filesystem is resolved here (an unknown scheme, a provider not installed or a
    connection that does not exist raise ``ZohoCRMValidationError`` naming ``param``), so a bad
    URL fails the task before any call to Zoho.
    """

    def __init__(self, url: str, param: str = "checkpoint") -> None:
        self.url = url
        self.where = redact_url(url).rstrip("/")
        try:
            self.base = object_storage_path(url)
            self.base.fs  # noqa: B018 - resolving the filesystem (and its connection) is the check
        except Exception as exc:
            raise ZohoCRMValidationError(
                f"{param}: cannot use {self.where} as object storage ({type(exc).__name__}: {exc})",
                details={"json_path": param},
                hint="Pass a URL of a filesystem an installed provider registers (s3://, gs://, file://...), "
                "a local directory, True or False",
            ) from None

    def for_task(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> ObjectStorageCheckpoint:
        name = task_name(dag_id, run_id, task_id, map_index)
        path = f"{str(self.base.path).rstrip('/')}/{name}"
        return ObjectStorageCheckpoint(self.base.fs, path, where=f"{self.where}/{name}")

    def __repr__(self) -> str:
        return f"ObjectStorageCheckpointStore({self.where!r})"

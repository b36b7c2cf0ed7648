"""Choosing where an un-enroll keeps its finished batches, from ``UnenrollCadenceOperator(checkpoint=...)``.

- ``True`` (the default; or the text ``"true"`` a template renders): the default location,
  ``$ZOHO_CRM_CHECKPOINT_DIR`` (a directory or a URL), else ``$AIRFLOW_HOME/zohocrm_checkpoints``,
  else a per-user directory in the temp dir.
- ``False`` (or ``"false"``): no checkpoint; a retry sends every batch again.
- An absolute local directory (``/var/lib/zohocrm``): a ``FileCheckpointStore``. A retry resumes
  only on the same host (or on hosts that all mount that directory).
- A URL (``s3://bucket/prefix``, ``s3://conn_id@bucket/prefix``, ``gs://...``, ``file:///shared``):
  an ``ObjectStorageCheckpointStore``, chosen by the scheme through ``ObjectStoragePath``. A retry
  resumes on any host that can reach the URL, which is what Celery and Kubernetes executors need.

Anything else raises ``ZohoCRMValidationError`` naming ``checkpoint``, before any call to Zoho.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from airflow_provider_zohocrm.coerce import to_bool
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.object_storage import is_url, redact_url
from airflow_provider_zohocrm.unenroll.checkpoint import DIR_ENV, CheckpointStore, FileCheckpointStore, default_location

_HINT = "Pass True, False, an absolute local directory or an object-storage URL (s3://bucket/prefix, file:///shared...)"


def checkpoint_store(value: Any, param: str = "checkpoint") -> CheckpointStore | None:
    """The store ``value`` selects (see the module docstring); None when checkpoints are off."""
    if isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in ("true", "false")):
        return default_store(param) if to_bool(value, param) else None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value.strip():
        shown = redact_url(value) if isinstance(value, str) else type(value).__name__
        raise ZohoCRMValidationError(
            f"{param} must be true, false, a directory or a URL; got {shown!r}",
            details={"json_path": param},
            hint=_HINT,
        )
    return store_at(value.strip(), param)


def store_at(location: str, param: str = "checkpoint") -> CheckpointStore:
    """The store of a URL (object storage) or of an absolute local directory (files)."""
    if is_url(location):
        from airflow_provider_zohocrm.unenroll.object_checkpoint import ObjectStorageCheckpointStore

        return ObjectStorageCheckpointStore(location, param=param)
    directory = Path(location).expanduser()
    if not directory.is_absolute():
        raise ZohoCRMValidationError(
            f"{param} must be true, false, an absolute directory or a URL; got the relative path {location!r}",
            details={"json_path": param},
            hint=_HINT + " (a relative path would depend on the worker's working directory)",
        )
    return FileCheckpointStore(directory)


def default_store(param: str = "checkpoint") -> CheckpointStore:
    """The store of ``$ZOHO_CRM_CHECKPOINT_DIR`` (a directory or a URL), else the default directory."""
    location = default_location()
    if not is_url(location):
        return FileCheckpointStore(location)  # as before: the configured directory, even relative
    try:
        return store_at(location, param)
    except ZohoCRMValidationError as exc:
        raise ZohoCRMValidationError(
            f"{param}=True uses ${DIR_ENV}: {exc.message}",
            details={"json_path": param},
            hint=f"Set ${DIR_ENV} to a directory or a URL of an installed filesystem, or pass checkpoint=",
        ) from None

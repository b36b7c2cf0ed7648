"""Airflow's ``ObjectStoragePath``, imported on first use, for every module that reads or writes URLs.

``ObjectStoragePath`` lives in ``airflow.sdk`` on Airflow 3 and in ``airflow.io.path`` on 2.x; it
reaches whatever filesystems the installed providers register (``s3://``, ``gs://``, ``file://``,
``s3://conn_id@bucket/key``...), with their Airflow connections. Importing this module imports
neither, so DAG files that never touch a URL do not pay for it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit


def is_url(location: str) -> bool:
    """Whether ``location`` is a URL (it has a scheme) rather than a local path."""
    # One-letter schemes are Windows drive letters, not URLs.
    return len(urlsplit(location).scheme) > 1


def object_storage_path(url: str) -> Any:
    """``ObjectStoragePath(url)`` of the running Airflow (3.x or 2.x)."""
    try:
        from airflow.sdk import ObjectStoragePath
    except ImportError:  # Airflow 2.x
        from airflow.io.path import ObjectStoragePath  # type: ignore[no-redef]
    return ObjectStoragePath(url)


def redact_url(url: str) -> str:
    """``url`` without the password of its ``user:password@`` part (fit for logs and errors)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))

"""Airflow's ``ObjectStoragePath``, imported on first use, for every module that reads or writes URLs.

``ObjectStoragePath`` lives in ``airflow.sdk`` on Airflow 3 and in ``airflow.io.path`` on 2.x; it
reaches whatever filesystems the installed providers register (``s3://``, ``gs://``, ``file://``,
``s3://conn_id@bucket/key``...), with their Airflow connections. Importing this module imports
neither, so DAG files that never touch a URL do not pay for it. :func:`check_location_text` holds
the checks every location parameter shares, a path or a URL, before any module reads or writes it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

log = logging.getLogger(__name__)

LOCATION_MAX_LENGTH = 4096

# What urlsplit takes for a scheme; matched here so that no text (an unclosed IPv6 bracket...) raises.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_USERINFO_PASSWORD = re.compile(r"(//[^/@]*?:)[^/@]*@")


def is_url(location: Any) -> bool:
    """Whether ``location`` is a URL (text with a scheme) rather than a local path; never raises."""
    if not isinstance(location, str):
        return False
    match = _SCHEME.match(location)
    # One-letter schemes are Windows drive letters, not URLs.
    return match is not None and len(match.group(1)) > 1


def check_location_text(location: Any, param: str, what: str) -> str:
    """``location`` stripped, if it is text that can name a place: printable, at most
    ``LOCATION_MAX_LENGTH`` characters and, for a URL, one whose filesystem resolves (a remote store
    is not probed: that would be a request before any work). ``what`` is what a path there names
    ("a directory path", "a file path"), for the error. Raises ``ZohoCRMValidationError`` naming ``param``.
    """
    from airflow_provider_zohocrm.validation import preview

    if not isinstance(location, str) or not location.strip():
        raise location_error(param, f"must be {what} or a URL; got {preview(location)}")
    text = location.strip()
    if len(text) > LOCATION_MAX_LENGTH or not text.isprintable():
        raise location_error(param, f"must be printable text of at most {LOCATION_MAX_LENGTH} characters")
    if is_url(text):
        resolve(text, param)
    return text


def location_error(param: str, problem: str, hint: str | None = None) -> ZohoCRMValidationError:
    """The typed error for a bad location: ``"{param} {problem}"``, the parameter as its JSON path."""
    from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

    return ZohoCRMValidationError(f"{param} {problem}", details={"json_path": param}, hint=hint)


def object_storage_path(url: str) -> Any:
    """``ObjectStoragePath(url)`` of the running Airflow (3.x or 2.x).

    Airflow 2.11.0-2.11.1 and 3.0.x leave universal-pathlib uncapped, but their ``ObjectStoragePath``
    fails on universal-pathlib 0.3 for every URL ("detected protocol ... incompatible"). There the
    path is built by universal-pathlib itself: the same filesystems (fsspec's), without the
    ``scheme://conn_id@...`` Airflow-connection form, which a warning names once.
    """
    try:
        from airflow.sdk import ObjectStoragePath
    except ImportError:  # Airflow 2.x
        from airflow.io.path import ObjectStoragePath  # type: ignore[no-redef]
    try:
        return ObjectStoragePath(url)
    except TypeError as exc:
        if type(exc).__name__ != "_IncompatibleProtocolError":
            raise
    from upath import UPath

    _warn_plain_upath()
    return UPath(url)


def _warn_plain_upath() -> None:
    global _warned
    if not _warned:
        _warned = True
        log.warning(
            "This Airflow's ObjectStoragePath does not work with the installed universal-pathlib; "
            "URLs are opened with universal-pathlib directly, so Airflow connections named in a URL "
            "are not used. Install 'universal-pathlib<0.3' to use them"
        )


_warned = False


def resolve(url: str, param: str) -> Any:
    """``ObjectStoragePath(url)`` with its filesystem resolved, or ``ZohoCRMValidationError`` naming ``param``.

    Resolving the filesystem is the check: an unknown scheme, a provider that is not installed, a
    malformed URL or a connection that does not exist fail here, before any call to Zoho.
    """
    try:
        path = object_storage_path(url)
        path.fs  # noqa: B018
    except Exception as exc:
        from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

        raise ZohoCRMValidationError(
            f"{param}: cannot use {redact_url(url)!r} as object storage ({type(exc).__name__})",
            details={"json_path": param},
            hint="Pass a URL of a filesystem an installed provider registers (s3://, gs://, file://...), or a path",
        ) from None
    return path


def redact_url(url: str) -> str:
    """``url`` without the password of its ``user:password@`` part (fit for logs and errors); never raises."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL urlsplit can read: blank out any "user:secret@" all the same
        return _USERINFO_PASSWORD.sub(r"\1***@", url)
    if password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))

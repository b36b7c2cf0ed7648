"""How the un-enroll engine reads an error: fatal for the whole run, or for one call (and which record).

A fatal error is one every later call would hit too (credentials, permission, edition, module,
URL, spent 24-hour credits): the run stops sending instead of failing batch after batch, and
:func:`stop_error` is what it raises, carrying the run's counts.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMConnectionConfigError,
    ZohoCRMCreditsExhaustedError,
    ZohoCRMError,
    ZohoCRMPermissionError,
    ZohoCRMTokenThrottleError,
)

_FATAL_CODES = frozenset(
    {"INVALID_MODULE", "INVALID_URL_PATTERN", "INVALID_REQUEST_METHOD", "API_NOT_SUPPORTED", "FEATURE_NOT_SUPPORTED"}
)
_RECORD_PATH = "$.ids["
_CREDITS_HINT = (
    "Credits come back over a rolling 24 hours, as the calls made 24 hours earlier age out: run the task "
    "again later (with a checkpoint, only the batches not answered are sent) or buy add-on credits"
)


def is_fatal(exc: BaseException) -> bool:
    """Errors every call of the run would hit: stop instead of failing batch after batch."""
    if not isinstance(exc, ZohoCRMError):
        return True  # a bug, not a Zoho answer
    if isinstance(exc, (ZohoCRMAuthError, ZohoCRMPermissionError, ZohoCRMConnectionConfigError)):
        return True
    if isinstance(exc, ZohoCRMTokenThrottleError):
        return True  # no call can get a token for minutes
    if isinstance(exc, ZohoCRMCreditsExhaustedError):
        return True  # every call would get the same 429 until credits age out, hours from now
    return exc.code in _FATAL_CODES or exc.status_code == 404


def names_cadences(exc: ZohoCRMError) -> bool:
    """The error is about the call's cadences: every call for them would fail the same way."""
    where = f"{exc.details.get('api_name') or ''} {exc.json_path or ''}"
    return exc.code == "NOT_ALLOWED" or "cadences" in where


def culprit(exc: ZohoCRMError) -> int | None:
    """The index of the record a whole-call error names (``$.ids[i]``), if it names one."""
    path = exc.json_path or ""
    if exc.details.get("api_name") in (None, "ids") and path.startswith(_RECORD_PATH) and path.endswith("]"):
        index = path[len(_RECORD_PATH) : -1]
        return int(index) if index.isdigit() else None
    return None


def error_code(exc: ZohoCRMError) -> str:
    """The code a failed record is reported with: Zoho's, else the HTTP status, else a transport failure."""
    if exc.code:
        return exc.code
    if exc.status_code:
        return f"HTTP_{exc.status_code}"
    return "TRANSPORT_ERROR"


def stop_error(fatal: BaseException, result: dict[str, Any]) -> BaseException:
    """The error a run that stopped on ``fatal`` raises, with its counts in ``details["unenroll"]``.

    Spent credits get a new ``ZohoCRMCreditsExhaustedError`` saying how far the run got and that
    credits come back over a rolling 24 hours; other Zoho errors are raised as they came.
    """
    if not isinstance(fatal, ZohoCRMError):
        return fatal  # a bug, not a Zoho answer
    counts = {key: result[key] for key in ("records", "calls", "calls_not_sent", "succeeded", "failed")}
    summary = {**counts, "failed_by_code": result["failed_by_code"], "failures": result["failures"][:10]}
    if not isinstance(fatal, ZohoCRMCreditsExhaustedError):
        fatal.details.setdefault("unenroll", summary)
        return fatal
    error = ZohoCRMCreditsExhaustedError(
        f"Zoho CRM's API credits for the rolling 24 hours are spent: the un-enroll stopped with "
        f"{result['succeeded']} (record, cadence batch) pairs done and {result['failed']} failed, "
        f"{result['calls_not_sent']} call(s) not sent (Zoho: {fatal.message})",
        status_code=fatal.status_code,
        code=fatal.code,
        details={**fatal.details, "unenroll": summary},
        retry_after=fatal.retry_after,
        hint=_CREDITS_HINT,
    )
    error.__cause__ = fatal
    return error

"""Typed errors: one class per family, each carrying Zoho's status, code and details.

Retry policy, operators and users branch on the class (or on ``status_code``/``code``), never on
message text. Every message ends with what to do about it.
"""

from __future__ import annotations

import re
from typing import Any

try:  # a task failure in Airflow; a plain exception for the client used without Airflow
    from airflow.providers.common.compat.sdk import AirflowException as _Base
except ImportError:
    _Base = Exception  # type: ignore[misc,assignment]


class ZohoCRMError(_Base):
    """Base of every error raised by this provider."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code  # type: ignore[assignment]  # AirflowException types it as HTTPStatus
        self.code = code
        self.details: dict[str, Any] = dict(details or {})
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        # A 2xx status is no error status: Zoho's accounts server answers its refusals with HTTP 200.
        status = self.status_code
        shown = "" if not status or (isinstance(status, int) and 200 <= status < 300) else str(status)
        head = " ".join(p for p in (shown, self.code or "") if p)
        where = self.json_path or self.details.get("param_name") or self.details.get("api_name")
        text = f"{head}: {self.message}" if head else self.message
        if where:
            text += f" (at {where})"
        if self.hint:
            text += f". {self.hint}"
        return text

    @property
    def json_path(self) -> str | None:
        """Where in the request the problem is, as Zoho's or our own JSON path."""
        value = self.details.get("json_path")
        return str(value) if value is not None else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary, e.g. for a task's XCom result."""
        return {
            "error": type(self).__name__,
            "status_code": self.status_code,
            "code": self.code,
            "message": self.message,
            "details": self.details,
        }


class ZohoCRMAuthError(ZohoCRMError):
    """The credentials were refused: bad client, revoked refresh token, wrong scope."""


class ZohoCRMPermissionError(ZohoCRMError):
    """The user's profile or the org's edition does not allow this call."""


class ZohoCRMRateLimitError(ZohoCRMError):
    """Zoho throttled us: API concurrency/credits (HTTP 429) or token minting ("Access Denied")."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ZohoCRMTokenThrottleError(ZohoCRMRateLimitError):
    """Zoho's accounts server refused to mint another access token ("Access Denied").

    Not an HTTP 429 of the API: it clears only when the 10-minute minting window moves on, so
    it is never retried like one; callers wait for a token another process minted instead.
    """


class ZohoCRMCreditsExhaustedError(ZohoCRMRateLimitError):
    """HTTP 429 because the org's API credits for the rolling 24 hours are spent.

    Unlike a concurrency 429 it does not clear within a retry budget of minutes: credits come back
    only as calls made 24 hours earlier age out, so it fails at once and stops a batched un-enroll.
    """


class ZohoCRMNotFoundError(ZohoCRMError):
    """The URL or the id in it does not exist."""


class ZohoCRMValidationError(ZohoCRMError):
    """The request was invalid; raised by Zoho (HTTP 4xx) or by us before sending anything."""


class ZohoCRMDriftError(ZohoCRMError):
    """Automation changed in Zoho since its snapshot in a way a restore would overwrite; ``details["drift"]``."""


class ZohoCRMPlanStaleError(ZohoCRMDriftError):
    """Zoho changed since an automation plan was computed (its fingerprint differs): nothing was written."""


class ZohoCRMConnectionConfigError(ZohoCRMValidationError):
    """The Airflow connection is missing a field or holds an invalid one."""


class ZohoCRMServerError(ZohoCRMError):
    """Zoho failed (HTTP 5xx)."""


class ZohoCRMRedirectError(ZohoCRMServerError):
    """Zoho (or something posing as it) answered with an HTTP redirect, which is never followed.

    Following it would send the Authorization header or the refresh token to another host; a
    redirect usually means the configured ``api_url``/``accounts_url`` or data center is wrong.
    """


class ZohoCRMTransportError(ZohoCRMError):
    """No usable answer: connection refused or reset, or the timeout passed."""


_AUTH_CODES = {
    "INVALID_TOKEN": "Check that the connection's refresh token and client belong to the same Zoho org and data center",
    "INVALID_OAUTHTOKEN": "Check that the connection's refresh token is still valid",
    "AUTHENTICATION_FAILURE": "Check the connection's client id, client secret and refresh token",
    "OAUTH_SCOPE_MISMATCH": "Generate a refresh token whose scopes cover this API (see the README's "
    "'Scopes' list) and update the connection",
    "invalid_code": "The refresh token is invalid or revoked: generate a new one from Zoho's API console "
    "self-client and update the connection's refresh_token",
    # Zoho answers invalid_client for a wrong client secret too, and only 200 for either.
    "invalid_client": "Check the Client ID and Client Secret in the connection against the client in Zoho's "
    "API console (a regenerated secret must be copied here too), and that the connection's data center is "
    "the one the client was registered in",
    "invalid_client_secret": "Check the Client Secret in the connection against the client in Zoho's API "
    "console (a regenerated secret must be copied here too) and that it belongs to the Client ID",
}
_PERMISSION_CODES = {
    "NO_PERMISSION": "Grant the Zoho user the permission listed in details (e.g. Manage Automations)",
    "FEATURE_NOT_SUPPORTED": "This Zoho CRM edition lacks the feature; upgrade the org's edition",
    "API_NOT_SUPPORTED": "This API is not available for this user type or data center",
}
_VALIDATION_CODES = {
    "INVALID_DATA": "Fix the value at the path shown",
    "INVALID_MODULE": "Use a module API name from GET settings/modules (e.g. 'Leads')",
    "MANDATORY_NOT_FOUND": "Add the missing field",
    "REQUIRED_PARAM_MISSING": "Add the missing parameter",
    "DUPLICATE_DATA": "Use a unique value",
    "LIMIT_EXCEEDED": "Stay within the limit shown in details",
    "NOT_ALLOWED": "Zoho does not allow this operation on this object",
    "DEPENDENT_MISMATCH": "Remove the field or choose a value the trigger supports",
    "DEPENDENT_FIELD_MISSING": "Add the dependent field named in details",
    "AMBIGUITY_DURING_PROCESSING": "Make the request unambiguous (see details)",
    "EXPECTED_FIELD_MISSING": "Add one of the expected fields",
    "CANNOT_REMOVE": "Keep at least one action in each condition",
    "ALREADY_USED": "Use a value that is not already in use",
    "INVALID_REQUEST_METHOD": "Use the documented HTTP method",
    "INVALID_REQUEST": "Check the request against Zoho's documentation",
}
# What a spent-credits 429 says, as far as Zoho's answer allows telling it from a concurrency 429.
#
# Zoho's own sources give both cases the same HTTP status and code: the API Limits pages
# (zoho.com/crm/developer/docs/api/v2/api-limits.html, the same text under v4 and
# zoho.com/crm/help/api/api-limits.html) and the Kaizen posts #93 ("Credit
# Calculation and Concurrency in Zoho CRM APIs") and #203 ("Handling API Limits and Error
# Responses") say that spent credits and the concurrency / sub-concurrency limits all answer
# 429 TOO_MANY_REQUESTS. The published definitions (zoho/crm-oas v8.0) show one generic 429
# example (v8.0/apis/operations/getAvailableApis/examples/response-429-sample.md: message "Rate
# limit exceeded. Please retry after the specified time.", details retry_after/limit/window) and
# use ``details.limit_due_to`` only for 400 LIMIT_EXCEEDED (e.g. v8.0/fields.json). No Zoho
# source names a Retry-After or X-RATELIMIT-* header for CRM (those appear only in a generated
# third-party YAML). So the only signal is the text of the answer: a 429 whose message or details
# speak of credits, a day or 24 hours is spent credits; one that speaks of concurrency, or says
# nothing specific (the generic example), is treated as a concurrency 429 and retried.
_CREDIT_WORDS = re.compile(r"credit|24[\s-]*h(?:ou)?rs?|\bdaily\b|per[\s-]day|\ba day\b", re.IGNORECASE)
_CONCURRENCY_WORDS = re.compile(r"concurren|in progress|parallel|simultaneous", re.IGNORECASE)
_CREDITS_HINT = (
    "Zoho CRM's API credits for the rolling 24 hours are spent. They come back gradually as the calls "
    "made 24 hours earlier age out, not within a retry budget, so the call is not retried; run the task "
    "again later or buy add-on credits (the API usage page in Zoho CRM's setup shows what is left)"
)
_CONCURRENCY_HINT = (
    "Zoho's concurrency limit was hit and the retry budget ran out; lower the task's concurrency "
    "(max_workers, max_concurrency) or use an Airflow pool sized to the edition's limit"
)
_SERVER_HINT = "Zoho failed to process the request; it was retried. Try again later or contact Zoho support"


def auth_hint(code: str) -> str:
    """What to do about an authentication error code (Zoho's or the accounts server's)."""
    return _AUTH_CODES.get(code, _AUTH_CODES["AUTHENTICATION_FAILURE"])


def _looks_like_unknown_id(code: str, message: str, details: dict[str, Any]) -> bool:
    text = message.lower()
    return code == "INVALID_DATA" and ("resource_path_index" in details or "id given" in text or "given id" in text)


def error_from_response(status_code: int, body: Any, *, retry_after: float | None = None) -> ZohoCRMError:
    """Build the typed error for an unsuccessful Zoho API response.

    ``body`` is the parsed JSON (or None): a top-level error envelope, or a resource array whose
    first error item explains a failed single-object write.
    """
    envelope = _error_envelope(body)
    code = str(envelope.get("code") or "") or None
    message = str(envelope.get("message") or f"HTTP {status_code} from Zoho CRM")
    raw_details = envelope.get("details")
    details: dict[str, Any] = raw_details if isinstance(raw_details, dict) else {}
    kwargs: dict[str, Any] = {"status_code": status_code, "code": code, "details": details}

    if status_code == 429 or code == "TOO_MANY_REQUESTS":
        if credits_exhausted(message, details):
            return ZohoCRMCreditsExhaustedError(message, retry_after=retry_after, hint=_CREDITS_HINT, **kwargs)
        return ZohoCRMRateLimitError(message, retry_after=retry_after, hint=_CONCURRENCY_HINT, **kwargs)
    if status_code >= 500:
        return ZohoCRMServerError(message, hint=_SERVER_HINT, **kwargs)
    if code in _AUTH_CODES:
        return ZohoCRMAuthError(message, hint=_AUTH_CODES[code], **kwargs)
    if code in _PERMISSION_CODES or status_code == 403:
        return ZohoCRMPermissionError(message, hint=_PERMISSION_CODES.get(code or ""), **kwargs)
    if code == "INVALID_URL_PATTERN" or status_code == 404 or _looks_like_unknown_id(code or "", message, details):
        return ZohoCRMNotFoundError(
            message, hint="Check the id (it must exist in this org) and the API version", **kwargs
        )
    if status_code == 401:
        return ZohoCRMAuthError(message, hint=_AUTH_CODES["AUTHENTICATION_FAILURE"], **kwargs)
    return ZohoCRMValidationError(message, hint=_VALIDATION_CODES.get(code or ""), **kwargs)


def credits_exhausted(message: str, details: dict[str, Any]) -> bool:
    """True when a 429's words say the rolling 24-hour credits are spent (see ``_CREDIT_WORDS``)."""
    text = f"{message} {details!r}"
    return bool(_CREDIT_WORDS.search(text)) and not _CONCURRENCY_WORDS.search(text)


def _error_envelope(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        return {}
    if "code" in body:
        return body
    for value in body.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and item.get("status") == "error":
                    return item
    return {}

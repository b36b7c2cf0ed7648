"""Typed errors: rendering, to_dict and the mapping from Zoho responses to classes."""

from __future__ import annotations

import json

import pytest

from airflow_provider_zohocrm import exceptions as exc_mod
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMConnectionConfigError,
    ZohoCRMCreditsExhaustedError,
    ZohoCRMError,
    ZohoCRMNotFoundError,
    ZohoCRMPermissionError,
    ZohoCRMRateLimitError,
    ZohoCRMRedirectError,
    ZohoCRMServerError,
    ZohoCRMTokenThrottleError,
    ZohoCRMTransportError,
    ZohoCRMValidationError,
    auth_hint,
    error_from_response,
)

from .helpers import RULE_ITEM_INVALID_NAME

ALL_ERRORS = [
    ZohoCRMAuthError,
    ZohoCRMConnectionConfigError,
    ZohoCRMCreditsExhaustedError,
    ZohoCRMRedirectError,
    ZohoCRMTokenThrottleError,
    ZohoCRMNotFoundError,
    ZohoCRMPermissionError,
    ZohoCRMRateLimitError,
    ZohoCRMServerError,
    ZohoCRMTransportError,
    ZohoCRMValidationError,
]


def _envelope(code: str, message: str = "boom", **details) -> dict:
    return {"code": code, "details": details, "message": message, "status": "error"}


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_every_error_is_an_airflow_exception(cls):
    from airflow.providers.common.compat.sdk import AirflowException

    assert issubclass(cls, ZohoCRMError)
    assert issubclass(cls, AirflowException)


def test_config_error_is_a_validation_error():
    assert issubclass(ZohoCRMConnectionConfigError, ZohoCRMValidationError)


def test_render_full():
    error = ZohoCRMValidationError(
        "the value is invalid",
        status_code=400,
        code="INVALID_DATA",
        details={"json_path": "$.workflow_rules[0].name", "api_name": "name"},
        hint="Fix it",
    )
    assert str(error) == "400 INVALID_DATA: the value is invalid (at $.workflow_rules[0].name). Fix it"
    assert error.json_path == "$.workflow_rules[0].name"
    assert error.message == "the value is invalid"


def test_render_minimal_and_fallback_locations():
    assert str(ZohoCRMError("plain")) == "plain"
    assert ZohoCRMError("plain").json_path is None
    assert str(ZohoCRMError("m", details={"param_name": "module"})) == "m (at module)"
    assert str(ZohoCRMError("m", code="X", details={"api_name": "name"})) == "X: m (at name)"


@pytest.mark.parametrize("status", [200, 204])
def test_render_leaves_out_a_success_status(status):
    # Zoho's accounts server refuses a token with HTTP 200: the status is kept, not shown as an error.
    error = ZohoCRMAuthError("refused", status_code=status, code="invalid_client", hint="Fix it")
    assert str(error) == "invalid_client: refused. Fix it"
    assert error.status_code == status
    assert str(ZohoCRMServerError("odd answer", status_code=status)) == "odd answer"


@pytest.mark.parametrize("status", [302, 400, 401, 429, 503])
def test_render_shows_an_error_status(status):
    assert str(ZohoCRMError("m", status_code=status, code="X")) == f"{status} X: m"


def test_details_are_copied():
    details = {"json_path": "$.a"}
    error = ZohoCRMError("m", details=details)
    details["json_path"] = "$.b"
    assert error.json_path == "$.a"


def test_to_dict_is_json_serialisable():
    error = ZohoCRMPermissionError("nope", status_code=403, code="NO_PERMISSION", details={"permissions": ["x"]})
    data = error.to_dict()
    assert data == {
        "error": "ZohoCRMPermissionError",
        "status_code": 403,
        "code": "NO_PERMISSION",
        "message": "nope",
        "details": {"permissions": ["x"]},
    }
    assert json.loads(json.dumps(data)) == data


def test_rate_limit_error_carries_retry_after():
    error = ZohoCRMRateLimitError("slow down", retry_after=7.0, status_code=429)
    assert error.retry_after == 7.0
    assert error.status_code == 429


def test_auth_hint():
    assert "self-client" in auth_hint("invalid_code")
    # Zoho answers invalid_client for a wrong secret too: the hint names both fields and the data center.
    assert "Client ID and Client Secret in the connection" in auth_hint("invalid_client")
    assert "data center" in auth_hint("invalid_client")
    assert "Client Secret in the connection" in auth_hint("invalid_client_secret")
    assert auth_hint("something_new") == auth_hint("AUTHENTICATION_FAILURE")
    assert auth_hint("something_new") != auth_hint("invalid_code")


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (429, _envelope("TOO_MANY_REQUESTS"), ZohoCRMRateLimitError, "TOO_MANY_REQUESTS"),
        (429, None, ZohoCRMRateLimitError, None),
        (400, _envelope("TOO_MANY_REQUESTS"), ZohoCRMRateLimitError, "TOO_MANY_REQUESTS"),
        (500, _envelope("INTERNAL_ERROR"), ZohoCRMServerError, "INTERNAL_ERROR"),
        (502, None, ZohoCRMServerError, None),
        (503, "<html>unavailable</html>", ZohoCRMServerError, None),
        (504, None, ZohoCRMServerError, None),
        (401, _envelope("INVALID_TOKEN"), ZohoCRMAuthError, "INVALID_TOKEN"),
        (401, _envelope("AUTHENTICATION_FAILURE"), ZohoCRMAuthError, "AUTHENTICATION_FAILURE"),
        (401, _envelope("OAUTH_SCOPE_MISMATCH"), ZohoCRMAuthError, "OAUTH_SCOPE_MISMATCH"),
        (401, _envelope("SOMETHING_ELSE"), ZohoCRMAuthError, "SOMETHING_ELSE"),
        (401, None, ZohoCRMAuthError, None),
        (403, _envelope("NO_PERMISSION"), ZohoCRMPermissionError, "NO_PERMISSION"),
        (403, None, ZohoCRMPermissionError, None),
        (400, _envelope("FEATURE_NOT_SUPPORTED"), ZohoCRMPermissionError, "FEATURE_NOT_SUPPORTED"),
        (400, _envelope("API_NOT_SUPPORTED"), ZohoCRMPermissionError, "API_NOT_SUPPORTED"),
        (404, _envelope("INVALID_URL_PATTERN"), ZohoCRMNotFoundError, "INVALID_URL_PATTERN"),
        (404, None, ZohoCRMNotFoundError, None),
        (400, _envelope("INVALID_URL_PATTERN"), ZohoCRMNotFoundError, "INVALID_URL_PATTERN"),
        (400, _envelope("INVALID_DATA", "the id given seems to be invalid"), ZohoCRMNotFoundError, "INVALID_DATA"),
        (400, _envelope("INVALID_DATA", "invalid data", resource_path_index=0), ZohoCRMNotFoundError, "INVALID_DATA"),
        (400, _envelope("INVALID_DATA", "invalid data", api_name="name"), ZohoCRMValidationError, "INVALID_DATA"),
        (400, _envelope("INVALID_MODULE"), ZohoCRMValidationError, "INVALID_MODULE"),
        (400, _envelope("MANDATORY_NOT_FOUND"), ZohoCRMValidationError, "MANDATORY_NOT_FOUND"),
        (400, None, ZohoCRMValidationError, None),
        (400, ["not", "an", "object"], ZohoCRMValidationError, None),
        (405, _envelope("INVALID_REQUEST_METHOD"), ZohoCRMValidationError, "INVALID_REQUEST_METHOD"),
    ],
)
def test_error_from_response(status, body, cls, code):
    error = error_from_response(status, body)
    assert type(error) is cls
    assert error.status_code == status
    assert error.code == code
    assert str(status) in str(error)


def test_message_falls_back_to_the_status():
    assert error_from_response(400, None).message == "HTTP 400 from Zoho CRM"
    assert error_from_response(502, {"unexpected": True}).message == "HTTP 502 from Zoho CRM"


def test_retry_after_is_kept_for_rate_limits():
    error = error_from_response(429, None, retry_after=7.0)
    assert isinstance(error, ZohoCRMRateLimitError)
    assert error.retry_after == 7.0


def test_hints_by_code():
    assert error_from_response(400, _envelope("INVALID_MODULE")).hint == exc_mod._VALIDATION_CODES["INVALID_MODULE"]
    assert error_from_response(403, _envelope("NO_PERMISSION")).hint == exc_mod._PERMISSION_CODES["NO_PERMISSION"]
    assert error_from_response(401, _envelope("INVALID_TOKEN")).hint == exc_mod._AUTH_CODES["INVALID_TOKEN"]
    assert "retried" in str(error_from_response(500, None))


def test_per_item_error_in_a_resource_array():
    error = error_from_response(400, RULE_ITEM_INVALID_NAME)
    assert type(error) is ZohoCRMValidationError
    assert error.code == "INVALID_DATA"
    assert error.details["json_path"] == "$.workflow_rules[0].name"
    assert error.json_path == "$.workflow_rules[0].name"
    assert "(at $.workflow_rules[0].name)" in str(error)


def test_first_error_item_wins_over_successes():
    body = {
        "data": [
            {"code": "SUCCESS", "details": {"id": "1"}, "message": "ok", "status": "success"},
            {"code": "DUPLICATE_DATA", "details": {"json_path": "$.data[1].name"}, "message": "dup", "status": "error"},
            {"code": "INVALID_DATA", "details": {}, "message": "later", "status": "error"},
        ]
    }
    error = error_from_response(400, body)
    assert (error.code, error.json_path, error.message) == ("DUPLICATE_DATA", "$.data[1].name", "dup")


def test_non_dict_details_are_ignored():
    error = error_from_response(400, {"code": "INVALID_DATA", "details": ["x"], "message": "m"})
    assert error.details == {}


# --- 429: spent credits or concurrency --------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "details"),
    [
        ("API credit limit of the last 24 hours exceeded. Please try again after some time.", {}),
        ("You have exceeded the API credits allotted to your organization", {}),
        ("Daily API limit reached", {}),
        ("API limit exceeded for the 24 hours window", {}),
        ("Limit exceeded", {"limit_due_to": [{"api_name": "api_credits"}]}),
        ("Rate limit exceeded.", {"remaining_credits": 0}),
    ],
)
def test_spent_credits_are_their_own_error(message, details):
    error = error_from_response(429, _envelope("TOO_MANY_REQUESTS", message, **details), retry_after=60.0)
    assert type(error) is ZohoCRMCreditsExhaustedError
    assert isinstance(error, ZohoCRMRateLimitError)
    assert (error.status_code, error.code, error.retry_after) == (429, "TOO_MANY_REQUESTS", 60.0)
    assert "rolling 24 hours" in str(error)
    assert "not retried" in str(error)


@pytest.mark.parametrize(
    ("message", "details"),
    [
        ("Concurrency limit of 10 requests in progress exceeded. Please try again after some time.", {}),
        ("Rate limit exceeded. Please retry after the specified time.", {"retry_after": 60, "limit": 100}),
        ("too many requests", {}),
        ("Concurrent API credits usage exceeded", {}),  # concurrency words win: a retry can succeed
    ],
)
def test_concurrency_and_unspecific_429s_stay_retryable_rate_limits(message, details):
    error = error_from_response(429, _envelope("TOO_MANY_REQUESTS", message, **details))
    assert type(error) is ZohoCRMRateLimitError
    assert "concurrency" in str(error)


def test_a_429_without_a_body_is_a_concurrency_429():
    assert type(error_from_response(429, None)) is ZohoCRMRateLimitError
    assert type(error_from_response(429, "<html>Too Many Requests</html>")) is ZohoCRMRateLimitError

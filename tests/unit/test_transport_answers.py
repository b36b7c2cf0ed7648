"""Whatever the server answers becomes a typed error: JSON of any depth, spent credits, redirects."""

from __future__ import annotations

import pytest

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMCreditsExhaustedError,
    ZohoCRMNotFoundError,
    ZohoCRMRateLimitError,
    ZohoCRMServerError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.hooks import ZohoCRMHook

from .helpers import TOKEN_URL, WORKFLOW_PATH, WORKFLOW_URL, token_requests

# Deeper than any interpreter's recursion limit: json.loads raises RecursionError, not ValueError.
DEEP_ARRAY = "[" * 200_000 + "]" * 200_000
DEEP_OBJECT = '{"a":' * 200_000 + "1" + "}" * 200_000


@pytest.mark.parametrize("text", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_in_a_success_is_a_server_error_not_retried(hook, requests_mock, recorded_sleeps, text):
    called = requests_mock.get(WORKFLOW_URL, text=text)
    with pytest.raises(ZohoCRMServerError) as info:
        hook.request("GET", WORKFLOW_PATH)
    assert "nested too deeply" in str(info.value)
    assert info.value.status_code == 200
    assert (called.call_count, recorded_sleeps) == (1, [])
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    ("status", "cls", "calls"),
    [
        (400, ZohoCRMValidationError, 1),
        (401, ZohoCRMAuthError, 1),  # a 401's body is read to decide a token renewal: no crash there either
        (404, ZohoCRMNotFoundError, 1),
        (429, ZohoCRMRateLimitError, 3),
        (503, ZohoCRMServerError, 3),
    ],
)
def test_deep_json_in_an_error_is_typed_by_its_status(
    zoho_conn, zoho_token, requests_mock, recorded_sleeps, status, cls, calls
):
    called = requests_mock.get(WORKFLOW_URL, status_code=status, text=DEEP_ARRAY)
    with pytest.raises(cls) as info:
        ZohoCRMHook(max_attempts=3).request("GET", WORKFLOW_PATH)
    assert type(info.value) is cls
    assert info.value.status_code == status
    assert called.call_count == calls


def test_deep_json_from_the_token_endpoint_is_an_auth_error(zoho_conn, requests_mock, recorded_sleeps):
    requests_mock.post(TOKEN_URL, text=DEEP_OBJECT)
    api = requests_mock.get(WORKFLOW_URL, json={})
    with pytest.raises(ZohoCRMAuthError) as info:
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert "without a token (JSON nested too deeply to read)" in str(info.value)
    assert len(token_requests(requests_mock)) == 1
    assert api.call_count == 0


# --- 429: spent credits fail at once, concurrency is retried -----------------------------------------

CREDITS_SPENT = {
    "code": "TOO_MANY_REQUESTS",
    "details": {},
    "message": "API credit limit of the last 24 hours exceeded. Please try again after some time.",
    "status": "error",
}
CONCURRENCY = {
    "code": "TOO_MANY_REQUESTS",
    "details": {},
    "message": "Concurrency limit of 10 requests in progress exceeded. Please try again after some time.",
    "status": "error",
}


def test_spent_credits_fail_at_once(hook, requests_mock, recorded_sleeps):
    called = requests_mock.get(WORKFLOW_URL, status_code=429, json=CREDITS_SPENT, headers={"Retry-After": "5"})
    with pytest.raises(ZohoCRMCreditsExhaustedError) as info:
        hook.request("GET", WORKFLOW_PATH)
    assert (called.call_count, recorded_sleeps) == (1, [])
    error = info.value
    assert isinstance(error, ZohoCRMRateLimitError)
    assert (error.status_code, error.code, error.retry_after) == (429, "TOO_MANY_REQUESTS", 5.0)
    assert "rolling 24 hours" in str(error)


def test_a_concurrency_429_is_still_retried(hook, requests_mock, recorded_sleeps):
    called = requests_mock.get(WORKFLOW_URL, [{"status_code": 429, "json": CONCURRENCY}, {"json": {"ok": 1}}])
    assert hook.request("GET", WORKFLOW_PATH) == {"ok": 1}
    assert called.call_count == 2
    assert len(recorded_sleeps) == 1

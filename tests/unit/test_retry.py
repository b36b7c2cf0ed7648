"""RetryPolicy: what is retried, how long it waits, and the attempt and time budgets."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm import retry
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
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
)
from airflow_provider_zohocrm.retry import RetryPolicy, is_retryable, is_token_rejection


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ZohoCRMTransportError("reset"), True),
        (ZohoCRMRateLimitError("429", status_code=429), True),
        (ZohoCRMServerError("500", status_code=500), True),
        (ZohoCRMServerError("502", status_code=502), True),
        (ZohoCRMServerError("503", status_code=503), True),
        (ZohoCRMServerError("504", status_code=504), True),
        (ZohoCRMServerError("501", status_code=501), False),
        (ZohoCRMServerError("200 but not JSON", status_code=200), False),
        (ZohoCRMRateLimitError("Access Denied", status_code=200, code="Access Denied"), False),
        (ZohoCRMTokenThrottleError("Access Denied", code="Access Denied"), False),
        (ZohoCRMCreditsExhaustedError("credits", status_code=429, code="TOO_MANY_REQUESTS"), False),
        (ZohoCRMRedirectError("302", status_code=302), False),
        (ZohoCRMAuthError("401", status_code=401), False),
        (ZohoCRMPermissionError("403", status_code=403), False),
        (ZohoCRMNotFoundError("404", status_code=404), False),
        (ZohoCRMValidationError("400", status_code=400), False),
        (ZohoCRMError("500?", status_code=500), False),
        (ValueError("bug"), False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_is_retryable(error, expected):
    assert is_retryable(error) is expected


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "INVALID_OAUTHTOKEN", True),
        (401, "INVALID_TOKEN", True),
        (401, "AUTHENTICATION_FAILURE", True),
        (401, "OAUTH_SCOPE_MISMATCH", False),
        (401, None, False),
        (400, "INVALID_TOKEN", False),
        (403, "AUTHENTICATION_FAILURE", False),
    ],
)
def test_is_token_rejection(status, code, expected):
    assert is_token_rejection(status, code) is expected


def test_spent_credits_are_raised_at_once_never_retried(recorded_sleeps):
    calls = []

    def spent():
        calls.append(1)
        raise ZohoCRMCreditsExhaustedError("credits", status_code=429, code="TOO_MANY_REQUESTS", retry_after=1)

    with pytest.raises(ZohoCRMCreditsExhaustedError):
        RetryPolicy().call(spent)
    assert (len(calls), recorded_sleeps) == (1, [])


@given(attempt=st.integers(min_value=1, max_value=40))
def test_backoff_is_bounded(attempt):
    policy = RetryPolicy()
    wait = policy.wait_seconds(attempt, ZohoCRMServerError("x", status_code=503))
    assert 0 <= wait <= min(policy.max_wait, policy.initial_wait * 2 ** (attempt - 1))


@given(attempt=st.integers(min_value=1, max_value=40), retry_after=st.floats(min_value=0.1, max_value=600))
def test_retry_after_is_a_floor(attempt, retry_after):
    wait = RetryPolicy().wait_seconds(attempt, ZohoCRMRateLimitError("x", status_code=429, retry_after=retry_after))
    assert wait >= retry_after


def test_backoff_grows(monkeypatch):
    import random

    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    policy = RetryPolicy(initial_wait=0.5, max_wait=30)
    assert [policy.wait_seconds(n, None) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]


class Flaky:
    """Raises the given errors in turn, then returns ``"done"``."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_retries_then_succeeds(recorded_sleeps):
    fn = Flaky(ZohoCRMServerError("a", status_code=503), ZohoCRMTransportError("b"))
    assert RetryPolicy().call(fn) == "done"
    assert fn.calls == 3
    assert len(recorded_sleeps) == 2


def test_non_retryable_error_is_raised_at_once(recorded_sleeps):
    error = ZohoCRMValidationError("bad", status_code=400)
    fn = Flaky(error)
    with pytest.raises(ZohoCRMValidationError) as info:
        RetryPolicy().call(fn)
    assert info.value is error
    assert fn.calls == 1
    assert recorded_sleeps == []


@pytest.mark.parametrize("max_attempts", [1, 2, 6])
def test_attempt_budget(recorded_sleeps, max_attempts):
    errors = [ZohoCRMServerError(f"n{i}", status_code=503) for i in range(10)]
    fn = Flaky(*errors)
    with pytest.raises(ZohoCRMServerError) as info:
        RetryPolicy(max_attempts=max_attempts).call(fn)
    assert fn.calls == max_attempts
    assert info.value is errors[max_attempts - 1]  # the last error, not a tenacity RetryError
    assert len(recorded_sleeps) == max_attempts - 1


def test_time_budget_stops_before_an_overlong_wait(recorded_sleeps):
    fn = Flaky(*[ZohoCRMRateLimitError("429", status_code=429, retry_after=20) for _ in range(5)])
    with pytest.raises(ZohoCRMRateLimitError):
        RetryPolicy(max_attempts=6, max_seconds=10).call(fn)
    assert fn.calls == 1
    assert recorded_sleeps == []


def test_sleeps_go_through_the_module_function(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(retry, "_sleep", slept.append)
    fn = Flaky(ZohoCRMRateLimitError("429", status_code=429, retry_after=3))
    RetryPolicy().call(fn)
    assert len(slept) == 1
    assert slept[0] >= 3


def test_each_retry_is_logged(recorded_sleeps, caplog):
    fn = Flaky(ZohoCRMServerError("x", status_code=502, code="INTERNAL_ERROR"), ZohoCRMTransportError("y"))
    with caplog.at_level(logging.WARNING, logger="airflow_provider_zohocrm.retry"):
        RetryPolicy(max_attempts=4).call(fn, describe="GET org")
    messages = [r.getMessage() for r in caplog.records if r.name == "airflow_provider_zohocrm.retry"]
    assert len(messages) == 2
    assert messages[0].startswith("GET org failed (502 INTERNAL_ERROR); retrying in")
    assert "(attempt 2 of 4)" in messages[0]
    assert "ZohoCRMTransportError" in messages[1]
    assert "(attempt 3 of 4)" in messages[1]

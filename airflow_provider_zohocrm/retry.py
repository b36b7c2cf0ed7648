"""When to retry a Zoho call and how long to wait: one policy, decided from typed errors.

Only failures that a later attempt can fix are retried: HTTP 429 and 500/502/503/504, connection
errors and timeouts. Every other 4xx, a 429 for spent API credits (they come back over 24 hours)
and Zoho's token-minting throttle (which only clears after minutes) surface at once. A request
whose access token Zoho rejects (:data:`TOKEN_REJECTED_CODES`) gets one fresh token and one more
try, decided here by :func:`is_token_rejection`. The same policy object paces every other wait of a client: the
re-list-then-post loop of a connected-workflow create, the wait for another worker's token while
minting is throttled, and the Variable cache's lease. All of them sleep through :func:`_sleep`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMCreditsExhaustedError,
    ZohoCRMError,
    ZohoCRMRateLimitError,
    ZohoCRMServerError,
    ZohoCRMTokenThrottleError,
    ZohoCRMTransportError,
)

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# 401 codes meaning "this access token is dead" (expired, revoked, or killed by a 16th token):
# INVALID_OAUTHTOKEN is the code on Zoho's token-validity page, INVALID_TOKEN the one the API
# pages and definitions list, AUTHENTICATION_FAILURE what other clients see for a token killed early.
TOKEN_REJECTED_CODES = frozenset({"INVALID_OAUTHTOKEN", "INVALID_TOKEN", "AUTHENTICATION_FAILURE"})
T = TypeVar("T")


def is_token_rejection(status_code: int, code: object) -> bool:
    """True when an answer to a request that carried a token means: refresh it once, try once more."""
    return status_code == 401 and code in TOKEN_REJECTED_CODES


def is_retryable(exc: BaseException) -> bool:
    """True for errors a later attempt may not hit."""
    if isinstance(exc, ZohoCRMTransportError):
        return True
    if isinstance(exc, (ZohoCRMTokenThrottleError, ZohoCRMCreditsExhaustedError)):
        return False
    if isinstance(exc, (ZohoCRMRateLimitError, ZohoCRMServerError)):
        return exc.status_code in RETRYABLE_STATUS
    return False


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, at least ``Retry-After``, within attempt and time budgets."""

    max_attempts: int = 6
    max_seconds: float = 300.0
    initial_wait: float = 0.5
    max_wait: float = 30.0

    @classmethod
    def for_settings(cls, settings: Any) -> RetryPolicy:
        """The budget a connection sets (``max_attempts``, ``max_retry_seconds``)."""
        return cls(max_attempts=settings.max_attempts, max_seconds=settings.max_retry_seconds)

    def wait_seconds(self, attempt: int, exc: BaseException | None) -> float:
        import random

        backoff = random.uniform(  # noqa: S311 - jitter, not cryptography
            0, min(self.max_wait, self.initial_wait * 2 ** (attempt - 1))
        )
        retry_after = getattr(exc, "retry_after", None)
        return max(backoff, retry_after) if retry_after else backoff

    def pause(self, attempt: int, exc: BaseException | None = None) -> None:
        """Sleep the backoff after failed ``attempt`` (counted from 1)."""
        _sleep(self.wait_seconds(attempt, exc))

    def wait_for(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float,
        describe: str,
        clock: Callable[[], float] = time.time,
        first_wait: float = 1.0,
        max_wait: float = 30.0,
        level: int = logging.WARNING,
    ) -> T | None:
        """Sleep, then ``check()``, doubling the pause, until it returns a value or ``timeout`` passes."""
        deadline = clock() + timeout
        delay = first_wait
        while clock() < deadline:
            log.log(level, "%s; checking again in %.1f s", describe, delay)
            _sleep(delay)
            found = check()
            if found is not None:
                return found
            delay = min(delay * 2, max_wait)
        return None

    def call(self, fn: Callable[[], T], describe: str = "Zoho CRM call") -> T:
        """Run ``fn`` under the policy; the last error is re-raised when the budget is spent."""
        import tenacity

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.wait_seconds(state.attempt_number, exc)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s failed (%s); retrying in %.1f s (attempt %d of %d)",
                describe,
                _summary(exc),
                state.upcoming_sleep,
                state.attempt_number + 1,
                self.max_attempts,
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts) | tenacity.stop_before_delay(self.max_seconds),
            wait=wait,
            retry=tenacity.retry_if_exception(is_retryable),
            before_sleep=before_sleep,
            sleep=lambda seconds: _sleep(seconds),
            reraise=True,
        )
        return retrying(fn)


def _summary(exc: Any) -> str:
    if isinstance(exc, ZohoCRMError):
        return " ".join(str(p) for p in (exc.status_code, exc.code) if p) or type(exc).__name__
    return type(exc).__name__

"""Canary secrets never leak: not in logs, output, errors, reprs or test_connection messages.

The masker is replaced by a recorder, so nothing here passes only because Airflow redacted it.
A property of the whole package (connection, auth, transport, hook and errors together), so this
module tests no one module and sits at the top of ``tests/unit`` rather than beside one of them.
"""

from __future__ import annotations

import json
import logging
import traceback

import pytest
import requests

from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, AccessToken
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMConnectionConfigError,
    ZohoCRMError,
    ZohoCRMNotFoundError,
    ZohoCRMPermissionError,
    ZohoCRMRateLimitError,
    ZohoCRMRedirectError,
    ZohoCRMServerError,
    ZohoCRMTransportError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.hooks import ZohoCRMHook

from .helpers import (
    ACCESS_TOKEN,
    CANARIES,
    CLIENT_SECRET,
    INVALID_TOKEN,
    REFRESH_TOKEN,
    RULE_ITEM_INVALID_NAME,
    TOKEN_URL,
    WORKFLOW_PATH,
    WORKFLOW_URL,
    make_settings,
    mock_token,
)


class _RawLogs(logging.Handler):
    """Formats each record as it is emitted, before any other handler's filter can redact it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@pytest.fixture
def masked(monkeypatch):
    """What the provider registered with Airflow's secret masker (which stays unaware of it)."""
    import airflow.providers.common.compat.sdk as compat_sdk

    calls: list[str] = []
    monkeypatch.setattr(compat_sdk, "mask_secret", calls.append)
    return calls


@pytest.fixture
def leak_check(caplog, capfd, masked):
    """Call with extra texts to check; also checks every log record and everything printed."""
    caplog.set_level(logging.DEBUG)
    raw = _RawLogs()
    logging.root.handlers.insert(0, raw)

    def check(*texts: str) -> None:
        out, err = capfd.readouterr()
        everything = [caplog.text, out, err, *raw.lines, *(r.getMessage() for r in caplog.records), *texts]
        for text in everything:
            for canary in CANARIES:
                assert canary not in text, f"{canary} leaked into: {text[:300]!r}"
        assert caplog.records, "nothing was logged at all: the check would prove nothing"

    yield check
    logging.root.removeHandler(raw)


def _error_texts(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    if isinstance(error, ZohoCRMError):
        texts.append(json.dumps(error.to_dict()))
        texts.append(repr(error.args))
    return texts


# name -> (set up requests_mock, expected error class)
FAILURES = {
    "token-invalid_code": (lambda m: m.post(TOKEN_URL, json={"error": "invalid_code"}), ZohoCRMAuthError),
    "token-invalid_client_secret": (
        lambda m: m.post(TOKEN_URL, status_code=400, json={"error": "invalid_client_secret"}),
        ZohoCRMAuthError,
    ),
    "token-access-denied": (
        lambda m: m.post(TOKEN_URL, json={"error": "Access Denied", "status": "failure"}),
        ZohoCRMRateLimitError,
    ),
    "token-500": (lambda m: m.post(TOKEN_URL, status_code=500, text="down"), ZohoCRMServerError),
    "token-unreachable": (lambda m: m.post(TOKEN_URL, exc=requests.ConnectionError("refused")), ZohoCRMTransportError),
    "token-timeout": (lambda m: m.post(TOKEN_URL, exc=requests.ReadTimeout("slow")), ZohoCRMTransportError),
    "token-redirect": (
        lambda m: m.post(TOKEN_URL, status_code=302, headers={"Location": "https://evil.example/"}),
        ZohoCRMRedirectError,
    ),
    "token-html": (lambda m: m.post(TOKEN_URL, text="<html>sign in</html>"), ZohoCRMAuthError),
    "api-401-twice": (
        lambda m: (mock_token(m), m.get(WORKFLOW_URL, status_code=401, json=INVALID_TOKEN)),
        ZohoCRMAuthError,
    ),
    "api-429-forever": (
        lambda m: (mock_token(m), m.get(WORKFLOW_URL, status_code=429, headers={"Retry-After": "1"})),
        ZohoCRMRateLimitError,
    ),
    "api-503-forever": (lambda m: (mock_token(m), m.get(WORKFLOW_URL, status_code=503)), ZohoCRMServerError),
    "api-400-item": (
        lambda m: (mock_token(m), m.get(WORKFLOW_URL, status_code=400, json=RULE_ITEM_INVALID_NAME)),
        ZohoCRMValidationError,
    ),
    "api-403": (
        lambda m: (mock_token(m), m.get(WORKFLOW_URL, status_code=403, json={"code": "NO_PERMISSION"})),
        ZohoCRMPermissionError,
    ),
    "api-404": (lambda m: (mock_token(m), m.get(WORKFLOW_URL, status_code=404)), ZohoCRMNotFoundError),
    "api-unreachable": (
        lambda m: (mock_token(m), m.get(WORKFLOW_URL, exc=requests.ConnectionError("reset"))),
        ZohoCRMTransportError,
    ),
    "api-timeout": (lambda m: (mock_token(m), m.get(WORKFLOW_URL, exc=requests.Timeout)), ZohoCRMTransportError),
    "api-not-json": (lambda m: (mock_token(m), m.get(WORKFLOW_URL, text="<html/>")), ZohoCRMServerError),
}


def test_success_path(zoho_conn, requests_mock, leak_check, masked):
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, [{"status_code": 401, "json": INVALID_TOKEN}, {"json": {"workflow_rules": []}}])
    hook = ZohoCRMHook()
    assert hook.request("GET", WORKFLOW_PATH) == {"workflow_rules": []}
    ok, message = ZohoCRMHook().test_connection()
    assert ok is True
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN):
        assert secret in masked, f"{secret} was never registered with the secret masker"
    token = MEMORY_CACHE.load(hook.transport.tokens.key)
    leak_check(message, repr(hook.settings), str(hook.settings), repr(token), repr(hook.transport.tokens.settings))


@pytest.mark.parametrize("scenario", list(FAILURES))
def test_failure_paths(zoho_conn, requests_mock, leak_check, masked, recorded_sleeps, scenario):
    setup, expected = FAILURES[scenario]
    setup(requests_mock)
    with pytest.raises(expected) as info:
        ZohoCRMHook(max_attempts=3).request("GET", WORKFLOW_PATH)
    MEMORY_CACHE.clear()
    ok, message = ZohoCRMHook(max_attempts=2).test_connection()
    assert ok is False
    assert CLIENT_SECRET in masked
    assert REFRESH_TOKEN in masked
    leak_check(message, *_error_texts(info.value))


@pytest.mark.parametrize(
    ("extras", "login", "password"),
    [
        ({"refresh_token": ""}, "1000.CLIENT", CLIENT_SECRET),
        ({}, None, CLIENT_SECRET),
        ({}, "1000.CLIENT", None),
        ({"data_center": "mars"}, "1000.CLIENT", CLIENT_SECRET),
        ({"api_url": f"ftp://user:{CLIENT_SECRET}@example.com"}, "1000.CLIENT", CLIENT_SECRET),
        ({"accounts_url": f"https://example.com/?rt={REFRESH_TOKEN}"}, "1000.CLIENT", CLIENT_SECRET),
    ],
)
def test_connection_errors(make_zoho_conn, requests_mock, leak_check, extras, login, password):
    make_zoho_conn(login=login, password=password, **extras)
    with pytest.raises(ZohoCRMConnectionConfigError) as info:
        ZohoCRMHook().request("GET", WORKFLOW_PATH)
    ok, message = ZohoCRMHook().test_connection()
    assert ok is False
    assert requests_mock.request_history == []
    logging.getLogger("airflow_provider_zohocrm").debug("connection error checked")  # leak_check needs a record
    leak_check(message, *_error_texts(info.value))


def test_reprs_hide_secrets():
    settings = make_settings()
    token = AccessToken(ACCESS_TOKEN, 10.0, 5.0, "https://www.zohoapis.com")
    for text in (repr(settings), str(settings), repr(token), str(token)):
        for canary in CANARIES:
            assert canary not in text


def test_register_secret_uses_the_compat_masker(masked):
    from airflow_provider_zohocrm.auth.oauth import register_secret

    register_secret("some-runtime-secret")
    assert masked == ["some-runtime-secret"]

"""Connection settings: extras, defaults, overrides and every validation error."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_zohocrm import connection
from airflow_provider_zohocrm.connection import check_base_url, get_extra, settings_from_connection
from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError, ZohoCRMValidationError
from airflow_provider_zohocrm.hooks import ZohoCRMHook

from .helpers import CANARIES, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeConnection, config_error, make_settings


def test_defaults():
    settings = make_settings()
    assert (settings.conn_id, settings.client_id, settings.client_secret, settings.refresh_token) == (
        "zoho_crm_default",
        CLIENT_ID,
        CLIENT_SECRET,
        REFRESH_TOKEN,
    )
    assert (settings.data_center, settings.environment, settings.api_version) == ("us", "production", "v8")
    assert settings.accounts_url == "https://accounts.zoho.com"
    assert settings.api_url == "https://www.zohoapis.com"
    assert settings.api_url_overridden is False
    assert (settings.timeout, settings.max_attempts, settings.max_retry_seconds) == (30.0, 6, 300.0)
    assert isinstance(settings.max_attempts, int)
    assert settings.max_concurrency == 8
    assert isinstance(settings.max_concurrency, int)
    assert settings.auth_cache == "file"


def test_settings_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_settings().api_url = "https://evil.example"  # type: ignore[misc]


def test_missing_conn_id_falls_back_to_default():
    assert settings_from_connection(FakeConnection(conn_id=None)).conn_id == "zoho_crm_default"


def test_plain_extra_keys():
    settings = make_settings(
        data_center="EU",
        environment=" Sandbox ",
        api_version="v7",
        timeout="12.5",
        max_attempts="3",
        max_retry_seconds=45,
        auth_cache="memory",
    )
    assert (settings.data_center, settings.environment, settings.api_version) == ("eu", "sandbox", "v7")
    assert settings.api_url == "https://sandbox.zohoapis.eu"
    assert (settings.timeout, settings.max_attempts, settings.max_retry_seconds) == (12.5, 3, 45.0)
    assert settings.auth_cache == "memory"


def test_prefixed_extra_keys_are_a_fallback():
    extras = {
        "extra__zoho_crm__refresh_token": "prefixed-refresh",
        "extra__zoho_crm__data_center": "jp",
        "extra__zoho_crm__environment": "developer",
        "extra__zoho_crm__timeout": "7",
    }
    settings = settings_from_connection(FakeConnection(extra=extras))
    assert settings.refresh_token == "prefixed-refresh"
    assert settings.api_url == "https://developer.zohoapis.jp"
    assert settings.timeout == 7.0


def test_plain_key_beats_prefixed_key():
    extras = {"refresh_token": "plain", "extra__zoho_crm__refresh_token": "prefixed", "data_center": "in"}
    extras["extra__zoho_crm__data_center"] = "au"
    settings = settings_from_connection(FakeConnection(extra=extras))
    assert (settings.refresh_token, settings.data_center) == ("plain", "in")


def test_empty_string_is_unset():
    extras = {
        "refresh_token": "",
        "extra__zoho_crm__refresh_token": "from-prefixed",
        "data_center": "",
        "api_url": "",
        "accounts_url": "",
        "timeout": "",
        "auth_cache": "",
    }
    settings = settings_from_connection(FakeConnection(extra=extras))
    assert settings.refresh_token == "from-prefixed"
    assert settings.data_center == "us"
    assert settings.api_url == "https://www.zohoapis.com"
    assert settings.api_url_overridden is False
    assert settings.timeout == 30.0
    assert settings.auth_cache == "file"


def test_get_extra():
    assert get_extra({"a": 0}, "a") == 0
    assert get_extra({"a": False}, "a") is False
    assert get_extra({"a": "", "extra__zoho_crm__a": ""}, "a") is None
    assert get_extra({}, "a") is None


def test_values_are_stripped():
    settings = make_settings(
        login=f"  {CLIENT_ID} ", password=f" {CLIENT_SECRET}\n", refresh_token=f" {REFRESH_TOKEN} "
    )
    assert (settings.client_id, settings.client_secret, settings.refresh_token) == (
        CLIENT_ID,
        CLIENT_SECRET,
        REFRESH_TOKEN,
    )


@pytest.mark.parametrize("missing", [None, "", "   "])
@pytest.mark.parametrize(
    ("field", "label"),
    [("login", "login (Client ID)"), ("password", "password (Client Secret)"), ("refresh_token", "refresh_token")],
)
def test_missing_required_field(field, label, missing):
    conn = FakeConnection(conn_id="my_zoho")
    if field == "refresh_token":
        conn.extra_dejson = {"refresh_token": missing} if missing is not None else {}
    else:
        setattr(conn, field, missing)
    error = config_error(conn)
    message = str(error)
    assert label in message
    assert "'my_zoho'" in message
    assert error.details == {"param_name": label, "conn_id": "my_zoho"}
    assert isinstance(error, ZohoCRMValidationError)
    for canary in CANARIES:
        assert canary not in message
        assert canary not in repr(error)


@pytest.mark.parametrize(
    ("extras", "field", "shown"),
    [
        ({"data_center": "mars"}, "data_center", "'mars'"),
        ({"data_center": "com"}, "data_center", "'com'"),
        ({"environment": "staging"}, "environment", "'staging'"),
        ({"api_version": "v2"}, "api_version", "'v2'"),
        ({"auth_cache": "redis"}, "auth_cache", "'redis'"),
        ({"timeout": "abc"}, "timeout", "'abc'"),
        ({"timeout": 0}, "timeout", "0"),
        ({"timeout": -5}, "timeout", "-5"),
        ({"timeout": [1]}, "timeout", "[1]"),
        ({"max_attempts": "x"}, "max_attempts", "'x'"),
        ({"max_attempts": "2.5"}, "max_attempts", "'2.5'"),
        ({"max_attempts": 0}, "max_attempts", "0"),
        ({"max_retry_seconds": "-1"}, "max_retry_seconds", "'-1'"),
        ({"max_concurrency": 0}, "max_concurrency", "0"),
        ({"max_concurrency": "many"}, "max_concurrency", "'many'"),
    ],
)
def test_invalid_extra(extras, field, shown):
    error = config_error(FakeConnection(conn_id="bad_conn", extra={"refresh_token": REFRESH_TOKEN, **extras}))
    message = str(error)
    assert f"field {field} " in message
    assert "'bad_conn'" in message
    assert shown in message
    assert error.details["param_name"] == field
    assert REFRESH_TOKEN not in message


def test_enum_error_lists_allowed_values():
    message = str(config_error(FakeConnection(extra={"refresh_token": "x1234", "data_center": "mars"})))
    for dc in ("us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk"):
        assert dc in message


def test_extra_must_be_an_object():
    error = config_error(FakeConnection(extra=["refresh_token"]))
    assert "field extra must be a JSON object" in str(error)


def test_url_overrides_win():
    settings = make_settings(
        data_center="eu",
        environment="sandbox",
        accounts_url="https://accounts.proxy.example/",
        api_url=" https://api.proxy.example/zoho/ ",
    )
    assert settings.accounts_url == "https://accounts.proxy.example"
    assert settings.token_url == "https://accounts.proxy.example/oauth/v2/token"
    assert settings.api_url == "https://api.proxy.example/zoho"
    assert settings.api_url_overridden is True


def test_accounts_override_alone_keeps_data_center_api():
    settings = make_settings(data_center="ca", accounts_url="http://127.0.0.1:9000")
    assert settings.accounts_url == "http://127.0.0.1:9000"
    assert settings.api_url == "https://www.zohoapis.ca"
    assert settings.api_url_overridden is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1",
        "http://127.0.0.1:8080",
        "http://127.8.9.10:1/prefix",
        "http://localhost:9000/base",
        "http://[::1]:8080",
        "https://example.com",
        "https://example.com:8443/zoho",
        "https://10.0.0.5",
    ],
)
def test_base_url_accepted(url):
    assert check_base_url(url, "c", "api_url") == url.rstrip("/")
    assert make_settings(api_url=url).api_url == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://example.com", "only allowed to loopback"),
        ("http://10.0.0.1:8080", "only allowed to loopback"),
        ("http://localhost.evil.io", "only allowed to loopback"),
        ("http://127.0.0.1.nip.io", "only allowed to loopback"),
        ("https://user:pw@example.com", "credentials"),
        ("https://user@example.com", "credentials"),
        ("https://example.com/?next=1", "query"),
        ("https://example.com#frag", "fragment"),
        ("http://127.0.0.1/?x=1", "query"),
        ("ftp://example.com", "expected an https:// URL"),
        ("example.com", "expected an https:// URL"),
        ("https://", "expected an https:// URL"),
        ("javascript:alert(1)", "expected an https:// URL"),
    ],
)
@pytest.mark.parametrize("field", ["accounts_url", "api_url"])
def test_base_url_rejected(url, problem, field):
    error = config_error(FakeConnection(conn_id="urls", extra={"refresh_token": REFRESH_TOKEN, field: url}))
    assert problem in str(error)
    assert f"field {field} " in str(error)
    assert error.details["param_name"] == field


def test_base_url_must_be_a_string():
    with pytest.raises(ZohoCRMConnectionConfigError, match="must be a URL string"):
        check_base_url(8080, "c", "api_url")


def test_url_error_does_not_echo_credentials():
    for url in (f"ftp://user:{CLIENT_SECRET}@example.com", f"https://example.com?token={REFRESH_TOKEN}"):
        error = config_error(FakeConnection(extra={"refresh_token": "r-12345", "api_url": url}))
        for canary in CANARIES:
            assert canary not in str(error)


@given(st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(com|net|io|org)", fullmatch=True))
def test_plain_http_to_any_named_host_is_rejected(host):
    with pytest.raises(ZohoCRMConnectionConfigError, match="loopback"):
        check_base_url(f"http://{host}", "c", "api_url")


def test_extra_fields_are_all_understood():
    # Every documented extra key changes the parsed settings (none is silently ignored).
    base = make_settings()
    changed = {
        "data_center": "eu",
        "environment": "sandbox",
        "api_version": "v7",
        "accounts_url": "https://a.example",
        "api_url": "https://b.example",
        "timeout": 5,
        "max_attempts": 2,
        "max_retry_seconds": 9,
        "max_concurrency": 3,
        "auth_cache": "memory",
    }
    assert set(changed) | {"refresh_token"} == set(connection.EXTRA_FIELDS)
    for key, value in changed.items():
        assert make_settings(**{key: value}) != base, key


def test_hook_arguments_override_extras(make_zoho_conn):
    conn_id = make_zoho_conn("zoho_override", timeout=99, max_attempts=9, max_retry_seconds=999)
    from_extras = ZohoCRMHook(conn_id).settings
    assert (from_extras.timeout, from_extras.max_attempts, from_extras.max_retry_seconds) == (99.0, 9, 999.0)
    hooked = ZohoCRMHook(conn_id, timeout=5, max_attempts=2, max_retry_seconds=10).settings
    assert (hooked.timeout, hooked.max_attempts, hooked.max_retry_seconds) == (5.0, 2, 10.0)


def test_hook_argument_overrides_are_validated(make_zoho_conn):
    conn_id = make_zoho_conn("zoho_override_bad")
    with pytest.raises(ZohoCRMConnectionConfigError, match="max_attempts"):
        _ = ZohoCRMHook(conn_id, max_attempts=0).settings
    with pytest.raises(ZohoCRMConnectionConfigError, match="timeout"):
        _ = ZohoCRMHook(conn_id, timeout=-1).settings


def test_repr_hides_secrets():
    settings = make_settings()
    for text in (repr(settings), str(settings)):
        assert "zoho_crm_default" in text
        assert "https://www.zohoapis.com" in text
        for secret in (CLIENT_SECRET, REFRESH_TOKEN):
            assert secret not in text


def test_only_secret_extras_have_names_airflow_masks() -> None:
    """Airflow masks the *values* of extras whose names look secret: a non-secret extra named like
    one (e.g. "token_cache") would turn every "memory" in every task log into ***."""
    try:  # Airflow 3.1+
        from airflow.sdk._shared.secrets_masker.secrets_masker import should_hide_value_for_key
    except ImportError:
        try:  # Airflow 3.0
            from airflow.sdk.execution_time.secrets_masker import should_hide_value_for_key
        except ImportError:  # Airflow 2
            from airflow.utils.log.secrets_masker import should_hide_value_for_key

    masked = {key for key in connection.EXTRA_FIELDS if should_hide_value_for_key(key)}
    assert masked == {"refresh_token"}

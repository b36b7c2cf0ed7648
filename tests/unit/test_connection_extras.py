"""The extras table (one declaration per extra) and building settings without Airflow."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from airflow_provider_zohocrm import connection
from airflow_provider_zohocrm.connection import (
    EXTRAS,
    ZohoCRMConnectionSettings,
    settings_from_connection,
    settings_from_mapping,
)
from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

from .helpers import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeConnection, config_error, make_settings


def test_extras_table_is_the_source_of_every_derived_name():
    assert tuple(field.key for field in EXTRAS) == connection.EXTRA_FIELDS
    settings_fields = {field.name for field in dataclasses.fields(ZohoCRMConnectionSettings)}
    assert set(connection.EXTRA_FIELDS) <= settings_fields
    by_key = {field.key: field for field in EXTRAS}
    assert connection.API_VERSIONS == by_key["api_version"].choices == ("v8", "v7")
    assert connection.AUTH_CACHES == by_key["auth_cache"].choices == ("file", "memory", "variable")
    defaults = (
        connection.DEFAULT_TIMEOUT,
        connection.DEFAULT_MAX_ATTEMPTS,
        connection.DEFAULT_MAX_RETRY_SECONDS,
        connection.DEFAULT_MAX_CONCURRENCY,
    )
    assert defaults == (30.0, 6, 300.0, 8)
    assert [type(value) for value in defaults] == [float, int, float, int]
    for field in EXTRAS:
        if field.kind == "choice":
            assert field.default in field.choices, field.key
        assert field.label, field.key
        assert field.description, field.key
    assert [field.key for field in EXTRAS if field.required] == ["refresh_token"]


def test_unset_extras_parse_to_the_table_defaults():
    settings = make_settings()
    for field in EXTRAS:
        if field.default is not None:
            assert getattr(settings, field.key) == field.default, field.key


@pytest.mark.parametrize("value", ["nan", float("nan"), float("-inf")])
@pytest.mark.parametrize("field", ["timeout", "max_retry_seconds"])
def test_non_finite_or_negative_numbers_are_rejected(field, value):
    error = config_error(FakeConnection(extra={"refresh_token": REFRESH_TOKEN, field: value}))
    assert f"field {field} " in str(error)
    assert "expected a positive number" in str(error)


def test_infinite_integer_is_a_config_error_not_an_overflow():
    error = config_error(FakeConnection(extra={"refresh_token": REFRESH_TOKEN, "max_attempts": float("inf")}))
    assert error.details["param_name"] == "max_attempts"


def test_settings_from_mapping_matches_settings_from_connection():
    extra = {"refresh_token": REFRESH_TOKEN, "data_center": "eu", "timeout": "12", "auth_cache": "memory"}
    conn = FakeConnection(conn_id="plain", extra=extra)
    from_mapping = settings_from_mapping(conn_id="plain", login=CLIENT_ID, password=CLIENT_SECRET, extra=extra)
    assert from_mapping == settings_from_connection(conn)
    assert settings_from_mapping(
        conn_id="plain", login=CLIENT_ID, password=CLIENT_SECRET, extra=extra, max_attempts=2
    ) == settings_from_connection(conn, max_attempts=2)


def test_settings_from_mapping_defaults_and_errors():
    settings = settings_from_mapping(login=CLIENT_ID, password=CLIENT_SECRET, extra={"refresh_token": REFRESH_TOKEN})
    assert settings == make_settings()
    with pytest.raises(ZohoCRMConnectionConfigError, match="field refresh_token is missing") as info:
        settings_from_mapping(conn_id="script", login=CLIENT_ID, password=CLIENT_SECRET)
    assert info.value.details == {"param_name": "refresh_token", "conn_id": "script"}
    with pytest.raises(ZohoCRMConnectionConfigError, match="field extra must be a JSON object"):
        settings_from_mapping(login=CLIENT_ID, password=CLIENT_SECRET, extra="refresh_token=x")
    with pytest.raises(ZohoCRMConnectionConfigError, match="field timeout "):
        settings_from_mapping(login=CLIENT_ID, password=CLIENT_SECRET, extra={"refresh_token": "r"}, timeout=0)


WITHOUT_AIRFLOW = """
import json, sys
sys.modules["airflow"] = None  # any import of Airflow now raises ImportError
from airflow_provider_zohocrm.connection import settings_from_mapping
from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError
settings = settings_from_mapping(
    login="1000.X",
    password="s",
    extra={"refresh_token": "r", "accounts_url": "http://127.0.0.1:8080", "api_url": "http://127.0.0.1:8080"},
)
try:
    settings_from_mapping(login="1000.X", password="s", extra={"refresh_token": "r", "data_center": "mars"})
except ZohoCRMConnectionConfigError as error:
    problem = error.details["param_name"]
heavy = sorted(name for name in ("requests", "tenacity", "pendulum", "sqlalchemy") if name in sys.modules)
print(json.dumps({"token_url": settings.token_url, "api_url": settings.api_url,
                  "overridden": settings.api_url_overridden, "problem": problem, "heavy": heavy}))
"""


def test_settings_without_airflow():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_AIRFLOW], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "token_url": "http://127.0.0.1:8080/oauth/v2/token",
        "api_url": "http://127.0.0.1:8080",
        "overridden": True,
        "problem": "data_center",
        "heavy": [],
    }

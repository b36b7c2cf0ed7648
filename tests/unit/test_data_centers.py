"""Data centers and environments → accounts and API hosts (zoho-api-facts §1.3)."""

from __future__ import annotations

import pytest

from airflow_provider_zohocrm import connection, data_centers
from airflow_provider_zohocrm.data_centers import is_zoho_api_domain

from .helpers import make_settings

# data center -> (accounts URL, API top-level domain), written out from the reference table.
EXPECTED = {
    "us": ("https://accounts.zoho.com", "com"),
    "eu": ("https://accounts.zoho.eu", "eu"),
    "in": ("https://accounts.zoho.in", "in"),
    "au": ("https://accounts.zoho.com.au", "com.au"),
    "jp": ("https://accounts.zoho.jp", "jp"),
    "cn": ("https://accounts.zoho.com.cn", "com.cn"),
    "ca": ("https://accounts.zohocloud.ca", "ca"),
    "sa": ("https://accounts.zoho.sa", "sa"),
    "uk": ("https://accounts.zoho.uk", "uk"),  # the API host is unverified: no Zoho source names it
    "ae": ("https://accounts.zoho.ae", "ae"),  # in the server list of Zoho's published definitions
}
ENV_PREFIX = {"production": "www", "sandbox": "sandbox", "developer": "developer"}
CASES = [
    (dc, env, accounts, f"https://{ENV_PREFIX[env]}.zohoapis.{tld}")
    for dc, (accounts, tld) in EXPECTED.items()
    for env in ENV_PREFIX
]


def test_exactly_the_documented_data_centers_and_environments():
    assert set(data_centers.DATA_CENTERS) == set(EXPECTED)
    assert set(data_centers.ENVIRONMENTS) == set(ENV_PREFIX)
    assert data_centers.DEFAULT_DATA_CENTER == "us"
    assert data_centers.DEFAULT_ENVIRONMENT == "production"


def test_ae_hosts():
    assert data_centers.accounts_url("ae") == "https://accounts.zoho.ae"
    assert data_centers.api_url("ae", "production") == "https://www.zohoapis.ae"
    assert data_centers.api_url("ae", "sandbox") == "https://sandbox.zohoapis.ae"
    assert data_centers.api_url("ae", "developer") == "https://developer.zohoapis.ae"
    assert is_zoho_api_domain("https://www.zohoapis.ae")
    assert make_settings(data_center="ae").api_url == "https://www.zohoapis.ae"


def test_connection_extras_offer_exactly_these_choices():
    by_key = {field.key: field for field in connection.EXTRAS}
    assert by_key["data_center"].choices == tuple(data_centers.DATA_CENTERS)
    assert by_key["data_center"].default == data_centers.DEFAULT_DATA_CENTER
    assert by_key["environment"].choices == tuple(data_centers.ENVIRONMENTS)
    assert by_key["environment"].default == data_centers.DEFAULT_ENVIRONMENT


@pytest.mark.parametrize(("dc", "env", "accounts", "api"), CASES)
def test_mapping_functions(dc, env, accounts, api):
    assert data_centers.accounts_url(dc) == accounts
    assert data_centers.api_url(dc, env) == api


@pytest.mark.parametrize(("dc", "env", "accounts", "api"), CASES)
def test_connection_extras_select_hosts(dc, env, accounts, api):
    settings = make_settings(data_center=dc, environment=env)
    assert settings.accounts_url == accounts
    assert settings.token_url == f"{accounts}/oauth/v2/token"
    assert settings.api_url == api
    assert settings.api_url_overridden is False


@pytest.mark.parametrize("env", list(ENV_PREFIX))
def test_sandbox_and_developer_share_the_production_accounts_server(env):
    assert make_settings(data_center="eu", environment=env).accounts_url == "https://accounts.zoho.eu"


@pytest.mark.parametrize(("dc", "env", "accounts", "api"), CASES)
def test_every_mapped_api_domain_is_a_zoho_domain(dc, env, accounts, api):
    assert is_zoho_api_domain(api)
    assert is_zoho_api_domain(api + "/")
    assert not is_zoho_api_domain(accounts)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.com",
        "http://www.zohoapis.com",
        "https://www.zohoapis.com.evil.io",
        "https://evil.www.zohoapis.com",
        "https://www.zohoapis.com@evil.io",
        "https://evil.io#www.zohoapis.com",
        "https://www.zohoapis.com:8443",
        "https://www.zohoapis.com/crm",
        "https://wwwXzohoapis.com",
        "https://www.zohoapisXcom",
        "https://crm.zohoapis.com",
        "https://www.zohoapis.org",
        "https://www.zohoapis.co",
        "https://www.zohoapis.com\n",
        "www.zohoapis.com",
        "//www.zohoapis.com",
        "",
    ],
)
def test_is_zoho_api_domain_rejects(url):
    assert not is_zoho_api_domain(url)

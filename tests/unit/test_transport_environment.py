"""The transport's session reads proxies and the CA bundle from the environment once per host, never ~/.netrc."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from airflow_provider_zohocrm.transport import ZohoSession

API = "https://www.zohoapis.eu/crm/v8/settings/automation/workflow_rules"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def test_proxies_from_the_environment_are_used(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    settings = ZohoSession().merge_environment_settings(API, {}, None, None, None)
    assert settings["proxies"]["https"] == "http://proxy.internal:3128"


def test_no_proxy_is_honoured(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    clean_env.setenv("NO_PROXY", ".zohoapis.eu")
    assert "https" not in ZohoSession().merge_environment_settings(API, {}, None, None, None)["proxies"]


def test_explicit_proxies_win_over_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    explicit = {"https": "http://other:8080"}
    assert ZohoSession().merge_environment_settings(API, explicit, None, None, None)["proxies"] == explicit


def test_the_ca_bundle_from_the_environment_is_used_unless_verify_is_given(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    session = ZohoSession()
    assert session.merge_environment_settings(API, {}, None, None, None)["verify"] == "/etc/corp-ca.pem"
    assert session.merge_environment_settings(API, {}, None, False, None)["verify"] is False


def test_the_environment_is_read_once_per_host(clean_env: pytest.MonkeyPatch) -> None:
    session = ZohoSession()
    clean_env.setenv("HTTPS_PROXY", "http://first:3128")
    assert session.merge_environment_settings(API, {}, None, None, None)["proxies"]["https"] == "http://first:3128"
    clean_env.setenv("HTTPS_PROXY", "http://second:3128")
    assert session.merge_environment_settings(API, {}, None, None, None)["proxies"]["https"] == "http://first:3128"
    other_host = "https://accounts.zoho.eu/oauth/v2/token"
    assert session.merge_environment_settings(other_host, {}, None, None, None)["proxies"]["https"] == (
        "http://second:3128"
    )


def test_a_netrc_entry_never_replaces_the_zoho_authorization(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine www.zohoapis.eu login someone password hunter2\n")
    netrc.chmod(0o600)
    clean_env.setenv("NETRC", str(netrc))
    request = requests.Request("GET", API, headers={"Authorization": "Zoho-oauthtoken abc"})
    assert requests.Session().prepare_request(request).headers["Authorization"].startswith("Basic ")  # the trap
    assert ZohoSession().prepare_request(request).headers["Authorization"] == "Zoho-oauthtoken abc"

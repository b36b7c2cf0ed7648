"""The pytest plugin's fixtures (registered through the ``pytest11`` entry point)."""

from __future__ import annotations

import json
import os

import pytest
import requests

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


def test_plugin_is_registered(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("zohocrm_emulator")


def test_fixture_sets_the_default_connection(zoho_crm_emulator: ZohoCRMEmulator) -> None:
    connection = json.loads(os.environ["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"])
    assert connection["extra"]["api_url"] == zoho_crm_emulator.url
    form = {
        "grant_type": "refresh_token",
        "client_id": connection["login"],
        "client_secret": connection["password"],
        "refresh_token": connection["extra"]["refresh_token"],
    }
    token_url = f"{connection['extra']['accounts_url']}/oauth/v2/token"
    assert "access_token" in requests.post(token_url, data=form, timeout=5).json()


def test_session_fixture_is_reset_between_tests(zoho_crm_emulator_session: ZohoCRMEmulator) -> None:
    assert zoho_crm_emulator_session.journal == []
    zoho_crm_emulator_session.set_config(edition="free")
    assert json.loads(os.environ["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"])["extra"]["api_url"] == zoho_crm_emulator_session.url


def test_session_fixture_again(zoho_crm_emulator_session: ZohoCRMEmulator) -> None:
    assert zoho_crm_emulator_session.config.edition == "enterprise"

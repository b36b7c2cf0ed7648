"""Fixtures for the emulator's own tests: a token and an authorised client (``emulator``: ``tests/conftest.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_client import Api, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


@pytest.fixture
def token(emulator: ZohoCRMEmulator) -> str:
    return fetch_token(emulator)["access_token"]


@pytest.fixture
def api(emulator: ZohoCRMEmulator, token: str) -> Api:
    return Api(emulator, token)


@pytest.fixture
def make_api(emulator: ZohoCRMEmulator) -> Any:
    """A client whose token is issued now (after any config change), e.g. with fewer scopes."""
    return lambda: Api(emulator, fetch_token(emulator)["access_token"])

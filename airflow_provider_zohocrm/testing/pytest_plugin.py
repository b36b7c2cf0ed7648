"""pytest plugin (entry point ``zohocrm_emulator``): fixtures that run the Zoho CRM emulator.

Cheap to import: the emulator is imported inside the fixtures, so every pytest run of a project
with this provider installed does not pay for it.

- ``zoho_crm_emulator``: a fresh emulator per test.
- ``zoho_crm_emulator_session``: one emulator per session, reset (seeded) before each test.

Both set ``AIRFLOW_CONN_ZOHO_CRM_DEFAULT`` to a connection pointing at the emulator for the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


@pytest.fixture
def zoho_crm_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[ZohoCRMEmulator]:
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

    with ZohoCRMEmulator() as emulator:
        for name, value in emulator.connection_env().items():
            monkeypatch.setenv(name, value)
        yield emulator


@pytest.fixture(scope="session")
def _zoho_crm_emulator_server() -> Iterator[ZohoCRMEmulator]:
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

    with ZohoCRMEmulator() as emulator:
        yield emulator


@pytest.fixture
def zoho_crm_emulator_session(
    _zoho_crm_emulator_server: ZohoCRMEmulator, monkeypatch: pytest.MonkeyPatch
) -> ZohoCRMEmulator:
    _zoho_crm_emulator_server.reset()
    for name, value in _zoho_crm_emulator_server.connection_env().items():
        monkeypatch.setenv(name, value)
    return _zoho_crm_emulator_server

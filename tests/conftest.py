"""Fixtures shared by every test layer.

Isolated token caches, the canary connection, recorded retry sleeps; Zoho mocked with
``requests_mock`` (``zoho_token``, ``zoho``, ``hook``, ``memory_conn``); the bundled emulator
(``emulator``, ``emulator_hook``). The constants and plain helpers live in ``tests/unit/helpers.py``.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sys
import tempfile
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

# A private AIRFLOW_HOME for the whole run, set before anything imports airflow: the default
# ~/airflow may hold a config written by another Airflow major version (an Airflow 3 airflow.cfg
# breaks Airflow 2's Connection model), and tests must not write to it.
if "airflow" not in sys.modules:
    _airflow_home = tempfile.mkdtemp(prefix="zohocrm-tests-airflow-home-")
    os.environ["AIRFLOW_HOME"] = _airflow_home
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    atexit.register(shutil.rmtree, _airflow_home, ignore_errors=True)

# Below AIRFLOW_HOME all the same, should the helpers ever import Airflow.
from unit.helpers import CLIENT_ID, CLIENT_SECRET, CONN_ID, REFRESH_TOKEN, mock_token


@pytest.fixture(autouse=True)
def _isolated_token_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Every test starts with an empty process-wide token cache and its own token file directory."""
    from airflow_provider_zohocrm.auth.token_cache import CACHE_DIR_ENV, MEMORY_CACHE

    cache_dir = tmp_path_factory.mktemp("zoho-token-cache") / "tokens"
    monkeypatch.setenv(CACHE_DIR_ENV, str(cache_dir))
    MEMORY_CACHE.clear()
    yield cache_dir
    MEMORY_CACHE.clear()


@pytest.fixture
def token_cache_dir(_isolated_token_cache: Any) -> Any:
    """The (not yet created) token file directory this test's hooks use."""
    return _isolated_token_cache


@pytest.fixture
def make_zoho_conn(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set ``AIRFLOW_CONN_<ID>`` to a zoho_crm JSON connection with canary secrets; returns the conn id.

    ``make_zoho_conn(conn_id="other", login=None, api_url="https://...")``: keyword arguments other
    than ``login``/``password`` become extras; ``None`` leaves a field out.
    """

    def make(conn_id: str = CONN_ID, *, login: Any = CLIENT_ID, password: Any = CLIENT_SECRET, **extra: Any) -> str:
        extras = {"refresh_token": REFRESH_TOKEN, **extra}
        doc: dict[str, Any] = {"conn_type": "zoho_crm"}
        if login is not None:
            doc["login"] = login
        if password is not None:
            doc["password"] = password
        doc["extra"] = {key: value for key, value in extras.items() if value is not None}
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(doc))
        return conn_id

    return make


@pytest.fixture
def zoho_conn(make_zoho_conn: Any) -> str:
    """The default connection ``zoho_crm_default`` (us data center, production, default extras)."""
    return make_zoho_conn()


@pytest.fixture
def recorded_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry sleeps are recorded here instead of slept."""
    sleeps: list[float] = []
    monkeypatch.setattr("airflow_provider_zohocrm.retry._sleep", sleeps.append)
    return sleeps


# --- Zoho mocked with requests_mock -------------------------------------------------------------


@pytest.fixture
def zoho_token(requests_mock: Any) -> Any:
    """The us accounts server's token endpoint answers with ``ACCESS_TOKEN``; returns its route."""
    return mock_token(requests_mock)


@pytest.fixture
def zoho(zoho_conn: str, zoho_token: Any, requests_mock: Any) -> Any:
    """``requests_mock`` with the default connection set and its token endpoint answered."""
    return requests_mock


@pytest.fixture
def hook(zoho: Any, recorded_sleeps: list[float]) -> ZohoCRMHook:
    """A hook on the default connection against ``zoho``; retry sleeps are recorded, not slept."""
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    return ZohoCRMHook()


@pytest.fixture
def memory_conn(make_zoho_conn: Any, zoho_token: Any) -> str:
    """The default connection with the in-process token cache (``auth_cache="memory"``), its token endpoint answered."""
    return make_zoho_conn(auth_cache="memory")


# --- the bundled emulator -----------------------------------------------------------------------


@pytest.fixture
def emulator(zoho_crm_emulator: ZohoCRMEmulator) -> ZohoCRMEmulator:
    """A fresh seeded emulator; ``AIRFLOW_CONN_ZOHO_CRM_DEFAULT`` points at it."""
    return zoho_crm_emulator


@pytest.fixture
def emulator_hook(emulator: ZohoCRMEmulator) -> ZohoCRMHook:
    """A hook on the default connection, which points at ``emulator``."""
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    return ZohoCRMHook()

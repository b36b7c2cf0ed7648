"""Constants and plain helpers shared by the test modules; ``tests/conftest.py`` builds its fixtures from them.

Importing this module imports no Airflow: ``tests/conftest.py`` imports it while the run starts.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_zohocrm.connection import ZohoCRMConnectionSettings, settings_from_connection

if TYPE_CHECKING:
    from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

CONN_ID = "zoho_crm_default"
CLIENT_ID = "1000.CANARYCLIENTID"
# Canary secrets: unique strings that must never show up in logs, errors or reprs.
CLIENT_SECRET = "canary-client-secret-7f3a"
REFRESH_TOKEN = "canary-refresh-token-9b2c"
ACCESS_TOKEN = "canary-access-token-4d1e"
CANARIES = (CLIENT_SECRET, REFRESH_TOKEN, ACCESS_TOKEN)

TOKEN_URL = "https://accounts.zoho.com/oauth/v2/token"
API_ROOT = "https://www.zohoapis.com/crm/v8"
WORKFLOW_PATH = "settings/automation/workflow_rules"
WORKFLOW_URL = f"{API_ROOT}/{WORKFLOW_PATH}"
REORDER_URL = f"{WORKFLOW_URL}/actions/reorder"
UNENROLL_URL = f"{API_ROOT}/Contacts/actions/unenrol_from_cadences"

# The workflow rule and the connected workflow whose status the sensor, trigger and rule API tests read.
RULE_ID = "4876876000011150005"
RULE_URL = f"{WORKFLOW_URL}/{RULE_ID}"
CONNECTED_WORKFLOW_ID = "4876876000019209035"
CONNECTED_WORKFLOW_URL = f"{API_ROOT}/settings/connected_workflows/{CONNECTED_WORKFLOW_ID}"

# Zoho error bodies that several test modules answer with.
INVALID_TOKEN = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}
# A 400 whose error sits inside the resource array (per item), as Zoho answers a bad rule name.
RULE_ITEM_INVALID_NAME = {
    "workflow_rules": [
        {
            "code": "INVALID_DATA",
            "details": {"api_name": "name", "json_path": "$.workflow_rules[0].name"},
            "message": "invalid data",
            "status": "error",
        }
    ]
}
# GET of an unknown workflow rule / connected workflow id: a 400 that means "not found".
RULE_NOT_FOUND = {
    "code": "INVALID_DATA",
    "details": {"resource_path_index": 4},
    "message": "the id given seems to be invalid",
    "status": "error",
}
CONNECTED_WORKFLOW_NOT_FOUND = {
    "code": "INVALID_DATA",
    "details": {"resource_path_index": 3},
    "message": "The given ID seems to be invalid",
    "status": "error",
}


def rule_status_body(active: bool) -> dict[str, Any]:
    """Zoho's answer to a GET of ``RULE_ID``."""
    return {"workflow_rules": [{"id": RULE_ID, "name": "Welcome lead", "status": {"active": active}}]}


def connected_workflow_status_body(status: str) -> dict[str, Any]:
    """Zoho's answer to a GET of ``CONNECTED_WORKFLOW_ID``."""
    return {"connected_workflows": [{"id": CONNECTED_WORKFLOW_ID, "name": "Vendor Review", "status": status}]}


def record_ids(count: int, start: int = 0) -> list[str]:
    """``count`` distinct Contacts record ids."""
    return [str(554023000001000000 + start + i) for i in range(count)]


def token_body(
    access_token: str = ACCESS_TOKEN, *, expires_in: Any = 3600, api_domain: Any = "https://www.zohoapis.com"
) -> dict[str, Any]:
    """A successful refresh response; ``None`` leaves a key out."""
    body: dict[str, Any] = {"access_token": access_token, "token_type": "Bearer", "scope": "ZohoCRM.settings.ALL"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    if api_domain is not None:
        body["api_domain"] = api_domain
    return body


def mock_token(requests_mock: Any, url: str = TOKEN_URL, **kwargs: Any) -> Any:
    """Register the token endpoint answering ``token_body(**kwargs)``."""
    return requests_mock.post(url, json=token_body(**kwargs))


def token_requests(requests_mock: Any) -> list[Any]:
    return [r for r in requests_mock.request_history if r.path.endswith("/oauth/v2/token")]


def api_requests(requests_mock: Any) -> list[Any]:
    return [r for r in requests_mock.request_history if "/crm/" in r.path]


class FakeConnection:
    """The attributes of an Airflow ``Connection`` that the settings parser reads."""

    def __init__(
        self,
        conn_id: str | None = CONN_ID,
        login: Any = CLIENT_ID,
        password: Any = CLIENT_SECRET,
        extra: Any = None,
    ) -> None:
        self.conn_id = conn_id
        self.login = login
        self.password = password
        self.extra_dejson = {"refresh_token": REFRESH_TOKEN} if extra is None else extra


def config_error(conn: FakeConnection, **kwargs: Any) -> ZohoCRMConnectionConfigError:
    """The error ``settings_from_connection(conn, **kwargs)`` raises."""
    from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError  # imports Airflow

    with pytest.raises(ZohoCRMConnectionConfigError) as info:
        settings_from_connection(conn, **kwargs)
    return info.value


def make_settings(*, login: Any = CLIENT_ID, password: Any = CLIENT_SECRET, **extra: Any) -> ZohoCRMConnectionSettings:
    """Settings from a fake connection; keyword arguments become extras (refresh token included)."""
    extras = {"refresh_token": REFRESH_TOKEN, **extra}
    return settings_from_connection(FakeConnection(login=login, password=password, extra=extras))


def conn_json(*, login: Any = CLIENT_ID, password: Any = CLIENT_SECRET, **extra: Any) -> str:
    """An ``AIRFLOW_CONN_*`` JSON value for a zoho_crm connection."""
    return json.dumps(
        {
            "conn_type": "zoho_crm",
            "login": login,
            "password": password,
            "extra": {"refresh_token": REFRESH_TOKEN, **extra},
        }
    )


def emulator_conn(emulator: Any, monkeypatch: pytest.MonkeyPatch, conn_id: str, **changes: Any) -> str:
    """A connection to ``emulator`` named ``conn_id``; ``changes`` override login/password or extras."""
    doc = json.loads(emulator.connection_json())
    for key, value in changes.items():
        if key in ("login", "password"):
            doc[key] = value
        else:
            doc["extra"][key] = value
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(doc))
    return conn_id


UNENROL_PATH = "/crm/v8/Contacts/actions/unenrol_from_cadences"  # as the emulator's journal records it


def wait_until(condition: Any, timeout: float, what: str) -> None:
    """Poll ``condition()`` every 10 ms; fail naming ``what`` after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.01)


def unenrol_calls(emulator: Any, since: int = 0) -> list[dict[str, Any]]:
    """Un-enroll calls the emulator received whole (a request cut off by a kill has no JSON body)."""
    return [
        e
        for e in emulator.journal_entries(since)
        if e["method"] == "POST" and e["path"] == UNENROL_PATH and isinstance(e["json"], dict)
    ]

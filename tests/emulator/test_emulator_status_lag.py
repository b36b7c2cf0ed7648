"""The status-lag knob: a rule's next status change through the API shows in its GETs some reads late."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_client import TIMEOUT, Api, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

COLD_LEADS = "4876876000011150005"  # Leads, inactive
RULES = "settings/automation/workflow_rules"


def _control(emulator: ZohoCRMEmulator, path: str, body: Any) -> requests.Response:
    return requests.post(f"{emulator.url}/__emulator__/{path}", json=body, timeout=TIMEOUT)


def _shown(api: Api, rule_id: str = COLD_LEADS) -> bool:
    response = api.get(f"{RULES}/{rule_id}")
    assert response.status_code == 200
    return response.json()["workflow_rules"][0]["status"]["active"]


def _set_active(api: Api, active: bool, rule_id: str = COLD_LEADS) -> None:
    response = api.put(f"{RULES}/{rule_id}", json={"workflow_rules": [{"status": {"active": active}}]})
    assert response.status_code == 200, response.text


def _listed(api: Api, rule_id: str = COLD_LEADS) -> bool:
    rules = api.get(RULES, params={"module": "Leads"}).json()["workflow_rules"]
    return next(rule["status"]["active"] for rule in rules if rule["id"] == rule_id)


def test_an_api_activation_shows_after_the_lagging_reads(emulator: ZohoCRMEmulator, api: Api) -> None:
    answer = _control(emulator, f"workflow_rules/{COLD_LEADS}/status_lag", {"reads": 2})
    assert (answer.status_code, answer.json()) == (200, {"rule_id": COLD_LEADS, "reads": 2})
    assert _shown(api) is False  # armed, not started: reads before the change are not counted
    assert _shown(api) is False

    _set_active(api, True)
    assert [_shown(api), _shown(api), _shown(api), _shown(api)] == [False, False, True, True]


def test_listings_and_the_state_show_the_change_at_once(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_workflow_rule_status_lag(COLD_LEADS, 3)
    _set_active(api, True)
    assert _listed(api) is True
    [rule] = [r for r in emulator.snapshot()["workflow_rules"]["workflow_rules"] if r["id"] == COLD_LEADS]
    assert rule["status"]["active"] is True
    assert _shown(api) is False  # the listing did not use up a lagging read


def test_the_lag_is_used_up_by_one_change(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_workflow_rule_status_lag(COLD_LEADS, 1)
    _set_active(api, True)
    assert _shown(api) is False
    assert _shown(api) is True
    _set_active(api, False)
    assert _shown(api) is False  # the next change shows at once


def test_only_a_status_change_starts_the_lag(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_workflow_rule_status_lag(COLD_LEADS, 1)
    _set_active(api, False)  # inactive already: no change, the lag stays armed
    assert _shown(api) is False
    _set_active(api, True)
    assert [_shown(api), _shown(api)] == [False, True]


def test_a_later_change_or_a_crm_user_ends_the_stale_reads(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_workflow_rule_status_lag(COLD_LEADS, 5)
    _set_active(api, True)
    _set_active(api, False)
    assert _shown(api) is False
    emulator.set_workflow_rule_status_lag(COLD_LEADS, 5)
    _set_active(api, True)
    emulator.set_workflow_rule_active(COLD_LEADS, True)  # someone in the CRM UI: shows at once
    assert _shown(api) is True


def test_zero_cancels_an_unused_lag(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_workflow_rule_status_lag(COLD_LEADS, 2)
    assert _control(emulator, f"workflow_rules/{COLD_LEADS}/status_lag", {"reads": 0}).status_code == 200
    _set_active(api, True)
    assert _shown(api) is True


@pytest.mark.parametrize("body", [{}, {"reads": -1}, {"reads": 1001}, {"reads": "2"}, {"reads": True}, {"reads": 1.5}])
def test_a_bad_reads_value_is_refused(emulator: ZohoCRMEmulator, api: Api, body: dict[str, Any]) -> None:
    answer = _control(emulator, f"workflow_rules/{COLD_LEADS}/status_lag", body)
    assert answer.status_code == 400
    assert "reads" in answer.json()["error"]
    _set_active(api, True)
    assert _shown(api) is True


def test_an_unknown_rule_is_not_found(emulator: ZohoCRMEmulator) -> None:
    answer = _control(emulator, "workflow_rules/4876876000000000001/status_lag", {"reads": 1})
    assert (answer.status_code, answer.json()["code"]) == (404, "NOT_FOUND")


def test_a_reset_forgets_the_lag(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.set_workflow_rule_status_lag(COLD_LEADS, 2)
    emulator.reset()
    fresh = Api(emulator, fetch_token(emulator)["access_token"])  # tokens do not survive a reset
    _set_active(fresh, True)
    assert _shown(fresh) is True

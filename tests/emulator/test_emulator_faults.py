"""Scripted faults, as a plain ``requests`` client sees them."""

from __future__ import annotations

import time

import pytest
import requests
from emulator_client import TIMEOUT, Api, error_of, fetch_token

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator


def test_connection_reset(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(kind="reset", path="/crm/v8/org")
    with pytest.raises(requests.ConnectionError):
        api.get("org")
    assert api.get("org").status_code == 200
    assert [e["fault"] for e in emulator.journal[-2:]] == ["reset", None]


def test_hang_longer_than_the_client_timeout(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(kind="hang", hang_seconds=2)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        api.get("org", timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert api.get("org").status_code == 200


def test_429_with_and_without_retry_after(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(status=429, retry_after=1)
    emulator.add_fault(status=429)
    first, second = api.get("org"), api.get("org")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "1")
    assert first.json()["code"] == "TOO_MANY_REQUESTS"
    assert second.status_code == 429
    assert "Retry-After" not in second.headers
    assert api.get("org").status_code == 200
    assert emulator.stats()["responses_429"] == 2


@pytest.mark.parametrize("status", [502, 503])
def test_gateway_errors_are_html(emulator: ZohoCRMEmulator, api: Api, status: int) -> None:
    emulator.add_fault(status=status, count=2)
    responses = [api.get("org") for _ in range(3)]
    assert [r.status_code for r in responses] == [status, status, 200]
    assert responses[0].headers["Content-Type"] == "text/html"


def test_custom_bodies(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(status=503, body="maintenance")
    emulator.add_fault(status=400, body={"code": "INVALID_REQUEST", "details": {}, "message": "x", "status": "error"})
    plain, envelope = api.get("org"), api.get("org")
    assert (plain.status_code, plain.text, plain.headers["Content-Type"]) == (503, "maintenance", "text/plain")
    assert (envelope.status_code, envelope.json()["code"]) == (400, "INVALID_REQUEST")


def test_invalidate_token(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(kind="invalidate_token", method="GET", path="/crm/")
    assert error_of(api.get("org")) == (401, "INVALID_TOKEN", {}, "invalid oauth token")
    assert error_of(api.get("org"))[1] == "INVALID_TOKEN"  # the token stays dead
    assert Api(emulator, fetch_token(emulator)["access_token"]).get("org").status_code == 200


def test_matching_by_method_and_regex(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(method="PUT", path_regex=r"/actions/(de)?activate$", status=500, count=None)
    assert api.get("settings/connected_workflows").status_code == 200
    assert api.put("settings/connected_workflows/4876876000019209007/actions/activate").status_code == 500
    assert api.put("settings/connected_workflows/4876876000019209007/actions/deactivate").status_code == 500
    assert len(emulator.faults()) == 1


def test_token_endpoint_faults(emulator: ZohoCRMEmulator) -> None:
    emulator.add_fault(path="/oauth/v2/token", status=503)
    response = requests.post(f"{emulator.url}/oauth/v2/token", timeout=TIMEOUT)
    assert response.status_code == 503
    assert "access_token" in fetch_token(emulator)


def test_probability_is_reproducible(emulator: ZohoCRMEmulator, api: Api) -> None:
    def run() -> list[int]:
        emulator.clear_faults()
        emulator.add_fault(status=500, probability=0.2, seed=7, path="/crm/v8/org")
        return [api.get("org").status_code for _ in range(100)]

    first = run()
    assert first == run()
    assert 5 <= first.count(500) <= 40


def test_faults_over_the_control_api(emulator: ZohoCRMEmulator, api: Api) -> None:
    control = f"{emulator.url}/__emulator__/faults"
    spec = {"method": "PUT", "path": "/crm/v8/settings/", "status": 503, "count": 2, "retry_after": 1}
    created = requests.post(control, json=spec, timeout=TIMEOUT)
    assert created.status_code == 201
    assert created.json()["fault"]["count"] == 2
    assert requests.get(control, timeout=TIMEOUT).json()["faults"][0]["status"] == 503
    assert requests.post(control, json={"kind": "explode"}, timeout=TIMEOUT).status_code == 400
    assert requests.post(control, json={"status": 200}, timeout=TIMEOUT).status_code == 400
    assert requests.delete(control, timeout=TIMEOUT).json() == {"faults": []}
    assert api.put("settings/connected_workflows/4876876000019209007/actions/activate").status_code == 200


CW = "settings/connected_workflows"
CW_BODY = {"connected_workflows": [{"name": "lost-answer", "primary_module": {"api_name": "Contacts"}}]}


def _named(emulator: ZohoCRMEmulator, name: str) -> list[dict[str, object]]:
    return [w for w in emulator.snapshot()["connected_workflows"] if w["name"] == name]


def test_drop_after_processes_then_resets(emulator: ZohoCRMEmulator, api: Api) -> None:
    emulator.add_fault(kind="drop_after", method="POST", path=f"/crm/v8/{CW}")
    with pytest.raises(requests.ConnectionError):
        api.post(CW, json=CW_BODY)
    assert len(_named(emulator, "lost-answer")) == 1  # the write happened
    entry = emulator.journal[-1]
    assert (entry["fault"], entry["status"]) == ("drop_after", None)
    assert api.post(CW, json=CW_BODY).json()["code"] == "DUPLICATE_DATA"


@pytest.mark.parametrize(("spec", "status"), [({}, 502), ({"status": 503, "retry_after": 1}, 503)])
def test_fail_after_processes_then_answers_a_gateway_error(
    emulator: ZohoCRMEmulator, api: Api, spec: dict[str, object], status: int
) -> None:
    emulator.add_fault(kind="fail_after", method="POST", path=f"/crm/v8/{CW}", **spec)
    response = api.post(CW, json=CW_BODY)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/html"
    assert ("Retry-After" in response.headers) is ("retry_after" in spec)
    assert len(_named(emulator, "lost-answer")) == 1
    assert emulator.journal[-1]["fault"] == "fail_after"


def test_after_faults_keep_the_real_errors_effects_only(emulator: ZohoCRMEmulator, api: Api) -> None:
    """A request the store refuses changes nothing, whatever the client is then told."""
    emulator.add_fault(kind="fail_after", path="/crm/v8/org", status=503)
    emulator.add_fault(kind="drop_after", path="/crm/v8/org")
    assert api.get("org").status_code == 503
    with pytest.raises(requests.ConnectionError):
        api.get("org")
    assert emulator.stats()["faults_fired"] == 2


@pytest.mark.parametrize(
    "spec",
    [{"kind": "fail_after", "status": 429}, {"kind": "fail_after", "status": "502"}, {"kind": "drop_afterwards"}],
)
def test_after_fault_specs_are_checked(emulator: ZohoCRMEmulator, spec: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"fail_after|kind must be"):
        emulator.add_fault(spec)

"""Helpers for the emulator's own tests: an authorised ``requests`` client and token fetching."""

from __future__ import annotations

from typing import Any

import requests

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

TIMEOUT = 5


class Api:
    """``requests`` against the emulator; paths not starting with ``/`` are under ``/crm/v8/``."""

    def __init__(self, emulator: ZohoCRMEmulator, token: str | None) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Zoho-oauthtoken {token}"

    def url(self, path: str) -> str:
        return self.emulator.url + (path if path.startswith("/") else f"/crm/v8/{path}")

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


def fetch_token(emulator: ZohoCRMEmulator, **overrides: str) -> dict[str, Any]:
    form = {
        "grant_type": "refresh_token",
        "client_id": emulator.client_id,
        "client_secret": emulator.client_secret,
        "refresh_token": emulator.refresh_token,
        **overrides,
    }
    response = requests.post(f"{emulator.url}/oauth/v2/token", data=form, timeout=TIMEOUT)
    assert response.status_code == 200
    return response.json()


def error_of(response: requests.Response) -> tuple[int, str, dict[str, Any], str]:
    body = response.json()
    assert body["status"] == "error"
    return response.status_code, body["code"], body["details"], body["message"]

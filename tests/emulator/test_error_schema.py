"""The emulator's whole-request errors have Zoho's error envelope (tests/schemas/error.json)."""

from __future__ import annotations

from typing import Any

import requests
from schemas.check import assert_matches


def test_a_call_without_a_token_is_answered_in_zohos_envelope(zoho_crm_emulator: Any) -> None:
    base = f"{zoho_crm_emulator.url}/crm/v8/settings/automation/workflow_rules"
    unauthenticated = requests.get(base, timeout=10)
    assert unauthenticated.status_code == 401
    assert_matches("error", unauthenticated.json())

"""Automation as code against the bundled emulator, over loopback HTTP: export, plan, apply, verify.

The emulator's own snapshot and journal are the ground truth: what each rule holds, each module's
order, and every request that reached it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_zohocrm.as_code import export_state
from airflow_provider_zohocrm.client import ZohoCRMClient
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.integration

MODULES = ["Leads", "Contacts", "Deals"]


@pytest.fixture
def client(emulator_hook: ZohoCRMHook) -> ZohoCRMClient:
    return emulator_hook.client


def api_requests(emulator: ZohoCRMEmulator, since: int = 0) -> list[dict[str, Any]]:
    return [e for e in emulator.journal_entries(since) if e["path"].startswith("/crm/")]


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_export_twice_gives_identical_bytes_and_only_reads(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, tmp_path: Path
) -> None:
    since = emulator.journal_entries()[-1]["seq"] if emulator.journal_entries() else 0
    summary = export_state(client, MODULES, str(tmp_path / "one"))
    export_state(client, MODULES, str(tmp_path / "two"))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert summary["modules"] == {"Leads": 8, "Contacts": 4, "Deals": 4}
    assert summary["connected_workflows"] == 3
    assert summary["files"] == [
        "workflow_rules/Leads.yaml",
        "workflow_rules/Contacts.yaml",
        "workflow_rules/Deals.yaml",
        "connected_workflows.yaml",
    ]
    requests = api_requests(emulator, since)
    assert {entry["method"] for entry in requests} == {"GET"}
    # list pages (one per module, one of connected workflows) + one GET per rule, per export
    assert summary["calls"] == 3 + 1 + 16
    assert len(requests) == 2 * summary["calls"]


def test_export_leaves_out_volatile_fields_and_secrets(
    client: ZohoCRMClient, emulator: ZohoCRMEmulator, tmp_path: Path
) -> None:
    export_state(client, MODULES, str(tmp_path))
    text = "".join(data.decode() for data in tree(tmp_path).values())
    for word in ("modified_time", "created_by", "last_executed_time", "locked_by", "editable"):
        assert word not in text
    for secret in (emulator.client_secret, emulator.refresh_token):
        assert secret not in text
    emulator.set_workflow_rule_active("4876876000010880001", True)  # stamps modified_time/by only
    before = tree(tmp_path)
    export_state(client, MODULES, str(tmp_path))
    assert tree(tmp_path) == before

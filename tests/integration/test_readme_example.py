"""The README's "testing your DAGs with the emulator" example, verbatim, so the README stays true."""

from __future__ import annotations

from typing import Any


def test_my_dag_pauses_the_rule(zoho_crm_emulator: Any) -> None:  # AIRFLOW_CONN_ZOHO_CRM_DEFAULT is set
    from airflow_provider_zohocrm.hooks import ZohoCRMHook

    ZohoCRMHook().set_workflow_rule_status("4876876000010880001", active=False)
    rules = zoho_crm_emulator.snapshot()["workflow_rules"]["workflow_rules"]
    assert not next(r for r in rules if r["id"] == "4876876000010880001")["status"]["active"]

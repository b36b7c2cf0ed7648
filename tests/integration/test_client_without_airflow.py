"""``ZohoCRMClient`` imports and runs where Airflow cannot be imported (scripts, a command line).

The script runs in a fresh interpreter with ``sys.modules["airflow"] = None`` set first, so any
import of Airflow anywhere in the client's path fails it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

pytestmark = pytest.mark.integration

MANUAL = "554023000004092008"  # seeded manual-enrollment Contacts cadence

SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.modules["airflow"] = None  # import airflow now fails

    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.connection import settings_from_mapping

    given = json.loads(sys.argv[1])
    settings = settings_from_mapping(login=given["login"], password=given["password"], extra=given["extra"])
    with ZohoCRMClient(settings) as zoho:
        rules = zoho.workflow_rules.list_all("Leads")
        result = zoho.cadences.unenroll("Contacts", given["records"], [given["cadence"]], max_workers=4)
    loaded = sorted(n for n, m in sys.modules.items() if m is not None and (n == "airflow" or n.startswith("airflow.")))
    print(json.dumps({"rules": len(rules), "result": result, "airflow_modules": loaded}))
    """
)


def test_client_lists_rules_and_unenrolls_250_records_without_airflow(zoho_crm_emulator: Any) -> None:
    records = [f"554023{1000000000000 + i}" for i in range(250)]
    hook = ZohoCRMHook()
    for start in range(0, len(records), 100):
        body = {"cadences_ids": [MANUAL], "ids": records[start : start + 100]}
        hook.request("POST", "Contacts/actions/enrol_in_cadences", json=body)
    assert len(zoho_crm_emulator.snapshot()["enrollments"][MANUAL]) >= 250
    given = {
        "login": zoho_crm_emulator.client_id,
        "password": zoho_crm_emulator.client_secret,
        "extra": zoho_crm_emulator.connection_extra(),
        "records": records,
        "cadence": MANUAL,
    }

    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(given)], capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["airflow_modules"] == []
    assert out["rules"] == len(hook.get_workflow_rules("Leads")) > 0
    assert (out["result"]["records"], out["result"]["calls"], out["result"]["succeeded"]) == (250, 3, 250)
    assert out["result"]["failed"] == 0
    assert not set(records) & set(zoho_crm_emulator.snapshot()["enrollments"][MANUAL])

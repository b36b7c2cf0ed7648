"""The installed ``zohocrm-automation`` console script against the emulator, as a terminal or CI uses it.

Each command runs in its own process (``.venv/bin/zohocrm-automation``), its connection read from
``AIRFLOW_CONN_ZOHO_CRM_DEFAULT``: without Airflow configured (no ``AIRFLOW_HOME``, a home with no
``~/airflow``) it is read from the environment directly; with ``AIRFLOW_HOME`` set, through Airflow.
The emulator's snapshot and journal say what reached Zoho.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

pytestmark = pytest.mark.integration

SCRIPT = Path(sys.executable).with_name("zohocrm-automation")
VENDOR_RULE = "4876876000014800005"  # "New vendor onboarding", active in the seed
WON_DEAL_RULE = "4876876000014400019"  # "Won deal handoff": a scheduled action 2 hours after


@pytest.fixture
def environ(emulator: ZohoCRMEmulator, tmp_path: Path) -> dict[str, str]:
    """The environment of a shell without Airflow configured: only the connection variable."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(emulator.connection_env(), HOME=str(home))
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), f"{SCRIPT} is missing: re-sync the environment (uv sync) to install the console script"
    return subprocess.run(
        [str(SCRIPT), *args],
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def writes(emulator: ZohoCRMEmulator) -> list[dict[str, Any]]:
    return [e for e in emulator.journal_entries() if e["path"].startswith("/crm/") and e["method"] != "GET"]


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def live_rule(emulator: ZohoCRMEmulator, rule_id: str) -> dict[str, Any]:
    return next(r for r in emulator.snapshot()["workflow_rules"]["workflow_rules"] if r["id"] == rule_id)


def edit(path: Path, rule_id: str, change: Any) -> None:
    document = yaml.safe_load(path.read_text())
    change(next(rule for rule in document["rules"] if rule["id"] == rule_id))
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def test_export_plan_apply_verify_through_the_console_script(
    environ: dict[str, str], emulator: ZohoCRMEmulator, tmp_path: Path
) -> None:
    files, again = tmp_path / "automation", tmp_path / "again"
    done = cli(environ, "export", "--modules", "Deals,Vendors", str(files))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Exported 6 workflow rule(s) (Deals 4, Vendors 2) and 3 connected workflow(s)")
    assert "Reading 6 workflow rule(s)" in done.stderr  # progress goes to stderr
    assert cli(environ, "export", "--modules", "Deals,Vendors", str(again), "-q").returncode == 0
    assert tree(files) == tree(again)

    done = cli(environ, "plan", str(files))
    assert (done.returncode, writes(emulator)) == (0, []), done.stdout + done.stderr

    edit(files / "workflow_rules" / "Vendors.yaml", VENDOR_RULE, lambda rule: rule.update(active=False))
    edit(
        files / "workflow_rules" / "Deals.yaml",
        WON_DEAL_RULE,
        lambda rule: rule["conditions"][0]["scheduled_actions"][0]["execute_after"].update(unit=3),
    )
    saved = tmp_path / "plan.json"
    done = cli(environ, "plan", str(files), "--out", str(saved))
    assert done.returncode == 2, done.stderr
    assert "deactivate 'New vendor onboarding'" in done.stdout
    assert "conditions[0].scheduled_actions[0].execute_after.unit: 2 -> 3" in done.stdout
    assert [step["action"] for step in json.loads(saved.read_text())["steps"]] == ["set_rule_status", "update_rule"]

    done = cli(environ, "apply", str(files))  # stdin is not a terminal and no --auto-approve
    assert done.returncode == 1
    assert "stdin is not a terminal" in done.stderr
    assert writes(emulator) == []

    done = cli(environ, "apply", str(saved), "--auto-approve")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verified: live Zoho equals the files." in done.stdout
    assert live_rule(emulator, VENDOR_RULE)["status"]["active"] is False
    delay = live_rule(emulator, WON_DEAL_RULE)["conditions"][0]["scheduled_actions"][0]["execute_after"]
    assert delay == {"period": "hours", "unit": 3}
    assert len(writes(emulator)) == 2

    assert cli(environ, "verify", str(files)).returncode == 0
    assert cli(environ, "plan", str(files)).returncode == 0

    # Someone changes Zoho by hand: verify names it; the saved plan, applied again, is refused unsent.
    emulator.edit_workflow_rule(WON_DEAL_RULE, description="Edited in the Zoho UI")
    done = cli(environ, "verify", str(files), "--json")
    assert done.returncode == 2
    (difference,) = json.loads(done.stdout)
    assert (difference["id"], difference["name"], difference["path"]) == (
        WON_DEAL_RULE,
        "Won deal handoff",
        "description",
    )
    emulator.clear_journal()
    done = cli(environ, "apply", str(saved), "--auto-approve")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()[-1:]) == 1
    assert "zohocrm-automation: error:" in done.stderr
    assert "Traceback" not in done.stderr
    assert writes(emulator) == []
    for secret in (emulator.client_secret, emulator.refresh_token):
        assert secret not in done.stdout + done.stderr
    assert list(Path(environ["HOME"]).iterdir()) == []  # an unconfigured Airflow was never imported (no ~/airflow)


def test_the_connection_through_airflow_when_it_is_configured(
    environ: dict[str, str], emulator: ZohoCRMEmulator, tmp_path: Path
) -> None:
    files = tmp_path / "automation"
    assert cli(environ, "export", "--modules", "Vendors", str(files), "-q").returncode == 0
    with_airflow = dict(environ, AIRFLOW_HOME=str(tmp_path / "airflow-home"))

    done = cli(with_airflow, "verify", str(files), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []  # Airflow's logging (to stdout by default) kept off stdout

    done = cli(with_airflow, "verify", str(files), "--conn-id", "zoho_crm_nowhere")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "zohocrm-automation: error: zoho_crm_conn_id 'zoho_crm_nowhere': no such connection (at zoho_crm_conn_id). "
        "Pass the id of a connection of type zoho_crm (Admin > Connections, or an AIRFLOW_CONN_ variable)"
    ]

    done = cli(environ, "verify", str(files), "--conn-id", "zoho_crm_nowhere")  # no Airflow: the environment only
    assert done.returncode == 1
    assert "AIRFLOW_CONN_ZOHO_CRM_NOWHERE is not set" in done.stderr

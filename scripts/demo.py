"""The demo: the example DAGs run through real Airflow against the bundled Zoho CRM emulator.

Starts two emulators (production, and the sandbox org the promotion example reads), prepares a
throw-away Airflow home (SQLite) under ``.demo/``, runs each example DAG with ``airflow dags
test``, approving the plans of the automation-as-code examples as a reviewer would where Airflow has
human-in-the-loop operators (3.1+; elsewhere the DAG's ``approve`` param), then prints what
changed in the emulated production CRM. Exits non-zero if any DAG run fails.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from airflow_provider_zohocrm.hooks import ZohoCRMHook
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

ROOT = Path(__file__).resolve().parent.parent
# AirflowHome is a test helper kept out of the wheel (tests/support/): make <repo>/tests importable.
sys.path.insert(0, str(ROOT / "tests"))
from support.airflow_home import AirflowHome  # noqa: E402
from support.hitl import HITLResponder  # noqa: E402

# These two ask a human to approve their plan before they apply it.
REVIEWED = ["zohocrm_promote_automation", "zohocrm_automation_as_code"]
DAGS = ["zohocrm_release_pipeline", "zohocrm_cadence_backfill", "zohocrm_maintenance_window", *REVIEWED]
LOGICAL_DATE = "2026-01-01"
BACKFILL_CADENCE = "554023000004092001"
# The ids the backfill DAG selects for the logical date (see records_for_date in that DAG).
BACKFILL_RECORDS = [f"5540230{LOGICAL_DATE.replace('-', '')}{n:04d}" for n in range(1200)]


def main() -> int:
    demo_dir = ROOT / ".demo"
    shutil.rmtree(demo_dir, ignore_errors=True)
    sandbox_credentials = {"client_secret": "sandbox-client-secret", "refresh_token": "1000.sandbox-refresh-token"}
    with ZohoCRMEmulator() as emulator, ZohoCRMEmulator(**sandbox_credentials) as sandbox:
        print(f"Zoho CRM emulator at {emulator.url} (production), {sandbox.url} (sandbox)")
        _enrol(emulator, "Leads", BACKFILL_CADENCE, BACKFILL_RECORDS)
        before = emulator.snapshot()
        emulator.clear_journal()
        env = {**emulator.connection_env(), **sandbox.connection_env("zoho_crm_sandbox")}
        home = AirflowHome(demo_dir / "airflow-home", ROOT / "example_dags", env=env)
        print("Preparing a temporary Airflow home (SQLite metadata DB) ...")
        home.migrate()
        if not _has_hitl():
            # Airflow 2 records an asset (dataset) alias event only once DAG parsing stored the alias.
            home.run("dags", "reserialize")
        results = {}
        for dag_id in DAGS:
            started = time.monotonic()
            run = _run(home, dag_id)
            results[dag_id] = run.returncode == 0
            log = demo_dir / f"{dag_id}.log"
            log.write_text(run.stdout + run.stderr)
            verdict = "success" if run.returncode == 0 else f"FAILED (log: {log.relative_to(ROOT)})"
            print(f"  {dag_id:<32} {verdict} in {time.monotonic() - started:.0f} s")
        _summarise(before, emulator.snapshot(), emulator.journal_entries(), emulator.stats())
    return 0 if all(results.values()) else 1


def _has_hitl() -> bool:
    try:
        from airflow.providers.standard.operators.hitl import ApprovalOperator  # noqa: F401
    except Exception:  # ImportError, or the standard provider's "needs Airflow 3.1+"
        return False
    return True


def _run(home: AirflowHome, dag_id: str) -> Any:
    """``airflow dags test``; a plan waiting for approval is approved the way a reviewer would."""
    if dag_id not in REVIEWED:
        return home.dags_test(dag_id, LOGICAL_DATE)
    if not _has_hitl():
        return home.run("dags", "test", dag_id, LOGICAL_DATE, "--conf", json.dumps({"approve": True}))
    with HITLResponder(home, dag_id, option="Approve"):
        return home.dags_test(dag_id, LOGICAL_DATE)


def _enrol(emulator: ZohoCRMEmulator, module: str, cadence_id: str, record_ids: list[str]) -> None:
    """Enrol the backfill's records first (through the hook's generic call), so there is something to un-enrol."""
    os.environ.update(emulator.connection_env())
    hook = ZohoCRMHook()
    for start in range(0, len(record_ids), 100):
        body = {"cadences_ids": [cadence_id], "ids": record_ids[start : start + 100]}
        hook.request("POST", f"{module}/actions/enrol_in_cadences", json=body)


def _summarise(
    before: dict[str, Any], after: dict[str, Any], journal: list[dict[str, Any]], stats: dict[str, Any]
) -> None:
    print("\nWhat changed in the emulated Zoho CRM:")
    old_rules = {r["id"]: r for r in before["workflow_rules"]["workflow_rules"]}
    for rule in after["workflow_rules"]["workflow_rules"]:
        old = old_rules.get(rule["id"])
        if old is None:
            print(f"  workflow rule {rule['id']} created: {rule['name']!r}")
            continue
        changes = []
        if old["name"] != rule["name"]:
            changes.append(f"renamed {old['name']!r} -> {rule['name']!r}")
        if old["status"]["active"] != rule["status"]["active"]:
            changes.append("activated" if rule["status"]["active"] else "deactivated")
        if old.get("description") != rule.get("description"):
            changes.append("description updated")
        if changes:
            print(f"  workflow rule {rule['id']} ({rule['module']['api_name']}): {', '.join(changes)}")
    for module, order in after["workflow_rules"]["order"].items():
        if before["workflow_rules"]["order"].get(module) != order:
            print(f"  {module} execution order: {' > '.join(order)}")
    old_cws = {w["id"]: w for w in before["connected_workflows"]}
    for workflow in after["connected_workflows"]:
        old = old_cws.get(workflow["id"])
        if old is None or old["status"] != workflow["status"]:
            previous = old["status"] if old else "new"
            print(f"  connected workflow {workflow['name']!r}: {previous} -> {workflow['status']}")
    for cadence_id, enrolled in after["enrollments"].items():
        count_before = len(before["enrollments"].get(cadence_id, []))
        if count_before != len(enrolled):
            print(f"  cadence {cadence_id}: {count_before} -> {len(enrolled)} enrolled records")
    calls = Counter(f"{entry['method']} {entry['status']}" for entry in journal if entry["path"].startswith("/crm/"))
    by_kind = ", ".join(f"{kind}: {count}" for kind, count in sorted(calls.items()))
    print(f"\nAPI calls made by the DAGs: {sum(calls.values())} ({by_kind})")
    print(f"Access tokens minted: {stats['token_grants']}")


if __name__ == "__main__":
    sys.exit(main())

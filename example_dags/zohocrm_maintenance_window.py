"""
### Zoho CRM maintenance window

Turns off the automation that would fire on a bulk import, runs the import, then puts everything
back exactly as it was, even when the import fails:

1. `snapshot` records every workflow rule's status and execution order in the `modules` param and
   every connected workflow's status: a versioned JSON document in XCom.
2. `pause` deactivates what the snapshot shows active. Scheduled actions the rules have already
   queued are kept (`delete_schedule_action=False`: deleting them could not be undone).
3. `load` stands in for the import. Trigger with `{"fail_load": true}` to watch the restore run
   after a failed load; `fail_run_if_a_step_failed` then marks the run failed, with the automation
   back on.
4. `restore` (`trigger_rule=all_done`) re-activates what is off and puts the order back, touching
   only what differs. If anything drifted in the meantime (an object created, deleted or edited by
   someone else), it fails before writing anything and lists the drift in its log
   (`on_drift="fail"`); re-run it with `on_drift="warn"` to restore the rest.

Every task logs its plan as a table and returns it to XCom; set `dry_run=True` on pause and restore
to review the plans without writing.

Connection: `zoho_crm_default` (scope `ZohoCRM.settings.ALL`); `make demo` runs this DAG against
the bundled emulator.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.providers.common.compat.sdk import DAG, AirflowFailException, TriggerRule, task

from airflow_provider_zohocrm.operators import (
    PauseAutomationOperator,
    RestoreAutomationOperator,
    SnapshotAutomationOperator,
)

with DAG(
    dag_id="zohocrm_maintenance_window",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    doc_md=__doc__,
    tags=["zohocrm", "example"],
    params={"modules": ["Leads", "Contacts"], "fail_load": False},
) as dag:
    snapshot = SnapshotAutomationOperator(task_id="snapshot", modules="{{ params.modules | tojson }}")

    pause = PauseAutomationOperator(task_id="pause", snapshot=snapshot.output, delete_schedule_action=False)

    @task
    def load(params: dict[str, Any] | None = None) -> int:
        """Stands in for the bulk import that must not trigger the automation."""
        if (params or {}).get("fail_load"):
            raise RuntimeError("The load failed (fail_load=true); restore runs anyway")
        return 0

    restore = RestoreAutomationOperator(task_id="restore", snapshot=snapshot.output, trigger_rule=TriggerRule.ALL_DONE)

    pause >> load() >> restore

    @task(trigger_rule=TriggerRule.ONE_FAILED, retries=0)
    def fail_run_if_a_step_failed() -> None:
        """`restore` runs, and may succeed, after a failed load; this keeps the run's state honest."""
        raise AirflowFailException("A step of the maintenance window failed; see the failed task's log")

    dag.tasks >> fail_run_if_a_step_failed()

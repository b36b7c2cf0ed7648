"""
### Zoho CRM maintenance window

Pauses the automation that would fire on a bulk import, runs the import, and switches it back on,
even when the import fails (`trigger_rule=all_done`).

This simple form pauses one named workflow rule; deactivation keeps its scheduled actions
(`delete_schedule_action=False`).

Connection: `zoho_crm_default`; `make demo` runs it against the bundled emulator.
"""

from __future__ import annotations

import pendulum
from airflow.providers.common.compat.sdk import DAG, TriggerRule, task

from airflow_provider_zohocrm.operators import ActivateWorkflowRuleOperator, DeactivateWorkflowRuleOperator

with DAG(
    dag_id="zohocrm_maintenance_window",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    doc_md=__doc__,
    tags=["zohocrm", "example"],
    params={"rule_id": "4876876000010880001"},
) as dag:
    pause = DeactivateWorkflowRuleOperator(
        task_id="pause_rule", rule_id="{{ params.rule_id }}", delete_schedule_action=False
    )

    @task
    def bulk_import() -> int:
        """Stands in for the bulk import that must not trigger the rule."""
        return 0

    restore = ActivateWorkflowRuleOperator(
        task_id="restore_rule", rule_id="{{ params.rule_id }}", trigger_rule=TriggerRule.ALL_DONE
    )

    pause >> bulk_import() >> restore

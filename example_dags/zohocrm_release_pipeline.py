"""
### Zoho CRM release pipeline

Ships a change to CRM automation the way a code release ships: review the plan, apply it, put the
module's workflow rules in the order kept in this repository, switch the rule on, wait until
Zoho reports it active, and pause a connected workflow around a data load.

1. `plan_rule_update` — dry run: validates the update and logs the exact request; writes nothing.
2. `update_rule` — renames the rule and changes its description.
3. `reorder_leads_rules` — makes the Leads execution order match `automation/leads_rule_order.json`
   (only the moves that are needed are sent; already in order = no write).
4. `activate_rule` then `wait_rule_active` — a deferrable sensor: no worker slot while waiting.
5. `pause_connected_workflow` → `load_data` → `resume_connected_workflow` (runs even if the load fails);
   `fail_run_if_any_step_failed` then marks the run failed if any step failed.

Every step is safe to re-run. Connection: `zoho_crm_default` (see the README); `make demo` runs it
against the bundled emulator.
"""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
from airflow.providers.common.compat.sdk import DAG, AirflowFailException, TriggerRule, task

from airflow_provider_zohocrm.operators import (
    ActivateConnectedWorkflowOperator,
    ActivateWorkflowRuleOperator,
    DeactivateConnectedWorkflowOperator,
    ReorderWorkflowRulesOperator,
    UpdateWorkflowRuleOperator,
)
from airflow_provider_zohocrm.sensors import WorkflowRuleStatusSensor

RULE_ORDER = json.loads((Path(__file__).parent / "automation" / "leads_rule_order.json").read_text())
# The run's date: its logical date, or, for a run triggered without one (the Airflow 3 default
# from the UI, CLI and REST API), the date it was triggered.
RUN_DATE = "{{ ds if ds is defined and ds else dag_run.run_after | ds }}"
RULE_UPDATE = {
    "name": f"Tag trade-show leads - release {RUN_DATE}",
    "description": f"Released by the {{{{ dag.dag_id }}}} pipeline for {RUN_DATE}.",
}

with DAG(
    dag_id="zohocrm_release_pipeline",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    doc_md=__doc__,
    tags=["zohocrm", "example"],
    params={
        "rule_id": "4876876000011037080",
        "connected_workflow_id": "4876876000019209007",
    },
) as dag:
    plan_rule_update = UpdateWorkflowRuleOperator(
        task_id="plan_rule_update", rule_id="{{ params.rule_id }}", rule=RULE_UPDATE, dry_run=True
    )
    update_rule = UpdateWorkflowRuleOperator(task_id="update_rule", rule_id="{{ params.rule_id }}", rule=RULE_UPDATE)
    reorder_leads_rules = ReorderWorkflowRulesOperator(
        task_id="reorder_leads_rules", module=RULE_ORDER["module"], order=RULE_ORDER["order"]
    )
    activate_rule = ActivateWorkflowRuleOperator(task_id="activate_rule", rule_id="{{ params.rule_id }}")
    wait_rule_active = WorkflowRuleStatusSensor(
        task_id="wait_rule_active",
        rule_id="{{ params.rule_id }}",
        active=True,
        deferrable=True,
        poke_interval=5,
        timeout=600,
    )
    pause_connected_workflow = DeactivateConnectedWorkflowOperator(
        task_id="pause_connected_workflow", connected_workflow_id="{{ params.connected_workflow_id }}"
    )

    @task
    def load_data() -> int:
        """Stands in for the data migration that must not fire the connected workflow."""
        return 0

    resume_connected_workflow = ActivateConnectedWorkflowOperator(
        task_id="resume_connected_workflow",
        connected_workflow_id="{{ params.connected_workflow_id }}",
        trigger_rule=TriggerRule.ALL_DONE,
    )

    (
        plan_rule_update
        >> update_rule
        >> reorder_leads_rules
        >> activate_rule
        >> wait_rule_active
        >> pause_connected_workflow
        >> load_data()
        >> resume_connected_workflow
    )

    @task(trigger_rule=TriggerRule.ONE_FAILED, retries=0)
    def fail_run_if_any_step_failed() -> None:
        """`resume_connected_workflow` runs even after a failure; this keeps the run's state honest."""
        raise AirflowFailException("A release step failed; see the failed task's log")

    dag.tasks >> fail_run_if_any_step_failed()

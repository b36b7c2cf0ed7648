"""
### Promote Zoho CRM automation from the sandbox to production

The automation built and tested in the sandbox org is made live in production, reviewed first:

1. `export_sandbox` writes the sandbox's automation of the `modules` param (connection
   `zoho_crm_sandbox`) as files into a directory of this run under the `path` param.
2. `plan_production` plans those files against production (connection `zoho_crm_default`).
   The two orgs give the same rule different ids: a rule of the files whose id is not live in
   production is matched by its exact name within the module, else created. Production rules
   absent from the sandbox are listed as unmanaged, never deleted.
3. `approve`: a human-in-the-loop approval showing the plan (Airflow 3.1+), or the run's
   `approve` param elsewhere; then `apply` carries out exactly that plan (refused with nothing
   written if production changed since) and emits an asset event per module changed.
4. `wait_production_matches` pokes until production equals the exported files.

On workers that do not share a disk, set `path` to an object-storage URL every worker reaches
(`s3://bucket/zohocrm-promote`); the exported files stay there as the record of what was promoted.
Works with and without a logical date.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.providers.common.compat.sdk import DAG, AirflowOptionalProviderFeatureException, Param, task

from airflow_provider_zohocrm.operators import (
    AutomationApplyOperator,
    AutomationExportOperator,
    AutomationPlanOperator,
)
from airflow_provider_zohocrm.sensors import AutomationVerifySensor

try:  # the standard provider's human-in-the-loop operators: Airflow 3.1+
    from airflow.providers.standard.operators.hitl import ApprovalOperator
except (ImportError, AirflowOptionalProviderFeatureException):
    ApprovalOperator = None

SANDBOX_CONN_ID = "zoho_crm_sandbox"
PRODUCTION_CONN_ID = "zoho_crm_default"
# One directory per run (":" of the run id left out: it is not valid in every filesystem's names).
RUN_FILES = "{{ params.path }}/{{ run_id | replace(':', '-') }}"
PARAMS: dict[str, Any] = {
    "modules": Param(["Deals"], type="array", description="Module API names whose workflow rules are promoted"),
    "path": Param(str(Path(tempfile.gettempdir()) / "zohocrm-promote"), type="string"),
}
if ApprovalOperator is None:
    PARAMS["approve"] = Param(False, type="boolean", description="Apply the plan (read the plan task's log first)")

with DAG(
    dag_id="zohocrm_promote_automation",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    doc_md=__doc__,
    tags=["zohocrm", "example"],
    params=PARAMS,
) as dag:
    export_sandbox = AutomationExportOperator(
        task_id="export_sandbox",
        zoho_crm_conn_id=SANDBOX_CONN_ID,
        modules="{{ params.modules | tojson }}",
        path=RUN_FILES,
    )
    plan_production = AutomationPlanOperator(
        task_id="plan_production", zoho_crm_conn_id=PRODUCTION_CONN_ID, path=RUN_FILES
    )

    @task.short_circuit(ignore_downstream_trigger_rules=True)
    def changes_to_apply(plan: dict[str, Any]) -> bool:
        """Production already matches the sandbox: nothing to approve, apply or wait for."""
        return bool(plan.get("steps"))

    if ApprovalOperator is not None:
        approve = ApprovalOperator(
            task_id="approve",
            subject="Promote this sandbox automation to production?",
            body="```\n{{ ti.xcom_pull(task_ids='plan_production', key='rendered_plan') }}\n```",
            defaults="Reject",
            response_timeout=timedelta(days=1),
            ignore_downstream_trigger_rules=True,
        )
    else:

        @task.short_circuit(task_id="approve", ignore_downstream_trigger_rules=True)
        def approve_by_param(params: dict[str, Any] | None = None) -> bool:
            """Without human-in-the-loop operators the run's `approve` param is the approval."""
            return bool((params or {}).get("approve"))

        approve = approve_by_param()

    apply = AutomationApplyOperator(task_id="apply", zoho_crm_conn_id=PRODUCTION_CONN_ID, plan=plan_production.output)
    wait_production_matches = AutomationVerifySensor(
        task_id="wait_production_matches",
        zoho_crm_conn_id=PRODUCTION_CONN_ID,
        path=RUN_FILES,
        poke_interval=30,
        timeout=900,
    )

    export_sandbox >> plan_production
    changes_to_apply(plan_production.output) >> approve >> apply >> wait_production_matches

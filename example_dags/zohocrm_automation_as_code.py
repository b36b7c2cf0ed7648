"""
### Zoho CRM automation as code

The workflow rules and connected workflows kept as files in this repository
(`example_dags/automation/as_code/`: `workflow_rules/<Module>.yaml`, `connected_workflows.yaml`)
are made live in Zoho CRM the way a code change ships: plan, human approval, apply, verify.

1. `plan` reads the files and live Zoho and logs the exact changes (rule names, field paths,
   before → after, execution order, rules to create); the plan goes to XCom with a fingerprint
   of the live state it was computed from. It writes nothing.
2. `changes_to_apply` skips the approval and the apply when the plan is empty.
3. `approve`: on Airflow versions whose standard provider ships human-in-the-loop operators
   (3.1+), an approval task that shows the plan (Browse → Required Actions); *Reject* skips the
   rest. Elsewhere (Airflow 2.11, 3.0) trigger the DAG with `{"approve": true}` after reading the
   plan task's log.
4. `apply` carries out exactly the approved plan, and is refused with nothing written when Zoho
   changed since the plan (plan and approve again). Each module changed emits an asset event
   (`zohocrm://zoho_crm_default/automation/<Module>`, through the asset alias `zohocrm-automation`),
   so DAGs scheduled on it run after automation changes.
5. `verify` fails, listing each difference, unless live Zoho equals the files.

The `path` param may name any directory or `ObjectStoragePath` URL (a git checkout, a bucket).
The same steps from a terminal: `zohocrm-automation plan|apply|verify DIR` (see the README).
Connection: `zoho_crm_default`; works with and without a logical date.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.providers.common.compat.sdk import DAG, AirflowOptionalProviderFeatureException, Param, TriggerRule, task

from airflow_provider_zohocrm.operators import (
    AutomationApplyOperator,
    AutomationPlanOperator,
    AutomationVerifyOperator,
)

try:  # the standard provider's human-in-the-loop operators: Airflow 3.1+
    from airflow.providers.standard.operators.hitl import ApprovalOperator
except (ImportError, AirflowOptionalProviderFeatureException):
    ApprovalOperator = None

FILES = Path(__file__).parent / "automation" / "as_code"
PARAMS: dict[str, Any] = {"path": Param(str(FILES), type="string", description="Directory or URL of the files")}
if ApprovalOperator is None:
    PARAMS["approve"] = Param(False, type="boolean", description="Apply the plan (read the plan task's log first)")

with DAG(
    dag_id="zohocrm_automation_as_code",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    doc_md=__doc__,
    tags=["zohocrm", "example"],
    params=PARAMS,
) as dag:
    plan = AutomationPlanOperator(task_id="plan", path="{{ params.path }}")

    @task.short_circuit(ignore_downstream_trigger_rules=False)
    def changes_to_apply(plan: dict[str, Any]) -> bool:
        """An empty plan skips the approval and the apply; verify still runs."""
        return bool(plan.get("steps"))

    if ApprovalOperator is not None:
        approve = ApprovalOperator(
            task_id="approve",
            subject="Apply this Zoho CRM automation plan?",
            body="```\n{{ ti.xcom_pull(task_ids='plan', key='rendered_plan') }}\n```",
            defaults="Reject",
            response_timeout=timedelta(days=1),
            ignore_downstream_trigger_rules=True,  # Reject (or no answer in a day) skips apply and verify
        )
    else:

        @task.short_circuit(task_id="approve", ignore_downstream_trigger_rules=True)
        def approve_by_param(params: dict[str, Any] | None = None) -> bool:
            """Without human-in-the-loop operators the run's `approve` param is the approval."""
            return bool((params or {}).get("approve"))

        approve = approve_by_param()

    apply = AutomationApplyOperator(task_id="apply", plan=plan.output)
    verify = AutomationVerifyOperator(task_id="verify", path="{{ params.path }}", trigger_rule=TriggerRule.NONE_FAILED)

    changes_to_apply(plan.output) >> approve >> apply >> verify

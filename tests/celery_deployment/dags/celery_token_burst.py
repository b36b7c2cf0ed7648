"""60 deferrable sensors at once, on two Celery workers and the triggerer, all sharing one access token.

Every mapped sensor pokes once on a worker (a call, so a token), defers to the triggerer, whose
trigger polls with a token of its own process, and resumes on a worker when the rule is active.
The connection's ``auth_cache=variable`` is what makes that one token for the whole deployment.
"""

from __future__ import annotations

import pendulum
from airflow.providers.common.compat.sdk import DAG

from airflow_provider_zohocrm.sensors import WorkflowRuleStatusSensor

SENSORS = 60
RULE_ID = "4876876000011037080"  # a seeded Leads rule; the test makes it inactive first

with DAG(
    dag_id="celery_token_burst",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_tasks=SENSORS,
    tags=["celery-deployment-test"],
) as dag:
    WorkflowRuleStatusSensor.partial(
        task_id="wait_rule_active",
        active=True,
        deferrable=True,
        poke_interval=3,
        timeout=600,
    ).expand(rule_id=[RULE_ID] * SENSORS)

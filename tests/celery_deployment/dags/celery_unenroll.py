"""A mapped un-enroll the way the README prescribes for many hosts: the pool, ``pool_slots``, a shared checkpoint.

Like the cadence backfill example: the record ids, in chunks, one mapped ``UnenrollCadenceOperator``
per chunk. Each takes ``pool_slots=max_workers`` of the ``zoho_crm`` pool (sized by
``python -m airflow_provider_zohocrm.pools``), so the calls in flight across every worker stay
within the pool; its checkpoint is an ``ObjectStoragePath`` URL every host reaches, so a retry on
another host resumes where the dead one stopped. The run's conf says which records (consecutive
19-digit ids from ``first_record``), how many, in chunks of how many, and the checkpoint URL.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.common.compat.sdk import DAG, get_current_context, task

from airflow_provider_zohocrm.operators import UnenrollCadenceOperator

MAX_WORKERS = 6  # calls in flight per task; the pool's 18 enterprise slots run three at once

with DAG(
    dag_id="celery_unenroll",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["celery-deployment-test"],
    params={
        "module": "Leads",
        "cadence_ids": [],
        "first_record": 5540260000000000000,
        "records": 1000,
        "chunk_size": 500,
        "checkpoint": "",
    },
) as dag:

    @task
    def chunks() -> list[list[str]]:
        params = get_current_context()["params"]
        first, count, size = int(params["first_record"]), int(params["records"]), int(params["chunk_size"])
        ids = [str(first + n) for n in range(count)]
        return [ids[i : i + size] for i in range(0, count, size)]

    unenroll = UnenrollCadenceOperator.partial(
        task_id="unenroll",
        module="{{ params.module }}",
        cadence_ids="{{ params.cadence_ids }}",
        max_workers=MAX_WORKERS,
        pool="zoho_crm",
        pool_slots=MAX_WORKERS,
        checkpoint="{{ params.checkpoint }}",
        retries=1,
        retry_delay=timedelta(seconds=2),
    ).expand(record_ids=chunks())

    @task
    def report(results: list[dict]) -> dict:
        return {
            "chunks": len(results),
            "records": sum(r["records"] for r in results),
            "calls": sum(r["calls"] for r in results),
            "batches_resumed": sum(r["batches_resumed"] for r in results),
            "succeeded": sum(r["succeeded"] for r in results),
            "failed": sum(r["failed"] for r in results),
        }

    report(unenroll.output)

"""
### Zoho CRM cadence backfill

A triggered backfill: for each logical date, the records to take out of sales cadences are
un-enrolled in chunks, one mapped task instance per chunk (`partial().expand()`), each making
ceil(records/100) x ceil(cadences/5) calls within Zoho's limits.

Record ids come from the `record_ids` param when given (trigger with
`{"record_ids": ["554023000001798647", ...]}`), otherwise from `records_for_date`, which stands in
for the upstream query that selects the day's records. Re-running a date is safe: un-enrolling a
record that is no longer enrolled succeeds.

Connection: `zoho_crm_default`; `make demo` runs it against the bundled emulator.
"""

from __future__ import annotations

import pendulum
from airflow.providers.common.compat.sdk import DAG, get_current_context, task

from airflow_provider_zohocrm.operators import UnenrollCadenceOperator

CHUNK_SIZE = 500

with DAG(
    dag_id="zohocrm_cadence_backfill",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    doc_md=__doc__,
    tags=["zohocrm", "example"],
    params={
        "module": "Leads",
        "cadence_ids": ["554023000004092001"],
        "record_ids": [],
        "records_per_day": 1200,
    },
) as dag:

    @task
    def records_for_date() -> list[str]:
        """The day's record ids: the param if given, else a deterministic stand-in selection."""
        context = get_current_context()
        params = context["params"]
        if params["record_ids"]:
            return [str(record_id) for record_id in params["record_ids"]]
        # Runs triggered from the UI, CLI or REST API on Airflow 3 have no logical date: use when
        # the run was triggered instead. 19-digit ids, like Zoho's, for up to 1,000,000 a day.
        day = context.get("ds_nodash") or context["dag_run"].run_after.strftime("%Y%m%d")
        return [f"55402{day}{n:06d}" for n in range(int(params["records_per_day"]))]

    @task
    def chunk(record_ids: list[str]) -> list[list[str]]:
        return [record_ids[i : i + CHUNK_SIZE] for i in range(0, len(record_ids), CHUNK_SIZE)]

    unenroll = UnenrollCadenceOperator.partial(
        task_id="unenroll",
        module="{{ params.module }}",
        cadence_ids="{{ params.cadence_ids }}",
        max_active_tis_per_dag=2,
    ).expand(record_ids=chunk(records_for_date()))

    @task
    def report(results: list[dict]) -> dict:
        """One line per backfill date: how many records were un-enrolled and how many failed."""
        totals = {
            "chunks": len(results),
            "succeeded": sum(r["succeeded"] for r in results),
            "failed": sum(r["failed"] for r in results),
        }
        print(f"Un-enrolled {totals['succeeded']} record-cadence pairs in {totals['chunks']} chunks")
        return totals

    report(unenroll.output)

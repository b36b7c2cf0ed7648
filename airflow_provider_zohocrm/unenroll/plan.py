"""The dry run of an un-enroll: how many calls it takes and the first few requests, nothing sent.

Validated by the same gate and built by the same body builder as the real run, so the plan shows
exactly what the run would send.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.plan import PlannedRequest, planned
from airflow_provider_zohocrm.unenroll.batching import (
    UnenrollInputs,
    cadence_batches,
    check_inputs,
    planned_calls,
    record_batches,
    unenroll_body,
    unenroll_path,
)

PREVIEW_CALLS = 3


def plan_unenroll(module: Any, record_ids: Any, cadence_ids: Any, max_workers: Any) -> dict[str, Any]:
    """``{"inputs", "plan", "records", "calls", "invalid"}`` for an un-enroll (one pass over the ids)."""
    inputs: UnenrollInputs = check_inputs(module, record_ids, cadence_ids, max_workers)
    invalid = [0]  # a count, not the ids: a stream may hold millions
    preview: list[list[str]] = []
    valid = 0

    def count_invalid(value: Any) -> None:
        invalid[0] += 1

    for batch in record_batches(inputs.record_ids, count_invalid):  # one pass: works for iterators too
        valid += len(batch)
        if len(preview) < PREVIEW_CALLS:
            preview.append(batch)
    plan: list[PlannedRequest] = [
        planned(
            "POST",
            unenroll_path(inputs.module),
            f"un-enrol {len(ids)} record(s) from {len(chunk)} cadence(s)",
            body=unenroll_body(chunk, ids),
        )
        for ids in preview
        for chunk in cadence_batches(inputs.cadence_ids)
    ][:PREVIEW_CALLS]
    return {
        "inputs": inputs,
        "plan": plan,
        "records": valid + invalid[0],
        "calls": planned_calls(valid, len(inputs.cadence_ids)),
        "invalid": invalid[0],
    }

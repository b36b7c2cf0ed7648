"""Pure checks and batching of Un-enroll Records from Cadences: at most 100 records and 5 cadences a call.

:func:`check_inputs` is the one gate of an un-enroll's inputs, run once before any request: a bad
module, cadence ids, worker count, progress callback, checkpoint or (for lists) record ids raise
``ZohoCRMValidationError`` naming the parameter and index. :func:`unenroll_body` builds every call's
body, sent or planned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import invalid, is_id, preview, validate_id, validate_module

RECORDS_PER_CALL = 100
CADENCES_PER_CALL = 5
DEFAULT_MAX_WORKERS = 8  # below the smallest paid edition's 10 concurrent calls per user
MAX_WORKERS_LIMIT = 25  # Zoho's highest per-user concurrency (Ultimate); more only earns 429s


@dataclass(frozen=True)
class UnenrollInputs:
    """An un-enroll's validated inputs; ``total_records`` is None for an iterator (read lazily)."""

    module: str
    record_ids: Iterable[Any]
    cadence_ids: list[str]
    max_workers: int
    total_records: int | None


def check_inputs(
    module: Any, record_ids: Any, cadence_ids: Any, max_workers: Any, *, progress: Any = None, checkpoint: Any = None
) -> UnenrollInputs:
    """Validate every input of an un-enroll once, before any request.

    ``progress`` and ``checkpoint`` are first used after calls went out, so they are checked here too.
    """
    module = validate_module(module, "module")
    cadences = check_cadence_ids(cadence_ids)
    workers = check_max_workers(max_workers)
    if progress is not None and not callable(progress):
        raise invalid("progress", f"must be a callable or None; got {preview(progress)}", "Pass a function or None")
    if checkpoint is not None and not all(callable(getattr(checkpoint, name, None)) for name in ("done", "record")):
        raise invalid(
            "checkpoint",
            f"must be a checkpoint (with done() and record()) or None; got {preview(checkpoint)}",
            "Pass a FileCheckpoint, an ObjectStorageCheckpoint or None",
        )
    records = check_record_ids(record_ids)
    total = len(records) if isinstance(records, Collection) and not isinstance(records, Iterator) else None
    return UnenrollInputs(module, records, cadences, workers, total)


def unenroll_path(module: str) -> str:
    return f"{module}/actions/unenrol_from_cadences"


def unenroll_body(cadence_ids: Sequence[str], record_ids: list[str]) -> dict[str, Any]:
    """The body of one call: up to 5 cadence ids and 100 record ids."""
    return {"cadences_ids": list(cadence_ids), "ids": record_ids}


def check_max_workers(max_workers: Any) -> int:
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or not 1 <= max_workers <= MAX_WORKERS_LIMIT:
        raise ZohoCRMValidationError(
            f"max_workers must be an integer from 1 to {MAX_WORKERS_LIMIT}; got {preview(max_workers)}",
            details={"json_path": "max_workers"},
            hint="Stay at or below the Zoho edition's concurrency limit (10 Standard ... 25 Ultimate)",
        )
    return max_workers


def check_cadence_ids(cadence_ids: Any) -> list[str]:
    """Validated cadence ids, duplicates dropped (first one kept), at least one."""
    if isinstance(cadence_ids, (str, bytes, Mapping)) or not isinstance(cadence_ids, Iterable):
        raise ZohoCRMValidationError(
            f"cadence_ids must be a list of cadence ids; got {type(cadence_ids).__name__}",
            details={"json_path": "cadence_ids"},
        )
    ids = [validate_id(value, f"cadence_ids[{index}]") for index, value in enumerate(cadence_ids)]
    if not ids:
        raise ZohoCRMValidationError(
            "cadence_ids is empty; give at least one cadence id",
            code="MANDATORY_NOT_FOUND",
            details={"json_path": "cadence_ids"},
            hint="List the org's cadences with get_cadences()",
        )
    return list(dict.fromkeys(ids))


def check_record_ids(record_ids: Any) -> Iterable[Any]:
    """Reject non-lists; check a sized collection whole (the first bad ids are named)."""
    if isinstance(record_ids, (str, bytes, dict)) or not isinstance(record_ids, Iterable):
        raise ZohoCRMValidationError(
            f"record_ids must be a list or an iterable of record ids; got {type(record_ids).__name__}",
            details={"json_path": "record_ids"},
        )
    if isinstance(record_ids, Collection) and not isinstance(record_ids, Iterator):
        bad = [index for index, value in enumerate(record_ids) if not is_id(value)]
        if bad:
            shown = ", ".join(f"record_ids[{i}]" for i in bad[:5])
            raise ZohoCRMValidationError(
                f"{len(bad)} record id(s) are not Zoho ids (strings of digits): {shown}",
                details={"json_path": f"record_ids[{bad[0]}]", "invalid_count": len(bad)},
                hint="Pass the ids exactly as Zoho returns them, e.g. '554023000001798647'",
            )
    return record_ids


def planned_calls(record_count: int, cadence_count: int) -> int:
    """ceil(R/100) * ceil(C/5): the number of calls R records and C cadences take."""
    return math.ceil(record_count / RECORDS_PER_CALL) * math.ceil(cadence_count / CADENCES_PER_CALL)


def cadence_batches(cadence_ids: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(cadence_ids[i : i + CADENCES_PER_CALL]) for i in range(0, len(cadence_ids), CADENCES_PER_CALL)]


def record_batches(record_ids: Iterable[Any], on_invalid: Callable[[Any], None]) -> Iterator[list[str]]:
    """Up to 100 valid ids at a time, read lazily; invalid ones go to ``on_invalid``."""
    batch: list[str] = []
    for value in record_ids:
        if not is_id(value):
            on_invalid(value)
            continue
        batch.append(str(value))
        if len(batch) == RECORDS_PER_CALL:
            yield batch
            batch = []
    if batch:
        yield batch

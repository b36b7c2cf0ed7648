"""Folding un-enroll answers into one small, JSON-serialisable result (Un-enroll Records from Cadences).

Successes are counted by code (``succeeded_by_code``): ``SUCCESS`` for Zoho's per-record success,
``NO_CONTENT`` for the records of a call Zoho answered 204 (its definitions list 200, 204 and 400
for this call; an empty answer means nothing was left to un-enroll), or Zoho's code for a record
it says was not enrolled. Those noted successes and the failures are kept in full up to
``max_failures`` each and counted by code beyond, so the result (and memory) stays small however
many records there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMError

DEFAULT_MAX_FAILURES = 1000
INVALID_ID = "INVALID_ID"
NO_RESULT = "NO_RESULT"
SUCCESS = "SUCCESS"
NO_CONTENT = "NO_CONTENT"
NO_CONTENT_MESSAGE = "Zoho answered 204 (no content) for this call: nothing was left to un-enroll"
_NOT_ENROLLED_CODES = frozenset({"NOT_ENROLLED", "ALREADY_UNENROLLED", "RECORD_NOT_ENROLLED"})


@dataclass(frozen=True)
class Batch:
    """One call's worth: up to 100 record ids and up to 5 cadence ids; ``index`` numbers it in the run."""

    record_ids: list[str]
    cadence_ids: tuple[str, ...]
    index: int = 0


@dataclass(frozen=True)
class BatchOutcome:
    """One answered call: how many records succeeded and which failed, with Zoho's code and message."""

    succeeded: int
    failures: tuple[tuple[str, str, str], ...] = ()  # (record id, code, message)
    digest: str = ""  # identifies the batch's module, cadences and records (unenroll_checkpoint)
    notes: tuple[tuple[str, str, str], ...] = ()  # succeeded records with a code other than SUCCESS


class UnenrollError(ZohoCRMError):
    """Some records could not be un-enrolled; ``result`` holds the counts and the kept failures."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.result = result
        super().__init__(
            describe_failures(result),
            code="UNENROLL_FAILED",
            details={"failed_by_code": result["failed_by_code"], "failures": result["failures"][:10]},
            hint="See the failures; pass fail_on_error=False to get the result without failing the task",
        )


def describe_failures(result: dict[str, Any], first: int = 5) -> str:
    """One line: how many pairs failed, by code, and the first few failures."""
    by_code = ", ".join(f"{code} {count}" for code, count in sorted(result["failed_by_code"].items()))
    shown = "; ".join(
        f"record {f['record_id']} / cadences {','.join(f['cadence_ids'])}: {f['code']} {f['message']}"
        for f in result["failures"][:first]
    )
    total = result["succeeded"] + result["failed"]
    return f"{result['failed']} of {total} (record, cadence batch) pairs failed ({by_code}); first: {shown}"


class UnenrollTally:
    """The folded result; touched by the coordinating thread only."""

    def __init__(self, module: str, cadence_ids: list[str], max_failures: int) -> None:
        self.module = module
        self.cadence_ids = cadence_ids
        self.max_failures = max_failures
        self.records = 0
        self.calls = 0
        self.calls_skipped = 0
        self.calls_not_sent = 0  # batches not sent because the run stopped on a fatal error
        self.batches_resumed = 0
        self.batches_done = 0
        self.records_in_done_batches = 0
        self.succeeded = 0
        self.failed = 0
        self.failures: list[dict[str, Any]] = []
        self.failed_by_code: dict[str, int] = {}
        self.notes: list[dict[str, Any]] = []
        self.succeeded_by_code: dict[str, int] = {}
        self.poisoned: dict[tuple[str, ...], ZohoCRMError] = {}

    def fail(self, record_id: str, cadences: tuple[str, ...], code: str, message: str) -> None:
        self.failed += 1
        self.failed_by_code[code] = self.failed_by_code.get(code, 0) + 1
        if len(self.failures) < self.max_failures:
            self.failures.append(
                {"record_id": record_id, "cadence_ids": list(cadences), "code": code, "message": message}
            )

    def fail_batch(self, batch: Batch, code: str, message: str, culprit: int | None = None) -> None:
        """Fail every record of ``batch``; ``culprit`` is the index of the record Zoho's error named."""
        named = batch.record_ids[culprit] if culprit is not None and 0 <= culprit < len(batch.record_ids) else None
        for index, record_id in enumerate(batch.record_ids):
            if named is None or index == culprit:
                self.fail(record_id, batch.cadence_ids, code, message)
            else:
                text = f"not un-enrolled: Zoho refused the whole call (its error names record {named}: {message})"
                self.fail(record_id, batch.cadence_ids, code, text)

    def add(self, batch: Batch, outcome: BatchOutcome) -> None:
        """Fold one answered call (just answered, or recorded by an earlier run)."""
        self.succeeded += outcome.succeeded
        plain = outcome.succeeded - len(outcome.notes)
        if plain:
            self.succeeded_by_code[SUCCESS] = self.succeeded_by_code.get(SUCCESS, 0) + plain
        for record_id, code, message in outcome.notes:
            self.succeeded_by_code[code] = self.succeeded_by_code.get(code, 0) + 1
            if len(self.notes) < self.max_failures:
                self.notes.append(
                    {"record_id": record_id, "cadence_ids": list(batch.cadence_ids), "code": code, "message": message}
                )
        for record_id, code, message in outcome.failures:
            self.fail(record_id, batch.cadence_ids, code, message)

    def finish_batch(self, batch: Batch) -> None:
        self.batches_done += 1
        self.records_in_done_batches += len(batch.record_ids)

    def result(self, elapsed: float) -> dict[str, Any]:
        return {
            "module": self.module,
            "cadence_ids": self.cadence_ids,
            "records": self.records,
            "calls": self.calls,
            "calls_skipped": self.calls_skipped,
            "calls_not_sent": self.calls_not_sent,
            "batches_resumed": self.batches_resumed,
            "succeeded": self.succeeded,
            "succeeded_by_code": dict(sorted(self.succeeded_by_code.items())),
            "notes": self.notes,
            "failed": self.failed,
            "failures": self.failures,
            "failures_truncated": self.failed > len(self.failures),
            "failed_by_code": dict(sorted(self.failed_by_code.items())),
            "elapsed_seconds": round(elapsed, 3),
        }


def answer_outcome(batch: Batch, answer: Any) -> BatchOutcome:
    """A 200/207 answer (one item per record, in the order sent), or an empty 204, as an outcome.

    Every record of the batch ends in it: a 204 (``{}``) succeeds each with ``NO_CONTENT``; a
    record the answer does not mention fails with ``NO_RESULT``.
    """
    if isinstance(answer, dict) and not answer:
        empty = tuple((record_id, NO_CONTENT, NO_CONTENT_MESSAGE) for record_id in batch.record_ids)
        return BatchOutcome(len(batch.record_ids), notes=empty)
    items = answer.get("data") if isinstance(answer, dict) else None
    succeeded = 0
    failures: list[tuple[str, str, str]] = []
    notes: list[tuple[str, str, str]] = []
    for record_id, item in _match_items(batch.record_ids, items if isinstance(items, list) else []):
        if item is None:
            failures.append((record_id, NO_RESULT, "Zoho's answer did not mention this record"))
        elif _item_ok(item):
            succeeded += 1
            if item.get("code") not in (None, SUCCESS):
                notes.append((record_id, str(item.get("code")), str(item.get("message") or "")))
        else:
            failures.append((record_id, str(item.get("code") or "ERROR"), str(item.get("message") or "")))
    return BatchOutcome(succeeded, tuple(failures), notes=tuple(notes))


def _match_items(record_ids: list[str], items: list[Any]) -> list[tuple[str, dict[str, Any] | None]]:
    """Pair each record with its item: by position when the counts agree, else by id or json_path."""
    items = [item for item in items if isinstance(item, dict)]
    if len(items) == len(record_ids):
        return list(zip(record_ids, items, strict=True))
    by_index: dict[int, dict[str, Any]] = {}
    positions: dict[str, list[int]] = {}
    for index, record_id in enumerate(record_ids):
        positions.setdefault(record_id, []).append(index)
    for item in items:
        details = item.get("details") if isinstance(item.get("details"), dict) else {}
        where = _json_path_index(details.get("json_path"))
        if where is None and positions.get(str(details.get("id"))):
            where = positions[str(details.get("id"))].pop(0)
        if where is not None and 0 <= where < len(record_ids):
            by_index.setdefault(where, item)
    return [(record_id, by_index.get(index)) for index, record_id in enumerate(record_ids)]


def _json_path_index(path: Any) -> int | None:
    text = str(path or "")
    if text.startswith("$.ids[") and text.endswith("]") and text[6:-1].isdigit():
        return int(text[6:-1])
    return None


def _item_ok(item: dict[str, Any]) -> bool:
    if item.get("status") == "success" or item.get("code") == "SUCCESS":
        return True
    # Not documented; Zoho may answer that a record was not enrolled. It is not enrolled now: done.
    return item.get("code") in _NOT_ENROLLED_CODES or "not enrolled" in str(item.get("message") or "").lower()

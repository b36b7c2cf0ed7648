"""The batched un-enroll engine (seed page 004): any number of records, bounded memory and concurrency.

Zoho takes at most 100 record ids and 5 cadence ids per call, so R records and C cadences need
exactly ceil(R/100) * ceil(C/5) calls. Record ids are read from the input as the calls go out:
at most ``2 * max_workers`` calls (plus the cadence batches of one record batch) are pending at
any time, so a generator of millions is never held in memory.

Outcome, per (record, cadence batch) pair — every pair ends as succeeded or failed:
- a ``SUCCESS`` item (and, by choice, an answer saying the record was not enrolled, and an empty
  204 answer) counts as succeeded: the record is not enrolled afterwards either way;
- an error item fails that record with Zoho's code and message (207 mixes both);
- an error for the whole call (NOT_ALLOWED cadence, INVALID_DATA, LIMIT_EXCEEDED, or a 429/5xx/
  connection error left after the hook's retries) fails every record of the call with that code.
  When the error names the cadences (NOT_ALLOWED, an invalid cadence id), later calls for that
  cadence batch would fail the same way: they are not sent and their records fail with the same
  code (``calls_skipped``), which saves one API credit per call;
- an error that every call would hit (authentication, permission or edition, unknown module,
  wrong URL) stops sending, lets the calls in flight finish and is raised as it came.

Successes are only counted. Failures are kept in full up to ``max_failures`` (default 1,000),
then only counted in ``failed_by_code``; ``failures_truncated`` says so.

Record ids are checked before they are sent: a list (any sized collection) is checked whole
before the first call and a bad id raises ``ZohoCRMValidationError``; ids from an iterator are
checked as they are read, and a bad one fails (code ``INVALID_ID``) without a request while the
good ones around it are sent. R in the call count is then the number of valid ids.

Calls are retried by the hook (429/5xx/connection errors): un-enrolling twice is harmless.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMConnectionConfigError,
    ZohoCRMError,
    ZohoCRMPermissionError,
    ZohoCRMRateLimitError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.validation import validate_id, validate_module

RECORDS_PER_CALL = 100
CADENCES_PER_CALL = 5
DEFAULT_MAX_WORKERS = 8  # below the smallest paid edition's 10 concurrent calls per user
MAX_WORKERS_LIMIT = 25  # Zoho's highest per-user concurrency (Ultimate); more only earns 429s
DEFAULT_MAX_FAILURES = 1000
INVALID_ID = "INVALID_ID"
NO_RESULT = "NO_RESULT"
_FATAL_CODES = frozenset(
    {"INVALID_MODULE", "INVALID_URL_PATTERN", "INVALID_REQUEST_METHOD", "API_NOT_SUPPORTED", "FEATURE_NOT_SUPPORTED"}
)
_NOT_ENROLLED_CODES = frozenset({"NOT_ENROLLED", "ALREADY_UNENROLLED", "RECORD_NOT_ENROLLED"})

Send = Callable[[dict[str, Any]], dict[str, Any]]


def unenroll_path(module: str) -> str:
    return f"{module}/actions/unenrol_from_cadences"


@dataclass(frozen=True)
class UnenrollProgress:
    """A snapshot for progress reports; ``batches_total``/``eta_seconds`` are None for iterators."""

    batches_done: int
    batches_total: int | None
    records_done: int
    records_per_second: float
    eta_seconds: float | None
    elapsed_seconds: float
    succeeded: int
    failed: int


@dataclass(frozen=True)
class _Batch:
    record_ids: list[str]
    cadence_ids: tuple[str, ...]


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


def check_max_workers(max_workers: Any) -> int:
    if isinstance(max_workers, bool) or not isinstance(max_workers, int) or not 1 <= max_workers <= MAX_WORKERS_LIMIT:
        raise ZohoCRMValidationError(
            f"max_workers must be an integer from 1 to {MAX_WORKERS_LIMIT}; got {max_workers!r}",
            details={"json_path": "max_workers"},
            hint="Stay at or below the Zoho edition's concurrency limit (10 Standard ... 25 Ultimate)",
        )
    return max_workers


def check_cadence_ids(cadence_ids: Any) -> list[str]:
    """Validated cadence ids, duplicates dropped (first one kept), at least one."""
    if isinstance(cadence_ids, (str, bytes)) or not isinstance(cadence_ids, Iterable):
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
        bad = [index for index, value in enumerate(record_ids) if not _valid_id(value)]
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
        if not _valid_id(value):
            on_invalid(value)
            continue
        batch.append(str(value))
        if len(batch) == RECORDS_PER_CALL:
            yield batch
            batch = []
    if batch:
        yield batch


def _valid_id(value: Any) -> bool:
    try:
        validate_id(value, "record_ids")
    except ZohoCRMValidationError:
        return False
    return True


class _Tally:
    """The folded result; touched by the coordinating thread only."""

    def __init__(self, module: str, cadence_ids: list[str], max_failures: int) -> None:
        self.module = module
        self.cadence_ids = cadence_ids
        self.max_failures = max_failures
        self.records = 0
        self.calls = 0
        self.calls_skipped = 0
        self.batches_done = 0
        self.records_in_done_batches = 0
        self.succeeded = 0
        self.failed = 0
        self.failures: list[dict[str, Any]] = []
        self.failed_by_code: dict[str, int] = {}
        self.poisoned: dict[tuple[str, ...], ZohoCRMError] = {}

    def fail(self, record_id: str, cadences: tuple[str, ...], code: str, message: str) -> None:
        self.failed += 1
        self.failed_by_code[code] = self.failed_by_code.get(code, 0) + 1
        if len(self.failures) < self.max_failures:
            self.failures.append(
                {"record_id": record_id, "cadence_ids": list(cadences), "code": code, "message": message}
            )

    def fail_batch(self, batch: _Batch, code: str, message: str) -> None:
        for record_id in batch.record_ids:
            self.fail(record_id, batch.cadence_ids, code, message)

    def fold_answer(self, batch: _Batch, answer: dict[str, Any]) -> None:
        """Fold a 200/207 answer: one item per record, in the order sent."""
        items = answer.get("data")
        if not answer:  # 204: nothing to un-enroll
            self.succeeded += len(batch.record_ids)
            return
        for record_id, item in _match_items(batch.record_ids, items if isinstance(items, list) else []):
            if item is None:
                self.fail(record_id, batch.cadence_ids, NO_RESULT, "Zoho's answer did not mention this record")
            elif _item_ok(item):
                self.succeeded += 1
            else:
                self.fail(
                    record_id, batch.cadence_ids, str(item.get("code") or "ERROR"), str(item.get("message") or "")
                )

    def finish_batch(self, batch: _Batch) -> None:
        self.batches_done += 1
        self.records_in_done_batches += len(batch.record_ids)

    def result(self, elapsed: float) -> dict[str, Any]:
        return {
            "module": self.module,
            "cadence_ids": self.cadence_ids,
            "records": self.records,
            "calls": self.calls,
            "calls_skipped": self.calls_skipped,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "failures": self.failures,
            "failures_truncated": self.failed > len(self.failures),
            "failed_by_code": dict(sorted(self.failed_by_code.items())),
            "elapsed_seconds": round(elapsed, 3),
        }


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


def is_fatal(exc: BaseException) -> bool:
    """Errors every call of the run would hit: stop instead of failing batch after batch."""
    if not isinstance(exc, ZohoCRMError):
        return True  # a bug, not a Zoho answer
    if isinstance(exc, (ZohoCRMAuthError, ZohoCRMPermissionError, ZohoCRMConnectionConfigError)):
        return True
    if isinstance(exc, ZohoCRMRateLimitError) and exc.status_code != 429:
        return True  # the token endpoint's throttle: no call can get a token for minutes
    return exc.code in _FATAL_CODES or exc.status_code == 404


def _names_cadences(exc: ZohoCRMError) -> bool:
    where = f"{exc.details.get('api_name') or ''} {exc.json_path or ''}"
    return exc.code == "NOT_ALLOWED" or "cadences" in where


def _error_code(exc: ZohoCRMError) -> str:
    if exc.code:
        return exc.code
    if exc.status_code:
        return f"HTTP_{exc.status_code}"
    return "TRANSPORT_ERROR"


class UnenrollRun:
    """One run: reads record batches, keeps up to ``window`` calls pending, folds their outcomes."""

    def __init__(
        self,
        send: Send,
        module: str,
        cadence_ids: list[str],
        *,
        max_workers: int,
        progress: Callable[[UnenrollProgress], None] | None,
        total_records: int | None,
        max_failures: int = DEFAULT_MAX_FAILURES,
        before_threads: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.send = send
        self.max_workers = max_workers
        self.window = 2 * max_workers
        self.progress = progress
        self.before_threads = before_threads
        self.clock = clock
        self.cadence_batches = cadence_batches(cadence_ids)
        self.tally = _Tally(module, cadence_ids, max_failures)
        self.batches_total = None if total_records is None else planned_calls(total_records, len(cadence_ids))
        self.started = clock()
        self.fatal: BaseException | None = None

    def run(self, record_ids: Iterable[Any]) -> dict[str, Any]:
        batches = self._batches(record_ids)
        first = next(batches, None)
        if first is None:
            return self.tally.result(self.clock() - self.started)
        # The first call runs alone: it builds the hook's session and token before threads share
        # them, and an error every call would hit surfaces after one request, not max_workers.
        self._fold(first, self._call(first))
        self._raise_if_fatal()
        if self.before_threads is not None:
            self.before_threads()
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="zoho-unenroll") as pool:
            pending: dict[Future[Any], _Batch] = {}
            for batch in batches:
                if self.fatal is not None:
                    break
                if not self._skip_if_poisoned(batch):
                    pending[pool.submit(self._call, batch)] = batch
                while len(pending) >= self.window:
                    self._collect(pending, FIRST_COMPLETED)
            while pending:
                self._collect(pending, FIRST_COMPLETED)
        self._raise_if_fatal()
        return self.tally.result(self.clock() - self.started)

    def _batches(self, record_ids: Iterable[Any]) -> Iterator[_Batch]:
        counted = self._count(record_ids)
        for records in record_batches(counted, self._invalid):
            for cadences in self.cadence_batches:
                yield _Batch(records, cadences)

    def _count(self, record_ids: Iterable[Any]) -> Iterator[Any]:
        for value in record_ids:
            self.tally.records += 1
            yield value

    def _invalid(self, value: Any) -> None:
        for cadences in self.cadence_batches:
            self.tally.fail(str(value)[:40], cadences, INVALID_ID, "not a Zoho record id (a string of digits)")

    def _call(self, batch: _Batch) -> dict[str, Any] | BaseException:
        """Runs in a worker thread: the answer, or the error the hook raised after its retries."""
        try:
            return self.send({"cadences_ids": list(batch.cadence_ids), "ids": batch.record_ids})
        except Exception as exc:
            return exc

    def _collect(self, pending: dict[Future[Any], _Batch], when: str) -> None:
        done, _ = wait(pending, return_when=when)
        for future in done:
            self._fold(pending.pop(future), future.result())

    def _fold(self, batch: _Batch, outcome: dict[str, Any] | BaseException) -> None:
        tally = self.tally
        tally.calls += 1
        if not isinstance(outcome, BaseException):
            tally.fold_answer(batch, outcome)
        elif is_fatal(outcome):
            self.fatal = self.fatal or outcome
            tally.fail_batch(
                batch, _error_code(outcome) if isinstance(outcome, ZohoCRMError) else "ERROR", str(outcome)
            )
        else:
            assert isinstance(outcome, ZohoCRMError)
            tally.fail_batch(batch, _error_code(outcome), outcome.message)
            if _names_cadences(outcome):
                tally.poisoned.setdefault(batch.cadence_ids, outcome)
        tally.finish_batch(batch)
        self._report()

    def _skip_if_poisoned(self, batch: _Batch) -> bool:
        cause = self.tally.poisoned.get(batch.cadence_ids)
        if cause is None:
            return False
        self.tally.calls_skipped += 1
        self.tally.fail_batch(
            batch, _error_code(cause), f"not sent: an earlier call for these cadences got {cause.message}"
        )
        self.tally.finish_batch(batch)
        return True

    def _raise_if_fatal(self) -> None:
        if self.fatal is not None:
            raise self.fatal

    def _report(self) -> None:
        if self.progress is None:
            return
        tally = self.tally
        elapsed = max(self.clock() - self.started, 1e-9)
        records_done = tally.records_in_done_batches // len(self.cadence_batches)
        rate = records_done / elapsed
        eta = None
        if self.batches_total is not None and tally.batches_done:
            eta = max(0.0, elapsed / tally.batches_done * (self.batches_total - tally.batches_done))
        self.progress(
            UnenrollProgress(
                batches_done=tally.batches_done,
                batches_total=self.batches_total,
                records_done=records_done,
                records_per_second=rate,
                eta_seconds=eta,
                elapsed_seconds=elapsed,
                succeeded=tally.succeeded,
                failed=tally.failed,
            )
        )


def unenroll(
    send: Send,
    module: str,
    record_ids: Iterable[Any],
    cadence_ids: Iterable[Any],
    *,
    max_workers: int = DEFAULT_MAX_WORKERS,
    progress: Callable[[UnenrollProgress], None] | None = None,
    max_failures: int = DEFAULT_MAX_FAILURES,
    before_threads: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Validate, then un-enroll every record from every cadence through ``send(body)``.

    ``send`` posts one body to ``{module}/actions/unenrol_from_cadences`` and returns Zoho's JSON
    (raising the hook's typed errors). ``before_threads`` runs once, after the first call and
    before the worker threads start. Returns the result described in the module docstring.
    """
    module = validate_module(module, "module")
    cadences = check_cadence_ids(cadence_ids)
    workers = check_max_workers(max_workers)
    records = check_record_ids(record_ids)
    total = len(records) if isinstance(records, Collection) and not isinstance(records, Iterator) else None
    run = UnenrollRun(
        send,
        module,
        cadences,
        max_workers=workers,
        progress=progress,
        total_records=total,
        max_failures=max_failures,
        before_threads=before_threads,
    )
    return run.run(records)

"""The batched un-enroll engine (Un-enroll Records from Cadences): any number of records, bounded resources.

Zoho takes at most 100 record ids and 5 cadence ids per call, so R records and C cadences need
exactly ceil(R/100) * ceil(C/5) calls. Record ids are read from the input as the calls go out:
at most ``2 * max_workers`` calls are pending at any time (the ids of those calls and of the one
batch being read are all that is held), so a generator of millions is never materialised.
``prepare`` runs once before the first call (the hook reads its connection, sizes its pool and
gets the access token there, so that an unusable connection fails before any request); then
``max_workers`` threads share the hook's session and token from the first call on (capped by the
hook to the connection's ``max_concurrency`` slots). No call waits for another to start: a
mapped task un-enrolling 1,000 records sends its 10 calls at once.

Outcome, per (record, cadence batch) pair — every pair ends as succeeded or failed:
- a ``SUCCESS`` item counts as succeeded; so do, by choice, an answer saying the record was not
  enrolled (noted with Zoho's code) and an empty 204 answer (each record noted ``NO_CONTENT``):
  the record is not enrolled afterwards either way (``succeeded_by_code``, ``notes``);
- an error item fails that record with Zoho's code and message (207 mixes both);
- an error for the whole call (a 400 as one error object or as ``{"data": [error, ...]}``:
  NOT_ALLOWED cadence, INVALID_DATA, LIMIT_EXCEEDED; or a 429/5xx/connection error left after the
  hook's retries) fails every record of the call with that code; when the error names a record
  (``$.ids[i]``) that record gets Zoho's message and the others say the call was refused.
  When the error names the cadences (NOT_ALLOWED, an invalid cadence id), later calls for that
  cadence batch would fail the same way: they are not sent and their records fail with the same
  code (``calls_skipped``), which saves one API credit per call;
- an error that every call would hit (authentication, permission or edition, unknown module,
  wrong URL, and spent 24-hour API credits) stops sending: the calls in flight finish (at most
  ``max_workers`` were sent), every record of the batches not sent fails with that error's code
  (none is dropped, none is checkpointed, so a re-run sends them), and the error is raised with
  the run's counts in ``details``. Spent credits raise ``ZohoCRMCreditsExhaustedError`` saying
  that credits come back over a rolling 24 hours.

Successes are counted by code (``succeeded_by_code``); plain ``SUCCESS`` ones are not listed, the
noted ones (``NO_CONTENT``, not enrolled) are kept in ``notes``. Failures are kept in full up to
``max_failures`` (default 1,000, the same cap for notes), then only counted in
``failed_by_code``; ``failures_truncated`` says so (``unenroll_result``).

Record ids are checked before they are sent: a list (any sized collection) is checked whole
before the first call and a bad id raises ``ZohoCRMValidationError``; ids from an iterator are
checked as they are read, and a bad one fails (code ``INVALID_ID``) without a request while the
good ones around it are sent. R in the call count is then the number of valid ids
(``cadences_validation``). Duplicate cadence ids are sent once; duplicate record ids as given.

Calls are retried by the hook (429/5xx/connection errors): un-enrolling twice is harmless.

With a ``checkpoint`` (``unenroll_checkpoint``), every answered call is recorded as its batch
finishes; a re-run of the same input after a crash sends only the batches not recorded and folds
the recorded outcomes in, so its result covers every record once (``batches_resumed`` of them
from the checkpoint). Batches in flight when the first run died are sent again.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.exceptions import ZohoCRMError
from airflow_provider_zohocrm.unenroll.batching import (
    DEFAULT_MAX_WORKERS,
    cadence_batches,
    check_inputs,
    planned_calls,
    record_batches,
    unenroll_body,
    unenroll_path,
)
from airflow_provider_zohocrm.unenroll.errors import culprit, error_code, is_fatal, names_cadences, stop_error
from airflow_provider_zohocrm.unenroll.result import (
    DEFAULT_MAX_FAILURES,
    INVALID_ID,
    Batch,
    BatchOutcome,
    UnenrollError,
    UnenrollTally,
    answer_outcome,
    describe_failures,
)

if TYPE_CHECKING:
    from airflow_provider_zohocrm.unenroll.checkpoint import Checkpoint

log = logging.getLogger(__name__)

__all__ = [
    "UnenrollError",
    "UnenrollProgress",
    "UnenrollRun",
    "describe_failures",
    "is_fatal",
    "planned_calls",
    "unenroll",
    "unenroll_path",
]

Send = Callable[[dict[str, Any]], dict[str, Any]]


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
        prepare: Callable[[int], int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self.send = send
        self.module = module
        self.max_workers = max_workers
        self.window = 2 * max_workers
        self.progress = progress
        self.prepare = prepare
        self.clock = clock
        self.cadence_batches = cadence_batches(cadence_ids)
        self.tally = UnenrollTally(module, cadence_ids, max_failures)
        self.batches_total = None if total_records is None else planned_calls(total_records, len(cadence_ids))
        self.started = clock()
        self.fatal: BaseException | None = None
        self.stopping = threading.Event()  # set by the worker that meets a fatal error
        self.stop_cause: BaseException | None = None  # that error (the first, if several)
        self.stop_lock = threading.Lock()
        self.checkpoint = checkpoint
        self.checkpoint_lock = threading.Lock()
        self.finished = dict(checkpoint.done()) if checkpoint is not None else {}

    def run(self, record_ids: Iterable[Any]) -> dict[str, Any]:
        batches = self._unfinished(self._batches(record_ids))
        first = next(batches, None)
        if first is None:  # nothing to send (empty input, or every batch resumed): no connection read
            return self.tally.result(self.clock() - self.started)
        if self.prepare is not None:
            self.max_workers = self.prepare(self.max_workers)
            self.window = 2 * self.max_workers
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="zoho-unenroll") as pool:
            pending: dict[Future[Any], Batch] = {}
            for batch in itertools.chain([first], batches):
                if self.stopping.is_set():
                    self._fail_unsent(batch)  # read on, so that every record is reported
                    continue
                if not self._skip_if_poisoned(batch):
                    pending[pool.submit(self._call, batch)] = batch
                while len(pending) >= self.window:
                    self._collect(pending, FIRST_COMPLETED)
            while pending:
                self._collect(pending, FIRST_COMPLETED)
        self._raise_if_fatal()
        return self.tally.result(self.clock() - self.started)

    def _batches(self, record_ids: Iterable[Any]) -> Iterator[Batch]:
        """Every batch, numbered in input order: record batch r with cadence batch j is r * C + j."""
        counted = self._count(record_ids)
        index = 0
        for records in record_batches(counted, self._invalid):
            for cadences in self.cadence_batches:
                yield Batch(records, cadences, index)
                index += 1

    def _unfinished(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        """The batches to send; those an earlier run finished are folded from the checkpoint instead."""
        for batch in batches:
            if not self._resume(batch):
                yield batch

    def _resume(self, batch: Batch) -> bool:
        recorded = self.finished.pop(batch.index, None)
        if recorded is None:
            return False
        if recorded.digest != self._digest(batch):
            log.warning("Batch %d holds other ids than when it was checkpointed: sending it again", batch.index)
            return False
        self.tally.add(batch, recorded)
        self.tally.batches_resumed += 1
        self.tally.finish_batch(batch)
        self._report()
        return True

    def _digest(self, batch: Batch) -> str:
        from airflow_provider_zohocrm.unenroll.checkpoint import batch_digest

        return batch_digest(self.module, batch.cadence_ids, batch.record_ids)

    def _record(self, batch: Batch, outcome: BatchOutcome) -> None:
        """Checkpoint an answered batch; a store that fails is dropped (a re-run then resends more)."""
        with self.checkpoint_lock:
            if self.checkpoint is None:
                return
            try:
                self.checkpoint.record(batch.index, replace(outcome, digest=self._digest(batch)))
            except OSError as exc:
                log.warning("Could not write the un-enroll checkpoint (%s); continuing without it", exc)
                self.checkpoint = None

    def _count(self, record_ids: Iterable[Any]) -> Iterator[Any]:
        for value in record_ids:
            self.tally.records += 1
            yield value

    def _invalid(self, value: Any) -> None:
        for cadences in self.cadence_batches:
            self.tally.fail(str(value)[:40], cadences, INVALID_ID, "not a Zoho record id (a string of digits)")

    def _call(self, batch: Batch) -> BatchOutcome | BaseException | None:
        """Runs in a worker thread: the answer's outcome, the error the hook raised after its
        retries, or None for a batch not sent because an earlier answer already decided it (its
        cadences are unusable, or the run is stopping on a fatal error).

        Those decisions are taken here, as answers arrive, so that batches already queued behind
        them are not sent. An answered batch is checkpointed here too, so that a crash can only
        lose the calls still in flight (at most ``max_workers``), not answers waiting to be folded.
        """
        if self.stopping.is_set() or batch.cadence_ids in self.tally.poisoned:
            return None
        try:
            answer = self.send(unenroll_body(batch.cadence_ids, batch.record_ids))
        except Exception as exc:
            if is_fatal(exc):
                with self.stop_lock:
                    self.stop_cause = self.stop_cause or exc
                self.stopping.set()
            elif isinstance(exc, ZohoCRMError) and names_cadences(exc):
                self.tally.poisoned.setdefault(batch.cadence_ids, exc)  # atomic: workers may race here
            return exc
        outcome = answer_outcome(batch, answer)
        self._record(batch, outcome)
        return outcome

    def _collect(self, pending: dict[Future[Any], Batch], when: str) -> None:
        done, _ = wait(pending, return_when=when)
        for future in done:
            self._fold(pending.pop(future), future.result())

    def _fold(self, batch: Batch, outcome: BatchOutcome | BaseException | None) -> None:
        if outcome is None:  # not sent: skipped, or the run stops on a fatal error
            if not self._skip_if_poisoned(batch):
                self._fail_unsent(batch)
            return
        tally = self.tally
        tally.calls += 1
        if not isinstance(outcome, BaseException):
            tally.add(batch, outcome)
        elif is_fatal(outcome):
            self.fatal = self.fatal or outcome
            tally.fail_batch(batch, error_code(outcome) if isinstance(outcome, ZohoCRMError) else "ERROR", str(outcome))
        else:
            assert isinstance(outcome, ZohoCRMError)
            tally.fail_batch(batch, error_code(outcome), outcome.message, culprit(outcome))
        tally.finish_batch(batch)
        self._report()

    def _fail_unsent(self, batch: Batch) -> None:
        """A batch not sent because the run stops: its records fail with the stopping error's code."""
        cause = self.stop_cause
        code = error_code(cause) if isinstance(cause, ZohoCRMError) else "ERROR"
        reason = cause.message if isinstance(cause, ZohoCRMError) else str(cause)
        self.tally.calls_not_sent += 1
        self.tally.fail_batch(batch, code, f"not sent: an earlier call of this run got {reason}")
        self.tally.finish_batch(batch)
        self._report()

    def _skip_if_poisoned(self, batch: Batch) -> bool:
        cause = self.tally.poisoned.get(batch.cadence_ids)
        if cause is None:
            return False
        self.tally.calls_skipped += 1
        self.tally.fail_batch(
            batch, error_code(cause), f"not sent: an earlier call for these cadences got {cause.message}"
        )
        self.tally.finish_batch(batch)
        return True

    def _raise_if_fatal(self) -> None:
        if self.fatal is not None:
            raise stop_error(self.fatal, self.tally.result(self.clock() - self.started))

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
    prepare: Callable[[int], int] | None = None,
    checkpoint: Checkpoint | None = None,
) -> dict[str, Any]:
    """Validate, then un-enroll every record from every cadence through ``send(body)``.

    ``send`` posts one body to ``{module}/actions/unenrol_from_cadences`` and returns Zoho's JSON
    (raising the hook's typed errors). ``prepare(max_workers)`` runs once, before the first call
    (not at all when nothing is to be sent), and returns the number of threads to use. Returns
    the result described in the module docstring. ``checkpoint`` makes a re-run after a crash
    skip the batches already answered (same input, same order).
    """
    inputs = check_inputs(module, record_ids, cadence_ids, max_workers, progress=progress, checkpoint=checkpoint)
    run = UnenrollRun(
        send,
        inputs.module,
        inputs.cadence_ids,
        max_workers=inputs.max_workers,
        progress=progress,
        total_records=inputs.total_records,
        max_failures=max_failures,
        prepare=prepare,
        checkpoint=checkpoint,
    )
    return run.run(inputs.record_ids)

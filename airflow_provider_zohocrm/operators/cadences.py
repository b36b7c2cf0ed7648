"""``UnenrollCadenceOperator``: un-enroll thousands to millions of records from cadences."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.operators.base import ZohoCRMBaseOperator

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_zohocrm.unenroll.checkpoint import CheckpointStore, TaskCheckpoint
    from airflow_provider_zohocrm.unenroll.engine import UnenrollProgress

PROGRESS_EVERY_SECONDS = 10.0
PROGRESS_STEPS = 20  # with a known total: a line every 5 %


class UnenrollCadenceOperator(ZohoCRMBaseOperator):
    """Un-enroll records from cadences in ceil(R/100) * ceil(C/5) calls, ``max_workers`` at a time.

    :param module: the module API name (Leads, Contacts, Deals, Vendors or a custom module).
    :param record_ids: record ids: a list, an XComArg, or a template rendering to a list (or to a
        JSON list / comma-separated string of ids). Millions are fine: the ids are streamed.
    :param cadence_ids: the cadences to un-enroll from (any number; 5 per call).
    :param max_workers: calls in flight at once (1-25), never more than the connection's
        ``max_concurrency`` slots; keep it below the edition's concurrency limit minus what other
        tasks using the same Zoho user need.
    :param fail_on_error: fail the task after all calls ran if any record failed (default), or
        return the result with its failures.
    :param checkpoint: where each answered batch is recorded, keyed by (dag_id, run_id, task_id,
        map_index), so that a retry after a crash or a failure sends only the batches not
        answered yet and still reports every record once (``batches_resumed`` of them from the
        checkpoint). ``True`` (default): ``$ZOHO_CRM_CHECKPOINT_DIR`` (a directory or a URL),
        else a local directory under ``$AIRFLOW_HOME``. ``False``: none. An absolute local
        directory: a file per task instance there, which a retry finds **on the same host only**
        (or on hosts sharing that mount). An object-storage URL (``s3://bucket/prefix``,
        ``s3://conn_id@bucket/prefix``, ``gs://...``, ``file:///shared/dir``): an object per
        batch through ``ObjectStoragePath``, which a retry finds **on any host that can reach the
        URL**; use one on Celery or Kubernetes executors, where a retry may run elsewhere.
        Templated; ``"True"``/``"False"`` text counts as the bool. Anything else fails the task
        before any request. The checkpoint is deleted when the task succeeds, so clearing a
        successful task starts afresh (see :mod:`airflow_provider_zohocrm.unenroll.checkpoint`).
        A retry must see the same ids in the same order (a list or XCom does).

    Returns ``{"module", "cadence_ids", "records", "calls", "succeeded", "succeeded_by_code",
    "notes", "failed", "failures", "failures_truncated", "failed_by_code", ...}``: counts of
    (record, cadence batch) pairs, the first 1,000 failures, and the first 1,000 successes Zoho
    qualified (``NO_CONTENT`` for a 204, not enrolled) (see :mod:`airflow_provider_zohocrm.unenroll.engine`).
    Spent 24-hour API credits stop the run: ``ZohoCRMCreditsExhaustedError`` with the counts in
    ``details["unenroll"]``; the checkpoint keeps the answered batches for a later retry.
    """

    template_fields: Sequence[str] = (
        *ZohoCRMBaseOperator.template_fields,
        "module",
        "record_ids",
        "cadence_ids",
        "max_workers",
        "fail_on_error",
        "checkpoint",
    )

    def __init__(
        self,
        *,
        module: str,
        record_ids: Any,
        cadence_ids: Any,
        max_workers: int = 8,
        fail_on_error: bool = True,
        checkpoint: bool | str = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.module = module
        self.record_ids = record_ids
        self.cadence_ids = cadence_ids
        self.max_workers = max_workers
        self.fail_on_error = fail_on_error
        self.checkpoint = checkpoint

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.coerce import to_bool, to_int, to_list
        from airflow_provider_zohocrm.unenroll.result import UnenrollError, describe_failures

        # Only text is turned into values here; the client's un-enroll validates them, once.
        module = self.module
        records = to_list(self.record_ids, "record_ids")
        cadences = to_list(self.cadence_ids, "cadence_ids")
        workers = to_int(self.max_workers, "max_workers")
        fail_on_error = to_bool(self.fail_on_error, "fail_on_error")
        checkpoints = self._checkpoint_store()  # a bad value fails here, before any request
        if self.dry_run_enabled:
            return self._dry_run(module, records, cadences, workers)
        checkpoint = self._checkpoint(context, checkpoints)
        result = self.hook.client.cadences.unenroll(
            module, records, cadences, max_workers=workers, progress=ProgressLog(self.log), checkpoint=checkpoint
        )
        self.log.info(
            "Un-enrolled from %d cadence(s) of %s: %d records, %d calls, %d batches from the checkpoint, "
            "%d succeeded, %d failed",
            len(result["cadence_ids"]),
            result["module"],
            result["records"],
            result["calls"],
            result["batches_resumed"],
            result["succeeded"],
            result["failed"],
        )
        if result["failed"]:
            if fail_on_error:
                raise UnenrollError(result)  # the checkpoint stays: a retry re-sends nothing answered
            self.log.warning("%s", describe_failures(result))
        if checkpoint is not None:
            checkpoint.delete()
        return result

    def _checkpoint_store(self) -> CheckpointStore | None:
        """The store ``checkpoint`` selects (None: disabled); raises ZohoCRMValidationError if bad."""
        from airflow_provider_zohocrm.unenroll.checkpoint_store import checkpoint_store

        return checkpoint_store(self.checkpoint, "checkpoint")

    def _checkpoint(self, context: Context, store: CheckpointStore | None) -> TaskCheckpoint | None:
        """The task instance's checkpoint, or None (disabled, or no task instance to key it)."""
        from airflow_provider_zohocrm.unenroll.checkpoint import task_key

        key = task_key(context) if store is not None else None
        if store is None or key is None:
            return None
        checkpoint = store.for_task(*key)
        self.log.info("Finished batches are checkpointed in %r", checkpoint)
        return checkpoint

    def _dry_run(self, module: Any, records: Any, cadences: Any, workers: Any) -> dict[str, Any]:
        from airflow_provider_zohocrm.unenroll.plan import plan_unenroll

        planned = plan_unenroll(module, records, cadences, workers)
        inputs, plan = planned["inputs"], planned["plan"]
        self.log_plan(plan, title=f"Dry run of {self.task_id}: {planned['calls']} call(s), the first {len(plan)} shown")
        warnings = self._cadence_warnings(inputs.module, inputs.cadence_ids)
        if planned["invalid"]:
            warnings.append(f"{planned['invalid']} record id(s) are not Zoho ids and would fail with INVALID_ID")
        for warning in warnings:
            self.log.warning("%s", warning)
        return {
            "dry_run": True,
            "plan": plan,
            "module": inputs.module,
            "cadence_ids": inputs.cadence_ids,
            "records": planned["records"],
            "calls": planned["calls"],
            "warnings": warnings,
        }

    def _cadence_warnings(self, module: str, cadence_ids: list[str]) -> list[str]:
        """What the org's cadence list says about the ids (a read; unreadable is only a warning)."""
        from airflow_provider_zohocrm.exceptions import ZohoCRMAuthError, ZohoCRMPermissionError, ZohoCRMServerError

        try:
            cadences = {str(c.get("id")): c for c in self.hook.client.cadences.list_all()}
        except (ZohoCRMAuthError, ZohoCRMPermissionError, ZohoCRMServerError) as exc:
            return [f"could not read the cadences to check the ids: {exc}"]
        return [warning for cid in cadence_ids if (warning := cadence_warning(cid, cadences.get(cid), module))]


# Zoho's cadence list labels the enrollment type for display ("Manual enrollment", "Custom view");
# a single cadence's GET uses the key (manual_enrollment, custom_view). Both normalise to the key.
MANUAL_ENROLLMENT = "manual_enrollment"


def is_manual_enrollment(cadence: dict[str, Any]) -> bool | None:
    """Whether the cadence's ``type`` is manual enrollment, in either of Zoho's spellings; None if it has none.

    Only ``type`` decides: ``execution_details.type`` is about how records leave the cadence
    (Zoho's list example shows ``automatic_unenroll`` there for a custom-view cadence).
    """
    kind = cadence.get("type")
    if not isinstance(kind, str) or not kind.strip():
        return None
    return "_".join(kind.replace("-", " ").split()).lower() == MANUAL_ENROLLMENT


def cadence_warning(cadence_id: str, cadence: dict[str, Any] | None, module: str) -> str | None:
    """Why un-enrolling from this cadence would fail, if the cadence list shows it."""
    if cadence is None:
        return f"cadence {cadence_id} does not exist in this org (Zoho answers INVALID_DATA)"
    cadence_module = cadence.get("module")
    module_name = str(cadence_module.get("api_name") or "") if isinstance(cadence_module, dict) else ""
    if module_name and module_name.lower() != module.lower():
        return f"cadence {cadence_id} belongs to {module_name}, not {module} (Zoho answers INVALID_DATA)"
    if is_manual_enrollment(cadence) is False:
        return (
            f"cadence {cadence_id} ({cadence.get('name')}) is a {cadence.get('type')!r} cadence, not a "
            "manual-enrollment one (Zoho answers NOT_ALLOWED for others)"
        )
    return None


class ProgressLog:
    """Logs progress every 5 % of the calls (or every 100 when the total is unknown) and every 10 s."""

    def __init__(self, log: Any, clock: Any = time.monotonic) -> None:
        self.log = log
        self.clock = clock
        self.last_logged = clock()

    def __call__(self, progress: UnenrollProgress) -> None:
        total = progress.batches_total
        step = max(1, total // PROGRESS_STEPS) if total else 100
        now = self.clock()
        finished = total is not None and progress.batches_done >= total
        if not (finished or progress.batches_done % step == 0 or now - self.last_logged >= PROGRESS_EVERY_SECONDS):
            return
        self.last_logged = now
        self.log.info("%s", format_progress(progress))


def format_progress(progress: UnenrollProgress) -> str:
    total = progress.batches_total
    share = f" ({100 * progress.batches_done / total:.0f} %)" if total else ""
    eta = f", ETA {_duration(progress.eta_seconds)}" if progress.eta_seconds is not None else ""
    return (
        f"Un-enroll progress: {progress.batches_done}/{total if total is not None else '?'} calls{share}, "
        f"{progress.records_done:,} records, {progress.records_per_second:,.0f} records/s{eta}; "
        f"{progress.failed:,} failed"
    )


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

"""Snapshot, pause and restore Zoho CRM automation around a data load.

``snapshot >> pause >> load >> restore`` with ``trigger_rule=ALL_DONE`` on restore: pause turns off
what the snapshot shows active; restore puts statuses and execution order back, touching only what
differs, and reports drift (changes someone else made meanwhile) instead of overwriting it. The
decisions live in :mod:`airflow_provider_zohocrm.automation`; these operators read Zoho, log the plan
as a table, and write. Each plan is also returned to XCom (``{"plan": [...], ...}``) for a reviewer step.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_zohocrm.operators.base import ZohoCRMBaseOperator

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_zohocrm.automation.actions import Action
    from airflow_provider_zohocrm.plan import PlannedRequest

ON_DRIFT = ("fail", "warn")


class _AutomationOperator(ZohoCRMBaseOperator):
    template_fields_renderers: ClassVar[dict[str, str]] = {"snapshot": "json", "include": "json", "exclude": "json"}

    def read_live(self, modules: list[str], connected_workflows: bool) -> dict[str, Any]:
        """The live state of ``modules`` (and the connected workflows) as a snapshot document."""
        from datetime import datetime

        from airflow_provider_zohocrm.automation.document import build_document

        client = self.hook.client
        rules = {module: client.workflow_rules.list_all(module) for module in modules}
        workflows = client.connected_workflows.list_all() if connected_workflows else None
        return build_document(rules, workflows, datetime.now(UTC).isoformat(timespec="seconds"))

    @staticmethod
    def plan_result(
        snapshot: dict[str, Any], planned: list[Action], **fields: Any
    ) -> tuple[list[PlannedRequest], dict[str, Any]]:
        """The plan's requests, and the result fields pause and restore share (``fields`` after the date)."""
        changes = [action.change for action in planned]
        return [action.request for action in planned], {
            "snapshot_taken_at": snapshot["taken_at"],
            **fields,
            "changes": changes,
        }

    def apply(self, planned: list[Action], *, keep_going: bool) -> list[dict[str, Any]]:
        """Send the writes in order. ``keep_going``: go past a failed write, return the failures; else raise.

        The later steps of a split reorder are planned on the order the failed one would have left,
        so after a failed step the module's remaining steps are skipped (reported as failures too).
        """
        from airflow_provider_zohocrm.exceptions import ZohoCRMError

        failures: list[dict[str, Any]] = []
        broken_orders: set[str] = set()
        for done, action in enumerate(planned):
            reorder_of = action.change["module"] if action.change["kind"] == "execution_order" else None
            if reorder_of in broken_orders:
                self.log.error("Skipped: %s (an earlier step of this reorder failed)", _describe(action.change))
                failures.append({**action.change, "error": _skipped(action.change)})
                continue
            try:
                action.run(self.hook.client)
            except ZohoCRMError as exc:
                self.log.error("Failed: %s: %s", _describe(action.change), exc)
                if not keep_going:
                    self.log.error("Stopped after %d of %d change(s)", done, len(planned))
                    raise
                failures.append({**action.change, "error": exc.to_dict()})
                if reorder_of is not None:
                    broken_orders.add(reorder_of)
                continue
            self.log.info("Changed: %s", _describe(action.change))
        return failures


class SnapshotAutomationOperator(_AutomationOperator):
    """Record the automation a load could fire, so pause and restore know what "as it was" means.

    The document (see :mod:`airflow_provider_zohocrm.automation.document`) holds every workflow rule
    of ``modules`` with its status and execution order, and every connected workflow's status.

    :param modules: module API names (a list, JSON text of one, or ``"Leads, Contacts"``).
    :param include_connected_workflows: also record the org's connected workflows (default).
    :param path: also write the document here: a local path, or a URL (``s3://...``, ``file://...``)
        written through Airflow's ``ObjectStoragePath``.

    Returns the document (XCom). Read-only in Zoho; a dry run logs the same table and skips the file.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "modules", "path")

    def __init__(
        self,
        *,
        modules: list[str] | str,
        include_connected_workflows: bool = True,
        path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.modules = modules
        self.include_connected_workflows = include_connected_workflows
        self.path = path

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.automation.storage import check_location, write_document
        from airflow_provider_zohocrm.automation.tables import snapshot_table
        from airflow_provider_zohocrm.coerce import to_bool, to_list
        from airflow_provider_zohocrm.validation import validate_modules

        modules = validate_modules(to_list(self.modules, "modules"), "modules")
        workflows = to_bool(self.include_connected_workflows, "include_connected_workflows")
        # Checked before the reads: a path that cannot be written must not cost the whole snapshot.
        path = check_location(self.path, "path", for_write=True) if self.path is not None else None
        document = self.read_live(modules, workflows)
        self.log.info("%s", snapshot_table(document))
        if path and self.dry_run_enabled:
            self.log.info("Dry run: the snapshot would be written to %s", path)
        elif path:
            write_document(path, document)
            self.log.info("Snapshot written to %s", path)
        return document


class PauseAutomationOperator(_AutomationOperator):
    """Deactivate what the snapshot shows active and the selection names, if it still is.

    :param snapshot: the snapshot document (e.g. ``snapshot_task.output``), its JSON text, or the
        path/URL it was written to.
    :param include: what to pause; default everything in the snapshot. A mapping with ``modules``,
        ``rules`` (ids, name globs, or ``{"module", "name", "id"}``) and ``connected_workflows``
        (``True`` or ids / name globs); see :mod:`airflow_provider_zohocrm.automation.selection`.
    :param exclude: what not to pause, in the same form.
    :param delete_schedule_action: a deliberate choice, so not templated: ``False`` (default) keeps the
        scheduled actions the rules have queued for records; ``True`` deletes them, and restore cannot
        bring them back.

    Returns ``{"snapshot_taken_at", "delete_schedule_action", "plan", "changes", "unchanged", "changed"}``:
    ``changes`` lists exactly what it deactivated (``kind``, ``id``, ``name``, ``module``, ``before``,
    ``after``), ``unchanged`` the selected objects that needed nothing (inactive already, deleted).
    A dry run adds ``"dry_run": true`` and ``"would_change"``; its ``changes`` are the planned ones.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "snapshot", "include", "exclude")

    def __init__(
        self,
        *,
        snapshot: dict[str, Any] | str,
        include: dict[str, Any] | str | None = None,
        exclude: dict[str, Any] | str | None = None,
        delete_schedule_action: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.snapshot = snapshot
        self.include = include
        self.exclude = exclude
        self.delete_schedule_action = delete_schedule_action

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.automation.pause import pause_reads, plan_pause
        from airflow_provider_zohocrm.automation.selection import select
        from airflow_provider_zohocrm.automation.storage import load_snapshot
        from airflow_provider_zohocrm.coerce import to_bool

        purge = to_bool(self.delete_schedule_action, "delete_schedule_action")
        snapshot = load_snapshot(self.snapshot)
        selection = select(snapshot, self.include, self.exclude)
        if selection.unmatched_excludes:
            self.log.warning("exclude matched nothing in the snapshot: %s", ", ".join(selection.unmatched_excludes))
        live = self.read_live(*pause_reads(snapshot, selection))
        plan = plan_pause(snapshot, live, selection, delete_schedule_action=purge)
        requests, result = self.plan_result(snapshot, plan.actions, delete_schedule_action=purge)
        result["unchanged"] = plan.unchanged
        dry_run = self.dry_run_result(requests, result)
        if dry_run is not None:
            return dry_run
        self.apply(plan.actions, keep_going=False)
        self.log.info("Paused %d object(s); %d selected needed nothing", len(plan.actions), len(plan.unchanged))
        return {"plan": requests, **result, "changed": bool(plan.actions)}


class RestoreAutomationOperator(_AutomationOperator):
    """Bring statuses and execution order back to the snapshot, touching only what differs.

    Drift (objects created, deleted or edited by someone else since the snapshot; see
    :mod:`airflow_provider_zohocrm.automation.drift`) is reported, never overwritten: restore leaves
    drifted objects as they are. A drift *blocks* when a restore ignoring it would have written the
    object (an edited rule or workflow whose status or position differs from the snapshot).

    :param snapshot: the snapshot document, its JSON text, or the path/URL it was written to.
    :param on_drift: ``"fail"`` (default): on any drift (a created or deleted object too, blocking or
        not), raise ``ZohoCRMDriftError`` listing it before writing anything (a dry run too), so a
        person decides; ``"warn"``: log the drift and restore everything else.

    Returns ``{"snapshot_taken_at", "on_drift", "plan", "changes", "drift", "changed"}``: ``changes``
    are the writes made (rule or connected-workflow ``before``/``after``; ``execution_order`` with the
    moves and the order before and after), ``drift`` one entry per drifted object (``kind``,
    ``change``, ``id``, ``name``, ``module``, ``reasons``, ``blocks_restore``). A dry run adds
    ``"dry_run": true`` and ``"would_change"``. Writes go on past a failed one (to bring back as much
    automation as possible); the task then fails listing the failures, and a re-run retries only those.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "snapshot", "on_drift")

    def __init__(self, *, snapshot: dict[str, Any] | str, on_drift: str = "fail", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.snapshot = snapshot
        self.on_drift = on_drift

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.automation.restore import plan_restore
        from airflow_provider_zohocrm.automation.storage import load_snapshot
        from airflow_provider_zohocrm.automation.tables import drift_table
        from airflow_provider_zohocrm.exceptions import ZohoCRMError

        self._check_on_drift()
        snapshot = load_snapshot(self.snapshot)
        live = self.read_live(list(snapshot["modules"]), snapshot["connected_workflows"] is not None)
        plan = plan_restore(snapshot, live)
        (self.log.warning if plan.drift else self.log.info)("%s", drift_table(plan.drift))
        if plan.drift and self.on_drift == "fail":
            raise _drift_error(plan.drift)
        requests, result = self.plan_result(snapshot, plan.actions, on_drift=self.on_drift)
        result["drift"] = plan.drift
        dry_run = self.dry_run_result(requests, result)
        if dry_run is not None:
            return dry_run
        failures = self.apply(plan.actions, keep_going=True)
        if failures:
            raise ZohoCRMError(
                f"{len(failures)} of {len(plan.actions)} restore write(s) failed: "
                + "; ".join(f"{_describe(f)}: {f['error']['message']}" for f in failures),
                details={"failures": failures},
                hint="Fix the cause and re-run the task: it re-reads Zoho and retries only what still differs",
            )
        return {"plan": requests, **result, "changed": bool(plan.actions)}

    def _check_on_drift(self) -> None:
        if self.on_drift not in ON_DRIFT:
            from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

            raise ZohoCRMValidationError(
                f"on_drift must be one of {', '.join(ON_DRIFT)}; got {self.on_drift!r}",
                details={"json_path": "on_drift"},
            )


def _drift_error(drift: list[dict[str, Any]]) -> Exception:
    from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError

    listed = "; ".join(
        f"{d['kind'].replace('_', ' ')} {d['id']} {d['name']!r} {d['change']}: {', '.join(d['reasons'])}" for d in drift
    )
    return ZohoCRMDriftError(
        f"{len(drift)} object(s) created, deleted or edited in Zoho since the snapshot; "
        f"nothing was restored (on_drift='fail'): {listed}",
        details={"drift": drift},
        hint="Review the changes (task log), then re-run with on_drift='warn' to restore everything else "
        "and leave them as they are",
    )


def _skipped(change: dict[str, Any]) -> dict[str, Any]:
    return {
        "error": "Skipped",
        "status_code": None,
        "code": None,
        "message": f"not sent: an earlier step of the {change['module']} reorder failed",
        "details": {},
    }


def _describe(change: dict[str, Any]) -> str:
    if change["kind"] == "execution_order":
        step = f" (step {change['step']} of {change['steps']})" if "step" in change else ""
        return f"{change['module']} execution order: moved {len(change['moves'])} rule(s){step}"
    return (
        f"{change['kind'].replace('_', ' ')} {change['id']} {change['name']!r} ({change['module']}): "
        f"{change['before']} -> {change['after']}"
    )

"""What every Zoho CRM operator shares: the connection id, a lazy hook, dry runs and plans."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseOperator

from airflow_provider_zohocrm.connection import DEFAULT_CONN_ID
from airflow_provider_zohocrm.validation import validate_bool

if TYPE_CHECKING:
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
    from airflow_provider_zohocrm.plan import PlannedRequest


class ZohoCRMBaseOperator(BaseOperator):
    """Base of the provider's operators.

    :param zoho_crm_conn_id: the Zoho CRM connection to use.
    :param dry_run: validate, read what is needed, log and return the plan; write nothing.
    """

    template_fields: Sequence[str] = ("zoho_crm_conn_id",)
    ui_color = "#e42527"
    ui_fgcolor = "#ffffff"

    def __init__(self, *, zoho_crm_conn_id: str = DEFAULT_CONN_ID, dry_run: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.zoho_crm_conn_id = zoho_crm_conn_id
        # Not ``self.dry_run``: BaseOperator.dry_run() is a method Airflow's CLI calls. Checked here, not
        # in execute: dry_run is not templated, so it is never rendered text and cannot change before the
        # run; a non-bool ("false" is truthy, None falsy) fails the DAG file's import, not a later write.
        self.dry_run_enabled = validate_bool(dry_run, "dry_run")

    @cached_property
    def hook(self) -> ZohoCRMHook:
        """Built on first use inside ``execute`` (never while the DAG file is parsed)."""
        from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

        return ZohoCRMHook(zoho_crm_conn_id=self.zoho_crm_conn_id)

    def log_plan(self, requests: list[PlannedRequest], title: str | None = None) -> None:
        from airflow_provider_zohocrm.plan import render_plan

        prefix = "Dry run" if self.dry_run_enabled else "Plan"
        self.log.info("%s", render_plan(requests, title=title or f"{prefix} of {self.task_id}"))

    def dry_run_result(self, plan: list[PlannedRequest], result: dict[str, Any]) -> dict[str, Any] | None:
        """Log the plan; return the dry-run result, or ``None`` when the plan is to be carried out."""
        self.log_plan(plan)
        if self.dry_run_enabled:
            return {"dry_run": True, "plan": plan, **result, "changed": False, "would_change": bool(plan)}
        return None

    def result_without_write(
        self, plan: list[PlannedRequest], result: dict[str, Any], in_place: str
    ) -> dict[str, Any] | None:
        """The task's result when nothing is written: a dry run's, or ``changed: False`` for an empty plan
        (``in_place`` is logged then); ``None`` when the plan is to be carried out."""
        dry_run = self.dry_run_result(plan, result)
        if dry_run is not None:
            return dry_run
        if plan:
            return None
        self.log.info("%s", in_place)
        return {**result, "changed": False}

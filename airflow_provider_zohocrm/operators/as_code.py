"""Zoho CRM automation as code in DAGs: export, plan, apply the reviewed plan, verify.

``plan >> approval >> apply >> verify``: the plan operator returns the plan (a JSON-serialisable
dict) to XCom and logs it as a readable diff; a person approves it; the apply operator carries out
exactly that plan, which the core refuses, writing nothing, when live Zoho changed since the plan
was computed (its fingerprint). The decisions live in :mod:`airflow_provider_zohocrm.as_code`;
these operators find the files (a local directory or any ``ObjectStoragePath`` URL, see
:mod:`airflow_provider_zohocrm.as_code.locations`), log, and report.

Applied changes emit one Airflow asset event per module changed, through the asset alias
``zohocrm-automation``: ``Asset("zohocrm://<conn id>/automation/<Module>")``, so downstream DAGs
can be scheduled on automation changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from airflow_provider_zohocrm.operators.base import ZohoCRMBaseOperator

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_zohocrm.as_code import Plan

ASSET_ALIAS = "zohocrm-automation"
RENDERED_PLAN_KEY = "rendered_plan"


def automation_asset_uri(conn_id: str, module: str) -> str:
    """The asset a change to ``module``'s automation through connection ``conn_id`` updates.

    The connection id, not a host or a secret: it names the org as the deployment knows it.
    """
    return f"zohocrm://{quote(conn_id, safe='')}/automation/{quote(module, safe='')}"


def describe_differences(differences: list[dict[str, Any]], limit: int = 20) -> str:
    """``differences`` (from ``verify_state``) as one line each: module, kind, id, name, field path."""
    lines = []
    for diff in differences[:limit]:
        kind = str(diff.get("kind", "")).replace("_", " ")
        where = " ".join(str(part) for part in (diff.get("module"), kind, diff.get("id")) if part)
        lines.append(f"{where} {diff.get('name')!r} at {diff.get('path') or '(whole object)'}")
    if len(differences) > limit:
        lines.append(f"... and {len(differences) - limit} more")
    return "; ".join(lines)


def differences_error(differences: list[dict[str, Any]], what: str) -> Exception:
    from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError

    return ZohoCRMDriftError(
        f"{what}: {len(differences)} difference(s): {describe_differences(differences)}",
        details={"differences": differences},
        hint="The task log lists each one with the value in the files and the live value; plan and apply "
        "the files again, or export the live state to accept the change",
    )


class AutomationExportOperator(ZohoCRMBaseOperator):
    """Write the live automation of ``modules`` (and the connected workflows) as files.

    :param modules: module API names (a list, JSON text of one, or ``"Leads, Contacts"``).
    :param path: the directory to write into: a local path, or an ``ObjectStoragePath`` URL
        (``s3://bucket/automation``, ``file:///shared/automation``) the files are uploaded to.

    Returns the export's summary (``modules``: rules per module, ``connected_workflows``, ``files``,
    ``calls``). Read-only in Zoho; a dry run reads nothing and writes nothing.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "modules", "path")

    def __init__(self, *, modules: list[str] | str, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.modules = modules
        self.path = path

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.as_code import export_state
        from airflow_provider_zohocrm.as_code.locations import check_location, local_target
        from airflow_provider_zohocrm.coerce import to_list
        from airflow_provider_zohocrm.validation import validate_modules

        modules = validate_modules(to_list(self.modules, "modules"), "modules")
        path = check_location(self.path, "path", for_write=True)
        if self.dry_run_enabled:
            self.log.info("Dry run: the automation of %s would be exported to %s", ", ".join(modules), path)
            return {"dry_run": True, "modules": modules, "path": path}
        with local_target(path, "path") as directory:
            summary = export_state(self.hook.client, modules, directory)  # it logs its progress
        self.log.info("Exported %s to %s", summary.get("modules"), path)
        return summary


class AutomationPlanOperator(ZohoCRMBaseOperator):
    """Plan the requests that would make live Zoho equal to the automation files at ``path``.

    :param path: the directory of files (``workflow_rules/<Module>.yaml``, ``connected_workflows.yaml``):
        a local path (e.g. a git checkout) or an ``ObjectStoragePath`` URL (e.g. a bucket).

    Logs the plan as a readable diff (rule names, field paths, before → after, unmanaged rules),
    pushes that text to XCom under ``rendered_plan`` (for an approval step to show), and returns
    the plan as a dict (``Plan.to_dict()``: ``format``, ``fingerprint``, ``steps``, ``unmanaged``...),
    which :class:`AutomationApplyOperator` takes. Writes nothing.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "path")

    def __init__(self, *, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.as_code import make_plan
        from airflow_provider_zohocrm.as_code.locations import check_location, local_copy
        from airflow_provider_zohocrm.object_storage import is_url, redact_url

        path = check_location(self.path, "path")
        with local_copy(path, "path") as directory:
            plan = make_plan(self.hook.client, directory)  # it logs its progress
        if is_url(path):
            plan.directory = redact_url(path)  # not the temporary copy it was read from
        rendered = plan.render()
        self.log.info("Plan of %s against connection %r:\n%s", path, self.zoho_crm_conn_id, rendered)
        context["ti"].xcom_push(key=RENDERED_PLAN_KEY, value=rendered)
        return plan.to_dict()


class AutomationApplyOperator(ZohoCRMBaseOperator):
    """Carry out exactly the reviewed plan, then verify; emit an asset event per module changed.

    :param plan: the plan :class:`AutomationPlanOperator` returned (e.g. ``plan_task.output``), or its
        JSON text. Refused with nothing written (``ZohoCRMPlanStaleError``) when live Zoho changed since
        the plan was computed: plan again, review again.
    :param asset_alias: the asset alias the events go through (``zohocrm-automation``; added to the
        task's outlets); ``None`` emits none. Each event is
        ``Asset("zohocrm://<conn id>/automation/<Module>")`` with ``extra={"module", "steps"}``.

    Returns the apply result (``applied`` steps with their outcome, ``modules_changed``, ``verified``,
    ``differences``, ``calls``). Fails (``ZohoCRMDriftError``) when live Zoho still differs from the
    files afterwards. A dry run validates the plan and logs it; it reads and writes nothing.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "plan")
    template_fields_renderers: ClassVar[dict[str, str]] = {"plan": "json"}

    def __init__(self, *, plan: dict[str, Any] | str, asset_alias: str | None = ASSET_ALIAS, **kwargs: Any) -> None:
        if asset_alias is not None:
            from airflow.providers.common.compat.sdk import AssetAlias

            outlets = list(kwargs.pop("outlets", None) or [])
            if not any(isinstance(o, AssetAlias) and o.name == asset_alias for o in outlets):
                outlets.append(AssetAlias(asset_alias))
            kwargs["outlets"] = outlets
        super().__init__(**kwargs)
        self.plan = plan
        self.asset_alias = asset_alias

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.as_code import apply_plan

        plan = load_plan(self.plan, "plan")
        if self.dry_run_enabled:
            self.log.info("Dry run: this plan would be applied:\n%s", plan.render())
            return {"dry_run": True, "would_change": plan.has_changes, "modules_changed": plan.modules_changed()}
        if not plan.has_changes:
            self.log.info("The plan holds no change: nothing to apply")
        result = apply_plan(self.hook.client, plan).to_dict()  # it logs each step
        self.log.info(
            "Applied %d step(s) in %s call(s); modules changed: %s",
            len(result["applied"]),
            result.get("calls"),
            ", ".join(result["modules_changed"]) or "none",
        )
        self.emit_asset_events(context, result)
        if not result["verified"]:
            raise differences_error(result["differences"], "After applying, live Zoho still differs from the files")
        return result

    def emit_asset_events(self, context: Context, result: dict[str, Any]) -> None:
        """One event per module changed, through the alias (Airflow 3 assets, or 2.x datasets)."""
        if self.asset_alias is None or not result["modules_changed"]:
            return
        from airflow.providers.common.compat.sdk import Asset, AssetAlias

        steps: dict[str, int] = {}
        for step in result["applied"]:
            if step.get("module"):
                steps[step["module"]] = steps.get(step["module"], 0) + 1
        events = context["outlet_events"][AssetAlias(self.asset_alias)]
        for module in result["modules_changed"]:
            uri = automation_asset_uri(self.zoho_crm_conn_id, module)
            events.add(Asset(uri), extra={"module": module, "steps": steps.get(module, 0)})
            self.log.info("Asset event: %s", uri)


class AutomationVerifyOperator(ZohoCRMBaseOperator):
    """Fail, listing every difference, unless live Zoho equals the automation files at ``path``.

    :param path: the directory of files: a local path or an ``ObjectStoragePath`` URL.

    Returns ``[]`` when they are equal; otherwise raises ``ZohoCRMDriftError`` whose ``details``
    hold the differences (``kind``, ``module``, ``id``, ``name``, ``path``, ``expected``, ``actual``),
    each also logged. Read-only. For waiting until they are equal, use ``AutomationVerifySensor``.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "path")

    def __init__(self, *, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path

    def execute(self, context: Context) -> list[dict[str, Any]]:
        differences = verify_location(self, self.path)
        if differences:
            raise differences_error(differences, f"Live Zoho differs from the files at {self.path}")
        self.log.info("Live Zoho equals the files at %s", self.path)
        return differences


def verify_location(task: Any, location: Any) -> list[dict[str, Any]]:
    """``verify_state`` of the files at ``location`` through ``task``'s hook; each difference logged."""
    from airflow_provider_zohocrm.as_code import verify_state
    from airflow_provider_zohocrm.as_code.locations import check_location, local_copy

    path = check_location(location, "path")
    with local_copy(path, "path") as directory:
        differences = verify_state(task.hook.client, directory)  # it logs its progress
    for diff in differences:
        task.log.warning(
            "Differs: %s: files %s, live %s",
            describe_differences([diff]),
            _short(diff.get("expected")),
            _short(diff.get("actual")),
        )
    return differences


def load_plan(value: Any, param: str) -> Plan:
    """A checked ``Plan`` from the plan dict (an XCom value) or its rendered JSON text."""
    from airflow_provider_zohocrm.as_code import Plan
    from airflow_provider_zohocrm.coerce import to_structured
    from airflow_provider_zohocrm.validation import check_depth, preview

    document = to_structured(value, param)
    if not isinstance(document, dict):
        from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

        raise ZohoCRMValidationError(
            f"{param} must be a plan (the dict AutomationPlanOperator returns); got {preview(value)}",
            details={"json_path": param},
            hint="Pass the plan task's output, e.g. plan=plan_task.output",
        )
    check_depth(document, param)
    return Plan.from_dict(document)


def _short(value: Any, width: int = 200) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."

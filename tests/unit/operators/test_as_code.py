"""Automation-as-code operators and sensor: construction, inputs refused unsent, and runs on the emulator.

Runs call ``execute``/``poke`` with a context holding a task instance that records XCom pushes and
Airflow's own outlet-event accessors (Airflow 3 assets or 2.x datasets), so the asset events the
apply operator adds are the ones Airflow would record. Whole DAG runs are in tests/dags.
"""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from airflow.providers.common.compat.sdk import AirflowException, AssetAlias

from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError, ZohoCRMPlanStaleError, ZohoCRMValidationError
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import (
    AutomationApplyOperator,
    AutomationExportOperator,
    AutomationPlanOperator,
    AutomationVerifyOperator,
)
from airflow_provider_zohocrm.operators.as_code import ASSET_ALIAS, RENDERED_PLAN_KEY, automation_asset_uri
from airflow_provider_zohocrm.sensors import AutomationVerifySensor
from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

try:  # Airflow 3
    from airflow.sdk.execution_time.context import OutletEventAccessors
except ImportError:  # Airflow 2
    from airflow.utils.context import OutletEventAccessors  # type: ignore[no-redef]

EXAMPLE_FILES = Path(__file__).resolve().parents[3] / "example_dags" / "automation" / "as_code"
DEALS_RULE = "4876876000014400077"  # "Stalled deal nudge": inactive in the seed, active in the example files
CLASSES = [AutomationExportOperator, AutomationPlanOperator, AutomationApplyOperator, AutomationVerifyOperator]
NOT_TEMPLATED = {"asset_alias"}  # decides the task's outlets, fixed when the DAG is parsed


class TaskInstance:
    def __init__(self) -> None:
        self.pushed: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


def context() -> dict[str, Any]:
    return {"ti": TaskInstance(), "outlet_events": OutletEventAccessors()}


def alias_events(ctx: dict[str, Any], alias: str = ASSET_ALIAS) -> list[tuple[str, dict[str, Any]]]:
    """(asset URI, extra) of each event added through ``alias``, on either Airflow major version."""
    accessor = ctx["outlet_events"][AssetAlias(alias)]
    if hasattr(accessor, "asset_alias_events"):
        return [(event.dest_asset_key.uri, dict(event.extra)) for event in accessor.asset_alias_events]
    return [(event["dest_dataset_uri"], dict(event["extra"])) for event in accessor.dataset_alias_events]


def writes(emulator: ZohoCRMEmulator) -> list[dict[str, Any]]:
    return [e for e in emulator.journal_entries() if e["path"].startswith("/crm/") and e["method"] != "GET"]


def live_rule(emulator: ZohoCRMEmulator, rule_id: str) -> dict[str, Any]:
    return next(r for r in emulator.snapshot()["workflow_rules"]["workflow_rules"] if r["id"] == rule_id)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A copy of the example DAG's files: the seed's Deals rules, edited (4 steps to apply)."""
    return Path(shutil.copytree(EXAMPLE_FILES, tmp_path / "automation"))


# --- construction ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [*CLASSES, AutomationVerifySensor])
def test_template_fields_cover_every_input_and_arguments_are_keyword_only(cls: type) -> None:
    parameters = inspect.signature(cls.__init__).parameters
    inputs = {name for name in parameters if name not in ("self", "kwargs")}
    assert (inputs - NOT_TEMPLATED) | {"zoho_crm_conn_id"} == set(cls.template_fields)
    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in inputs)


def test_positional_arguments_are_refused() -> None:
    with pytest.raises((TypeError, AirflowException)):  # Airflow 2 refuses positional arguments itself
        AutomationPlanOperator("t", "automation/")  # type: ignore[misc]


def test_init_reads_no_connection(requests_mock: Any, mocker: Any) -> None:
    get_connection = mocker.patch.object(ZohoCRMHook, "get_connection", side_effect=AssertionError("too early"))
    operators = [
        AutomationExportOperator(task_id="e", modules="{{ params.modules }}", path="{{ params.path }}"),
        AutomationPlanOperator(task_id="p", path="{{ params.path }}"),
        AutomationApplyOperator(task_id="a", plan="{{ ti.xcom_pull('p') }}"),
        AutomationVerifyOperator(task_id="v", path="{{ params.path }}"),
        AutomationVerifySensor(task_id="s", path="{{ params.path }}"),
    ]
    assert all("hook" not in vars(op) for op in operators)
    assert get_connection.call_count == 0
    assert requests_mock.request_history == []


def test_apply_adds_the_asset_alias_to_its_outlets() -> None:
    plain = AutomationApplyOperator(task_id="a", plan={})
    assert [(type(o), o.name) for o in plain.outlets] == [(AssetAlias, ASSET_ALIAS)]
    mine = AssetAlias("mine")
    both = AutomationApplyOperator(task_id="b", plan={}, outlets=[mine, AssetAlias(ASSET_ALIAS)])
    assert [o.name for o in both.outlets] == ["mine", ASSET_ALIAS]
    assert AutomationApplyOperator(task_id="c", plan={}, asset_alias=None).outlets == []


@pytest.mark.parametrize(
    ("conn_id", "module", "uri"),
    [
        ("zoho_crm_default", "Leads", "zohocrm://zoho_crm_default/automation/Leads"),
        ("prod org/eu", "Deals", "zohocrm://prod%20org%2Feu/automation/Deals"),
    ],
)
def test_asset_uri_names_the_connection_and_module(conn_id: str, module: str, uri: str) -> None:
    assert automation_asset_uri(conn_id, module) == uri


# --- inputs refused before any request -------------------------------------------------------------


def _refused(tmp_path: Path) -> list[tuple[Any, str]]:
    a_file = tmp_path / "a-file.yaml"
    a_file.write_text("rules: []\n")
    return [
        (AutomationPlanOperator(task_id="p", path=""), "path must be a directory path or a URL"),
        (AutomationPlanOperator(task_id="p", path=str(tmp_path / "missing")), "path names no directory"),
        (AutomationPlanOperator(task_id="p", path=str(a_file)), "path is a file, not a directory"),
        (AutomationPlanOperator(task_id="p", path="nope://bucket/automation"), "cannot use 'nope://bucket/automation'"),
        (AutomationVerifyOperator(task_id="v", path=5), "path must be a directory path or a URL"),  # type: ignore[arg-type]
        (AutomationVerifySensor(task_id="s", path=str(tmp_path / "missing")), "path names no directory"),
        (
            AutomationExportOperator(task_id="e", modules=[], path=str(tmp_path)),
            "modules must name at least one module",
        ),
        (AutomationExportOperator(task_id="e", modules=["Leads"], path=str(a_file)), "name a directory to write"),
        (
            AutomationExportOperator(task_id="e", modules="Leads; DROP", path=str(tmp_path)),
            "modules[0] must be a module API name",
        ),
        (AutomationApplyOperator(task_id="a", plan="not a plan"), "plan must be a plan"),
        (AutomationApplyOperator(task_id="a", plan=["steps"]), "plan must be a plan"),
        (AutomationApplyOperator(task_id="a", plan={"format": 9}), "format"),
        (AutomationApplyOperator(task_id="a", plan='{"format": 1}'), "plan"),
    ]


def test_bad_inputs_are_refused_before_any_request(zoho: Any, tmp_path: Path) -> None:
    for operator, message in _refused(tmp_path):
        run = operator.poke if isinstance(operator, AutomationVerifySensor) else operator.execute
        with pytest.raises(ZohoCRMValidationError) as caught:
            run(context())
        assert message in str(caught.value), (operator.task_id, str(caught.value))
    assert zoho.request_history == []  # not even a token


# --- runs on the emulator --------------------------------------------------------------------------


def test_plan_returns_the_plan_and_pushes_its_rendering(emulator: ZohoCRMEmulator, files: Path) -> None:
    ctx = context()
    plan = AutomationPlanOperator(task_id="plan", path=str(files)).execute(ctx)
    assert plan["format"] == 1
    assert [(s["action"], s["name"]) for s in plan["steps"]] == [
        ("update_rule", "Large deal approval"),
        ("update_rule", "Won deal handoff"),
        ("reorder_rules", None),
        ("set_rule_status", "Stalled deal nudge"),
    ]
    rendered = ctx["ti"].pushed[RENDERED_PLAN_KEY]
    assert "conditions[0].scheduled_actions[0].execute_after.unit: 2 -> 4" in rendered
    assert "'Large deal approval': position 3 -> 1" in rendered
    assert writes(emulator) == []


def test_plan_apply_verify_emit_one_asset_event_per_module(emulator: ZohoCRMEmulator, files: Path) -> None:
    plan = AutomationPlanOperator(task_id="plan", path=str(files)).execute(context())
    ctx = context()
    result = AutomationApplyOperator(task_id="apply", plan=plan).execute(ctx)
    assert result["verified"] is True
    assert result["modules_changed"] == ["Deals"]
    assert [step["outcome"] for step in result["applied"]] == ["applied"] * 4
    assert live_rule(emulator, DEALS_RULE)["status"]["active"] is True
    assert alias_events(ctx) == [("zohocrm://zoho_crm_default/automation/Deals", {"module": "Deals", "steps": 4})]
    assert AutomationVerifyOperator(task_id="verify", path=str(files)).execute(context()) == []


def test_apply_takes_the_plan_as_rendered_json_text(emulator: ZohoCRMEmulator, files: Path) -> None:
    import json

    plan = AutomationPlanOperator(task_id="plan", path=str(files)).execute(context())
    result = AutomationApplyOperator(task_id="apply", plan=json.dumps(plan)).execute(context())
    assert result["verified"] is True


def test_apply_refuses_a_stale_plan_writing_nothing(emulator: ZohoCRMEmulator, files: Path) -> None:
    plan = AutomationPlanOperator(task_id="plan", path=str(files)).execute(context())
    emulator.edit_workflow_rule(DEALS_RULE, name="Renamed by hand")
    emulator.clear_journal()
    ctx = context()
    with pytest.raises(ZohoCRMPlanStaleError):
        AutomationApplyOperator(task_id="apply", plan=plan).execute(ctx)
    assert writes(emulator) == []
    assert alias_events(ctx) == []


def test_apply_dry_run_reads_and_writes_nothing(emulator: ZohoCRMEmulator, files: Path) -> None:
    plan = AutomationPlanOperator(task_id="plan", path=str(files)).execute(context())
    emulator.clear_journal()
    result = AutomationApplyOperator(task_id="apply", plan=plan, dry_run=True).execute(context())
    assert result == {"dry_run": True, "would_change": True, "modules_changed": ["Deals"]}
    assert emulator.journal_entries() == []


def test_an_empty_plan_applies_nothing_and_emits_no_event(emulator: ZohoCRMEmulator, tmp_path: Path) -> None:
    AutomationExportOperator(task_id="export", modules=["Vendors"], path=str(tmp_path)).execute(context())
    plan = AutomationPlanOperator(task_id="plan", path=str(tmp_path)).execute(context())
    assert plan["steps"] == []
    ctx = context()
    result = AutomationApplyOperator(task_id="apply", plan=plan).execute(ctx)
    assert (result["applied"], result["verified"]) == ([], True)
    assert alias_events(ctx) == []
    assert writes(emulator) == []


def test_verify_fails_listing_each_difference(emulator: ZohoCRMEmulator, files: Path) -> None:
    with pytest.raises(ZohoCRMDriftError) as caught:
        AutomationVerifyOperator(task_id="verify", path=str(files)).execute(context())
    differences = caught.value.details["differences"]
    paths = {(d["name"], d["path"]) for d in differences}
    assert ("Stalled deal nudge", "active") in paths
    assert ("Won deal handoff", "conditions[0].scheduled_actions[0].execute_after.unit") in paths
    assert "Deals workflow rule 4876876000014400077 'Stalled deal nudge' at active" in str(caught.value)


def test_sensor_pokes_until_live_equals_the_files(emulator: ZohoCRMEmulator, files: Path) -> None:
    sensor = AutomationVerifySensor(task_id="wait", path=str(files), poke_interval=1)
    assert sensor.poke(context()).is_done is False
    plan = AutomationPlanOperator(task_id="plan", path=str(files)).execute(context())
    AutomationApplyOperator(task_id="apply", plan=plan).execute(context())
    done = sensor.poke(context())
    assert (done.is_done, done.xcom_value) == (True, [])


def test_export_and_plan_through_an_object_storage_url(emulator: ZohoCRMEmulator, tmp_path: Path) -> None:
    url = f"file://{tmp_path}/bucket/automation"
    summary = AutomationExportOperator(task_id="export", modules="Deals, Vendors", path=url).execute(context())
    assert summary["modules"] == {"Deals": 4, "Vendors": 2}
    stored = tmp_path / "bucket" / "automation"
    assert sorted(str(p.relative_to(stored)) for p in stored.rglob("*.yaml")) == [
        "connected_workflows.yaml",
        "workflow_rules/Deals.yaml",
        "workflow_rules/Vendors.yaml",
    ]
    vendors = stored / "workflow_rules" / "Vendors.yaml"
    document = yaml.safe_load(vendors.read_text())
    document["rules"][0]["active"] = not document["rules"][0]["active"]
    vendors.write_text(yaml.safe_dump(document, sort_keys=False))

    ctx = context()
    plan = AutomationPlanOperator(task_id="plan", path=url).execute(ctx)
    assert [step["module"] for step in plan["steps"]] == ["Vendors"]
    assert ctx["ti"].pushed[RENDERED_PLAN_KEY].startswith(f"Plan for {url} ")  # not the temporary copy
    AutomationApplyOperator(task_id="apply", plan=plan).execute(context())
    assert AutomationVerifyOperator(task_id="verify", path=url).execute(context()) == []


def test_export_dry_run_reads_nothing(emulator: ZohoCRMEmulator, tmp_path: Path) -> None:
    emulator.clear_journal()
    result = AutomationExportOperator(task_id="e", modules=["Leads"], path=str(tmp_path / "x"), dry_run=True).execute(
        context()
    )
    assert result["dry_run"] is True
    assert emulator.journal_entries() == []
    assert not (tmp_path / "x").exists()

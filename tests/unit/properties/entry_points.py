"""Every public entry point that takes user input, with a valid baseline and the corpus of each parameter.

An input is the baseline with one parameter replaced by an invalid value; ``outcome`` runs it and
says how it ended. The census (``tests/properties_census.py``) and the property tests share this
table, so both exercise the same calls the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import corpus as c

RULE_ID = "4876876000010880001"  # seeded Leads rule (emulator)
CONNECTED_WORKFLOW_ID = "4876876000019209007"  # seeded Leads connected workflow
CADENCE_ID = "554023000004092008"  # seeded manual Contacts cadence
RECORD_ID = "554023000001798647"
CLIENT_ID = "1000.CANARYCLIENTID"
CLIENT_SECRET = "canary-client-secret-7f3a"
REFRESH_TOKEN = "canary-refresh-token-9b2c"
SNAPSHOT = {
    "version": 1,
    "taken_at": "2026-01-01T06:00:00+00:00",
    "modules": {
        "Leads": {
            "workflow_rules": [
                {"id": RULE_ID, "name": "Assign", "active": True, "position": 1, "modified_time": None},
            ]
        }
    },
    "connected_workflows": None,
}

OUTCOMES = ("named", "unnamed", "wrong type", "accepted")


@dataclass(frozen=True, repr=False)
class EntryPoint:
    """``name``: how users call it; ``params``: parameter -> invalid values; ``baseline``: valid arguments."""

    name: str
    layer: str  # operator, sensor, client, hook, connection
    call: Callable[[dict[str, Any]], Any]
    baseline: dict[str, Any]
    params: dict[str, list[Any]]

    def __repr__(self) -> str:  # the corpus holds values without a usable repr() (huge ints, deep nesting)
        return f"EntryPoint({self.name!r})"

    def run(self, param: str, value: Any) -> Any:
        return self.call({**self.baseline, param: value})


def names_parameter(exc: BaseException, param: str) -> bool:
    """Whether a typed error points at ``param`` (its JSON path or parameter name starts with it)."""
    details = getattr(exc, "details", None) or {}
    where = details.get("json_path") or details.get("param_name")
    if not isinstance(where, str):
        return False
    return where == param or (where.startswith(param) and where[len(param)] in ".[ ")


def outcome(entry: EntryPoint, param: str, value: Any) -> tuple[str, BaseException | None]:
    """``(one of OUTCOMES, the exception)`` of running ``entry`` with ``param`` set to ``value``."""
    from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

    try:
        entry.run(param, value)
    except ZohoCRMValidationError as exc:
        return ("named" if names_parameter(exc, param) else "unnamed"), exc
    except Exception as exc:
        return "wrong type", exc
    return "accepted", None


# --- callers --------------------------------------------------------------------------------------


def _hook(**kwargs: Any) -> Any:
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    return ZohoCRMHook(**kwargs)


def _client_call(family: str | None, method: str) -> Callable[[dict[str, Any]], Any]:
    def call(kwargs: dict[str, Any]) -> Any:
        client = _hook().client
        target = client if family is None else getattr(client, family)
        return getattr(target, method)(**kwargs)

    return call


def _hook_call(method: str) -> Callable[[dict[str, Any]], Any]:
    def call(kwargs: dict[str, Any]) -> Any:
        return getattr(_hook(), method)(**kwargs)

    return call


def _operator_call(class_name: str, context: dict[str, Any] | None = None) -> Callable[[dict[str, Any]], Any]:
    def call(kwargs: dict[str, Any]) -> Any:
        from airflow_provider_zohocrm import operators

        return getattr(operators, class_name)(task_id="t", **kwargs).execute(context=dict(context or {}))

    return call


def _sensor_call(class_name: str) -> Callable[[dict[str, Any]], Any]:
    def call(kwargs: dict[str, Any]) -> Any:
        from airflow_provider_zohocrm import sensors

        return getattr(sensors, class_name)(task_id="t", **kwargs).poke(context={})

    return call


def _settings(kwargs: dict[str, Any]) -> Any:
    from airflow_provider_zohocrm.connection import settings_from_mapping

    return settings_from_mapping(**kwargs)


def _extra_call(key: str) -> Callable[[dict[str, Any]], Any]:
    def call(kwargs: dict[str, Any]) -> Any:
        extra = {"refresh_token": REFRESH_TOKEN, key: kwargs.pop(key)}
        return _settings({"login": CLIENT_ID, "password": CLIENT_SECRET, "extra": extra, **kwargs})

    return call


def _hook_settings(kwargs: dict[str, Any]) -> Any:
    return _hook(**kwargs).get_workflow_rules("Leads")


# --- the table ------------------------------------------------------------------------------------

LIST_MODULE = [value for value in c.MODULE if value is not None]
LIST_ACTIVE = [value for value in c.BOOL if value is not None]
FIND_MODULE = [value for value in c.PRIMARY_MODULE if value is not None]
CONN_IDS = [*c.CONN_ID, "", "no_such_connection"]

RULE = {"rule_id": RULE_ID}
WORKFLOW = {"connected_workflow_id": CONNECTED_WORKFLOW_ID}
CREATE = {"name": "contacts-process", "primary_module": "Contacts"}
CREATE_PARAMS = {"name": c.NAME, "primary_module": c.PRIMARY_MODULE, "description": c.DESCRIPTION}
CREATE_REQUEST = "<a create request built by create_request()>"
UNENROLL = {"module": "Contacts", "record_ids": [RECORD_ID], "cadence_ids": [CADENCE_ID], "max_workers": 2}

# (family, method, hook delegate or None, baseline, params)
# fmt: off
CLIENT_METHODS: list[tuple[str | None, str, str | None, dict[str, Any], dict[str, list[Any]]]] = [
    ("workflow_rules", "list_all", "get_workflow_rules", {"module": "Leads"},
     {"module": LIST_MODULE, "active": LIST_ACTIVE}),
    ("workflow_rules", "get", "get_workflow_rule", RULE, {"rule_id": c.ID}),
    ("workflow_rules", "update", "update_workflow_rule", {**RULE, "rule": {"description": "d"}},
     {"rule_id": c.ID, "rule": c.RULE}),
    ("workflow_rules", "set_status", "set_workflow_rule_status", {**RULE, "active": True},
     {"rule_id": c.ID, "active": c.BOOL, "delete_schedule_action": c.BOOL}),
    ("workflow_rules", "reorder", "reorder_workflow_rules",
     {"module": "Leads", "positions": [{"id": RULE_ID, "module_specific_sequence": 1}]},
     {"module": c.MODULE, "positions": c.POSITIONS}),
    ("workflow_rules", "plan_update", None, {**RULE, "rule": {"description": "d"}}, {"rule_id": c.ID, "rule": c.RULE}),
    ("workflow_rules", "plan_reorder", None, {"module": "Leads", "order": [RULE_ID]},
     {"module": c.MODULE, "order": c.ORDER}),
    ("workflow_rules", "current_order", None, {"module": "Leads"}, {"module": c.MODULE}),
    ("connected_workflows", "get", "get_connected_workflow", WORKFLOW, {"connected_workflow_id": c.ID}),
    ("connected_workflows", "activate", "activate_connected_workflow", WORKFLOW, {"connected_workflow_id": c.ID}),
    ("connected_workflows", "deactivate", "deactivate_connected_workflow", WORKFLOW, {"connected_workflow_id": c.ID}),
    ("connected_workflows", "create", "create_connected_workflow", CREATE, CREATE_PARAMS),
    ("connected_workflows", "find", "find_connected_workflow", {"name": "contacts-process"},
     {"name": c.NAME, "primary_module": FIND_MODULE}),
    ("connected_workflows", "ensure", "ensure_connected_workflow", CREATE, {**CREATE_PARAMS, "if_exists": c.IF_EXISTS}),
    ("connected_workflows", "plan_create", None, CREATE, {**CREATE_PARAMS, "if_exists": c.IF_EXISTS}),
    ("cadences", "unenroll", "unenroll_from_cadences", UNENROLL,
     {"module": c.MODULE, "record_ids": c.RECORD_IDS, "cadence_ids": c.CADENCE_IDS, "max_workers": c.MAX_WORKERS,
      "progress": c.PROGRESS, "checkpoint": c.CHECKPOINT_OBJECT}),
    (None, "request", "request", {"method": "GET", "path": "settings/automation/workflow_rules"},
     {"method": c.METHOD, "path": c.REQUEST_PATH, "params": c.PARAMS, "json": c.JSON, "retry": c.RETRY}),
    ("connected_workflows", "create_or_adopt", None, {"request": CREATE_REQUEST, "if_exists": "reuse"},
     {"request": c.PLANNED, "if_exists": c.IF_EXISTS}),
    (None, "send", None, {"request": None}, {"request": c.PLANNED}),
]
# fmt: on


def client_entry_points() -> list[EntryPoint]:
    entries: list[EntryPoint] = []
    for family, method, delegate, baseline, params in CLIENT_METHODS:
        name = f"client.{family + '.' if family else ''}{method}"
        call = _create_or_adopt if method == "create_or_adopt" else _client_call(family, method)
        entries.append(EntryPoint(name, "client", call, baseline, params))
        if delegate is not None:
            entries.append(EntryPoint(f"hook.{delegate}", "hook", _hook_call(delegate), baseline, params))
    hook_params = {
        "zoho_crm_conn_id": CONN_IDS,
        "timeout": c.POSITIVE_FLOAT,
        "max_attempts": c.POSITIVE_INT,
        "max_retry_seconds": c.POSITIVE_FLOAT,
    }
    entries.append(EntryPoint("ZohoCRMHook(...)", "hook", _hook_settings, {}, hook_params))
    return entries


def _create_or_adopt(kwargs: dict[str, Any]) -> Any:
    """``create_or_adopt`` with a real create request as the baseline (``CREATE_REQUEST`` in the table)."""
    from airflow_provider_zohocrm.api.connected_workflows import create_request

    request = kwargs["request"]
    if request is CREATE_REQUEST:
        request = create_request("contacts-process", "Contacts")
    return _client_call("connected_workflows", "create_or_adopt")({**kwargs, "request": request})


def operator_entry_points(snapshot_files: list[str], write_paths: list[Any]) -> list[EntryPoint]:
    """The operators, with ``snapshot_files``/``write_paths`` from ``corpus.snapshot_files``/``write_paths``."""
    common = {"zoho_crm_conn_id": CONN_IDS, "dry_run": c.DRY_RUN}
    table: list[tuple[str, dict[str, Any], dict[str, list[Any]]]] = [
        (
            "UpdateWorkflowRuleOperator",
            {"rule_id": RULE_ID, "rule": {"description": "d"}},
            {"rule_id": c.ID, "rule": [*c.RULE, *c.RULE_TEXT]},
        ),
        ("ActivateWorkflowRuleOperator", {"rule_id": RULE_ID}, {"rule_id": c.ID}),
        (
            "DeactivateWorkflowRuleOperator",
            {"rule_id": RULE_ID},
            {"rule_id": c.ID, "delete_schedule_action": c.TEXT_BOOL},
        ),
        (
            "ReorderWorkflowRulesOperator",
            {"module": "Leads", "order": [RULE_ID]},
            {"module": c.MODULE, "order": [*c.ORDER, *c.ORDER_TEXT]},
        ),
        (
            "CreateConnectedWorkflowOperator",
            {"name": "contacts-process", "primary_module": "Contacts"},
            {
                "name": c.NAME,
                "primary_module": c.PRIMARY_MODULE,
                "description": c.DESCRIPTION,
                "if_exists": c.IF_EXISTS,
            },
        ),
        (
            "ActivateConnectedWorkflowOperator",
            {"connected_workflow_id": CONNECTED_WORKFLOW_ID},
            {"connected_workflow_id": c.ID},
        ),
        (
            "DeactivateConnectedWorkflowOperator",
            {"connected_workflow_id": CONNECTED_WORKFLOW_ID},
            {"connected_workflow_id": c.ID},
        ),
        (
            "UnenrollCadenceOperator",
            {
                "module": "Contacts",
                "record_ids": [RECORD_ID],
                "cadence_ids": [CADENCE_ID],
                "max_workers": 2,
                "checkpoint": False,
            },
            {
                "module": c.MODULE,
                # "123" is one id once rendered text is read as a list (valid for an operator, not for the client)
                "record_ids": [v for v in [*c.RECORD_IDS, *c.RECORD_IDS_TEXT] if v != "123"],
                "cadence_ids": [v for v in [*c.CADENCE_IDS, *c.RECORD_IDS_TEXT] if v != "123"],
                "max_workers": c.MAX_WORKERS,
                "fail_on_error": c.TEXT_BOOL,
                "checkpoint": c.CHECKPOINT,
            },
        ),
        (
            "SnapshotAutomationOperator",
            {"modules": ["Leads"]},
            {"modules": c.MODULES, "include_connected_workflows": c.TEXT_BOOL, "path": write_paths},
        ),
        (
            "PauseAutomationOperator",
            {"snapshot": SNAPSHOT},
            {
                "snapshot": [*c.SNAPSHOT_VALUES, *snapshot_files],
                "include": c.SELECTION,
                "exclude": c.SELECTION,
                "delete_schedule_action": c.TEXT_BOOL,
            },
        ),
        (
            "RestoreAutomationOperator",
            {"snapshot": SNAPSHOT, "on_drift": "warn"},
            {"snapshot": [*c.SNAPSHOT_VALUES, *snapshot_files], "on_drift": c.ON_DRIFT},
        ),
    ]
    return [
        EntryPoint(name, "operator", _operator_call(name), baseline, _buildable({**params, **common}))
        for name, baseline, params in table
    ]


def _buildable(params: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {param: c.for_operators(values) for param, values in params.items()}


def sensor_entry_points() -> list[EntryPoint]:
    conn = {"zoho_crm_conn_id": CONN_IDS}
    return [
        EntryPoint(
            "WorkflowRuleStatusSensor",
            "sensor",
            _sensor_call("WorkflowRuleStatusSensor"),
            {"rule_id": RULE_ID},
            _buildable({"rule_id": c.ID, "active": c.TEXT_BOOL, **conn}),
        ),
        EntryPoint(
            "ConnectedWorkflowStatusSensor",
            "sensor",
            _sensor_call("ConnectedWorkflowStatusSensor"),
            {"connected_workflow_id": CONNECTED_WORKFLOW_ID},
            _buildable({"connected_workflow_id": c.ID, "status": c.STATUS, **conn}),
        ),
    ]


EXTRA_KINDS: dict[str, list[Any]] = {
    "refresh_token": c.SECRET,
    "data_center": c.CHOICE,
    "environment": c.CHOICE,
    "api_version": c.CHOICE,
    "auth_cache": c.CHOICE,
    "accounts_url": c.URL,
    "api_url": c.URL,
    "timeout": c.POSITIVE_FLOAT,
    "max_retry_seconds": c.POSITIVE_FLOAT,
    "max_attempts": c.POSITIVE_INT,
    "max_concurrency": c.POSITIVE_INT,
}


def connection_entry_points() -> list[EntryPoint]:
    base = {"login": CLIENT_ID, "password": CLIENT_SECRET, "extra": {"refresh_token": REFRESH_TOKEN}}
    entries = [
        EntryPoint(
            "settings_from_mapping",
            "connection",
            _settings,
            base,
            {
                "conn_id": c.CONN_ID,
                "login": c.SECRET,
                "password": c.SECRET,
                "extra": c.EXTRA,
                "timeout": c.POSITIVE_FLOAT,
                "max_attempts": c.POSITIVE_INT,
                "max_retry_seconds": c.POSITIVE_FLOAT,
            },
        )
    ]
    for key, values in EXTRA_KINDS.items():
        entries.append(
            EntryPoint(
                f"settings_from_mapping(extra={{{key!r}: ...}})", "connection", _extra_call(key), {}, {key: values}
            )
        )
    return entries


def all_entry_points(snapshot_files: list[str], write_paths: list[Any]) -> list[EntryPoint]:
    return [
        *operator_entry_points(snapshot_files, write_paths),
        *sensor_entry_points(),
        *client_entry_points(),
        *connection_entry_points(),
    ]

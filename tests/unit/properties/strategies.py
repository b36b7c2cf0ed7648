"""Hypothesis strategies of invalid inputs: the fixed corpus plus generated values of the same kinds
(``generators.py``), per entry point and parameter, and the settings every property test uses."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from . import corpus as c
from . import generators as g
from .entry_points import EntryPoint
from .pending import owner_of, whole_params

# Sized so that every property test of tests/unit/properties and tests/integration together runs in
# well under a minute on two cores; ZOHOCRM_PROPERTY_EXAMPLES=500 (say) hunts longer.
EXAMPLES = int(os.environ.get("ZOHOCRM_PROPERTY_EXAMPLES", "30"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# A pending fix fails on its first example: stop there (no shrinking) so the xfail costs little.
PENDING = settings(PROPERTY, max_examples=15, phases=[Phase.explicit, Phase.generate])


def bad_choice_extra(valid: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return g.bad_choice(valid).filter(lambda v: v is not None and v != "")


CHOICES = {
    "data_center": ("us", "eu", "in", "au", "jp", "cn", "ca", "sa", "uk", "ae"),
    "environment": ("production", "sandbox", "developer"),
    "api_version": ("v8", "v7"),
    "auth_cache": ("file", "memory", "variable"),
}
LIMITS = {"timeout": 3600, "max_retry_seconds": 86400, "max_attempts": 100, "max_concurrency": 100}


MODULE_OPTIONAL = ("client.workflow_rules.list_all", "hook.get_workflow_rules")


def generated(entry: EntryPoint, param: str) -> st.SearchStrategy[Any]:
    """Generated invalid values for ``param`` of ``entry``, by the parameter's kind."""
    airflow = entry.layer in ("operator", "sensor")
    connection = entry.layer == "connection" or entry.name == "ZohoCRMHook(...)"
    if param in LIMITS:
        values = g.bad_numbers(LIMITS[param], integer=param in ("max_attempts", "max_concurrency"))
        return values.filter(lambda v: v is not None and v != "") if connection else values
    if param in CHOICES:
        return bad_choice_extra(CHOICES[param])
    table: dict[str, st.SearchStrategy[Any]] = {
        "rule_id": g.bad_ids,
        "connected_workflow_id": g.bad_ids,
        # list_all(module=None) lists every module: None is valid there
        "module": g.bad_modules.filter(lambda v: v is not None) if entry.name in MODULE_OPTIONAL else g.bad_modules,
        "active": g.bad_text_bools if airflow else g.bad_bools.filter(lambda v: v is not None),
        "delete_schedule_action": g.bad_text_bools if airflow else g.bad_bools,
        "fail_on_error": g.bad_text_bools,
        "include_connected_workflows": g.bad_text_bools,
        "name": g.bad_names,
        "primary_module": g.bad_primary_modules,
        "description": g.bad_descriptions,
        "if_exists": g.bad_choice(("reuse", "fail")),
        "status": g.bad_choice(("draft", "active", "inactive")),
        "on_drift": g.bad_choice(("fail", "warn")),
        "record_ids": st.one_of(g.bad_record_ids, g.bad_record_text) if airflow else g.bad_record_ids,
        "cadence_ids": st.one_of(g.bad_record_ids, g.bad_record_text, st.just([]))
        if airflow
        else st.one_of(g.bad_record_ids, st.just([])),
        "max_workers": g.bad_workers_text if airflow else g.bad_workers,
        "checkpoint": g.bad_checkpoints,
        "rule": st.one_of(g.bad_rules, g.bad_rule_text) if airflow else g.bad_rules,
        "order": g.bad_order,
        "positions": g.bad_positions,
        "include": g.bad_selection,
        "exclude": g.bad_selection,
        "snapshot": g.bad_snapshots,
        "modules": g.bad_modules_lists,
        "zoho_crm_conn_id": g.bad_hook_conn_ids,
        "conn_id": g.bad_conn_ids,
        "login": g.bad_secrets,
        "password": g.bad_secrets,
        "refresh_token": g.bad_secrets,
        "extra": g.bad_extras,
        "accounts_url": g.bad_urls,
        "api_url": g.bad_urls,
        "path": g.bad_request_paths if entry.layer in ("client", "hook") else st.nothing(),
        "json": g.bad_json,
        "params": g.bad_params,
        "retry": g.bad_retry,
        "method": g.bad_methods,
    }
    return table.get(param, st.nothing())


class Shown:
    """A drawn value that Hypothesis can print: a huge int or a list nested 3,000 deep has no usable repr()."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return c.label(self.value)


def values(entry: EntryPoint, param: str) -> st.SearchStrategy[Shown]:
    """The corpus of ``param`` and generated values of its kind."""
    corpus = [Shown(value) for value in entry.params[param]]
    return st.one_of(st.sampled_from(corpus), generated(entry, param).map(Shown))


def invalid_inputs(entry: EntryPoint) -> st.SearchStrategy[tuple[str, Shown]]:
    """``(param, value)``: one invalid parameter of ``entry``, not one a pending fix is due for."""
    params = [param for param in entry.params if param not in whole_params(entry.name)]

    def of(param: str) -> st.SearchStrategy[tuple[str, Shown]]:
        allowed = values(entry, param).filter(lambda shown: owner_of(entry.name, param, shown.value) is None)
        return st.tuples(st.just(param), allowed)

    return st.sampled_from(params).flatmap(of)

"""The failure shape and the primitive checks the client-side workflow-rule validators share.

``workflow_rules_validation`` and ``workflow_rule_triggers`` both fail through ``fail``, so every error names
the JSON path of the value and how to fix it the same way.
"""

from __future__ import annotations

from typing import Any, NoReturn, TypeGuard

from airflow_provider_zohocrm.api.workflow_rule_changes import matches
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

Node = dict[str, Any]


def fail(path: str, message: str, hint: str, **details: Any) -> NoReturn:
    """Raise the validation error for the value at ``path``."""
    raise ZohoCRMValidationError(f"{path}: {message}", details={"json_path": path, **details}, hint=hint)


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_object(value: Any, path: str) -> Node:
    if not isinstance(value, dict):
        fail(path, f"must be a JSON object; got {show(value)}", "Pass a dict")
    return value


def as_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        fail(path, f"must be a JSON array; got {show(value)}", "Pass a list")
    return value


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def check_unchanged(value: Any, current: Any, path: str, what: str) -> None:
    """A module reference (api name or ``{api_name, id}``) that must name the current one."""
    given = {"api_name": value} if isinstance(value, str) else value
    if not isinstance(given, dict) or not {"api_name", "id"} & set(given):
        fail(path, f"must be a module api name or {{'api_name', 'id'}}; got {show(value)}", f"Drop {what}")
    if current is not None and not matches({k: given[k] for k in ("api_name", "id") if k in given}, current):
        fail(
            path,
            f"cannot be changed (it is {show(current)})",
            f"Drop {what} from the update; Zoho does not allow changing it",
        )


def count_criteria_fields(value: Any, path: str) -> int:
    """Field checks in a criteria tree: leaves of nested ``group`` lists (null checks nothing)."""
    if value is None:
        return 0
    node = as_object(value, path)
    if "group" not in node:
        return 1
    group = as_list(node["group"], f"{path}.group")
    return sum(count_criteria_fields(child, f"{path}.group[{index}]") for index, child in enumerate(group))

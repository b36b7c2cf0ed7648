"""Checks on a workflow rule itself, as the Zoho CRM v8 "Update a workflow rule" page lists them.

Its scalar fields (name, description, lock, status) are checked as they are merged; the checks across the
whole rule (conditions, sequence, criteria, action support and limits) run once a write's conditions are
merged (``workflow_rule_conditions``) and its trigger checked (``workflow_rule_triggers``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from airflow_provider_zohocrm.testing.emulator.workflow_rule_checks import (
    CONDITIONS_PATH,
    CONFLICTING_CONFIG,
    DEPENDENT_MISSING,
    INVALID_TYPE,
    INVALID_VALUE,
    NAME_MAX_LENGTH,
    NULL_DEPENDENT,
    PATH_KEY,
    REQUIRED_MISSING,
    ROOT,
    TRIGGER_PATH,
    Node,
    ambiguity,
    as_bool,
    as_object,
    dependee,
    dependent_error,
    is_int,
    item_error,
    limit_error,
    located,
    require,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rule_conditions import close_conditions
from airflow_provider_zohocrm.testing.emulator.workflow_rule_criteria import count_fields, has_relational
from airflow_provider_zohocrm.testing.emulator.workflow_rule_triggers import RELATIONAL_CATEGORIES

NAME_FORBIDDEN = "#%^&*()"
CONDITIONS_LIMIT = 10
CONDITION_FIELDS_LIMIT = 25
SCHEDULED_ACTIONS_LIMIT = 5
ACTION_LIMITS = {"field_updates": 5, "email_notifications": 5, "assign_owner": 3}
DEFAULT_ACTION_LIMIT = 1
# Once the record is gone only actions that do not touch it can run.
DELETE_TRIGGER_ACTIONS = frozenset({"email_notifications", "webhooks", "functions"})
CONVERT_TRIGGERS = frozenset({"create", "edit", "create_or_edit", "field_update"})
CONVERT_MODULE = "Leads"

_LAST_INDEX = re.compile(r"\[\d+\]$")


# --- scalar fields ----------------------------------------------------------------------------------------


def check_name(value: Any, path: str = f"{ROOT}.name") -> str:
    """A rule name: text, at most 100 characters, none of ``# % ^ & * ( )``."""
    if not isinstance(value, str):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="text")
    if not value.strip():
        raise item_error("INVALID_DATA", INVALID_VALUE, path)
    if len(value) > NAME_MAX_LENGTH:
        raise item_error(
            "INVALID_DATA", "The length of name has exceeded the limit", path, maximum_length=NAME_MAX_LENGTH
        )
    if any(char in value for char in NAME_FORBIDDEN):
        raise item_error(
            "INVALID_DATA",
            "Rule Name should not contain the following special characters: #, %, ^, &, *, (, )",
            path,
        )
    return value


def check_description(value: Any, path: str = f"{ROOT}.description") -> str | None:
    """A description is free text or null."""
    if value is not None and not isinstance(value, str):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="text")
    return value


def merge_lock(current: Node, value: Any, user: Node, path: str = f"{ROOT}.lock") -> Node:
    """The lock after the write; locking needs a message, and an existing lock keeps its owner."""
    lock = as_object(value, path)
    if lock.get("status") is None:
        raise item_error("MANDATORY_NOT_FOUND", REQUIRED_MISSING, f"{path}.status")
    if not as_bool(lock["status"], f"{path}.status"):
        return {"status": False, "locked_by": None, "message": None}
    message = lock.get("message")
    if message is None or (isinstance(message, str) and not message.strip()):
        raise dependent_error("DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.message", f"{path}.status")
    if not isinstance(message, str):
        raise item_error("INVALID_DATA", INVALID_TYPE, f"{path}.message", expected_data_type="text")
    locked_by = current["locked_by"] if current["status"] else dict(user)
    return {"status": True, "locked_by": locked_by, "message": message}


def parse_status(value: Any, path: str = f"{ROOT}.status") -> tuple[bool, bool]:
    """``(active, delete_schedule_action)``; the latter defaults to false, as the page says."""
    status = as_object(value, path)
    active = as_bool(require(status, "active", path), f"{path}.active")
    purge = status.get("delete_schedule_action")
    return active, False if purge is None else as_bool(purge, f"{path}.delete_schedule_action")


# --- whole-rule checks ------------------------------------------------------------------------------------


class _Placed(NamedTuple):
    """An action with where it sits: its json_path, its condition's path and condition, and its timing."""

    action: Node
    path: str
    condition: Node
    condition_path: str
    scheduled: bool


def _walk_actions(conditions: list[Node]) -> Iterator[_Placed]:
    for c_index, cond in enumerate(conditions):
        c_path = located(cond, f"{CONDITIONS_PATH}[{c_index}]")
        for a_index, action in enumerate(cond["instant_actions"]["actions"]):
            a_path = located(action, f"{c_path}.instant_actions.actions[{a_index}]")
            yield _Placed(action, a_path, cond, c_path, False)
        for g_index, group in enumerate(cond["scheduled_actions"]):
            g_path = located(group, f"{c_path}.scheduled_actions[{g_index}]")
            for a_index, action in enumerate(group["actions"]):
                yield _Placed(action, located(action, f"{g_path}.actions[{a_index}]"), cond, c_path, True)


def validate_conditions(conditions: list[Node], trigger: Node, category: str, module_api_name: str) -> list[Node]:
    """Whole-rule checks on the merged conditions; returns them in sequence order, in storage form."""
    _check_condition_count(conditions)
    _check_sequence(conditions)
    conditions.sort(key=lambda cond: cond["sequence_number"])
    _check_condition_contents(conditions, category)
    _check_distinct_criteria(conditions)
    placed = list(_walk_actions(conditions))
    _check_action_support(placed, trigger, module_api_name)
    _check_scheduled(conditions, trigger)
    _check_action_limits(placed)
    return close_conditions(conditions)


def _check_condition_count(conditions: list[Node]) -> None:
    if not conditions:
        raise item_error("CANNOT_REMOVE", "Conditions cannot be empty", CONDITIONS_PATH)
    if len(conditions) > CONDITIONS_LIMIT:
        raise limit_error("Workflow condition limit exceeded", CONDITIONS_PATH, CONDITIONS_LIMIT)


def _check_sequence(conditions: list[Node]) -> None:
    """Sequence numbers must be exactly 1..n; untouched conditions go first so a clash blames the request."""
    seen: set[int] = set()
    indexed = sorted(enumerate(conditions), key=lambda pair: PATH_KEY in pair[1])
    for index, cond in indexed:
        number = cond["sequence_number"]
        if not is_int(number) or not 1 <= number <= len(conditions) or number in seen:
            path = located(cond, f"{CONDITIONS_PATH}[{index}]")
            raise item_error("INVALID_DATA", "Invalid sequence number is given", f"{path}.sequence_number")
        seen.add(number)


def _check_condition_contents(conditions: list[Node], category: str) -> None:
    for index, cond in enumerate(conditions):
        path = located(cond, f"{CONDITIONS_PATH}[{index}]")
        details = cond["criteria_details"]
        if count_fields(details.get("criteria")) > CONDITION_FIELDS_LIMIT:
            raise limit_error("Fields limit exceeded", f"{path}.criteria_details.criteria", CONDITION_FIELDS_LIMIT)
        if category not in RELATIONAL_CATEGORIES and has_relational(details):
            raise dependent_error(
                "DEPENDENT_MISMATCH",
                NULL_DEPENDENT,
                f"{path}.criteria_details.relational_criteria",
                f"{TRIGGER_PATH}.type",
            )
        if not cond["instant_actions"]["actions"] and not cond["scheduled_actions"]:
            raise item_error("CANNOT_REMOVE", "Actions cannot be empty", f"{path}.instant_actions.actions")
        for g_index, group in enumerate(cond["scheduled_actions"]):
            if not group["actions"]:
                g_path = located(group, f"{path}.scheduled_actions[{g_index}]")
                raise item_error("CANNOT_REMOVE", "Actions cannot be empty", f"{g_path}.actions")


def _criteria_key(cond: Node) -> str:
    details = cond["criteria_details"]
    relational = details.get("relational_criteria") if has_relational(details) else None
    return json.dumps([details.get("criteria"), relational], sort_keys=True)


def _check_distinct_criteria(conditions: list[Node]) -> None:
    seen: dict[str, str] = {}
    indexed = sorted(enumerate(conditions), key=lambda pair: PATH_KEY in pair[1])
    for index, cond in indexed:
        path = f"{located(cond, f'{CONDITIONS_PATH}[{index}]')}.criteria_details"
        key = _criteria_key(cond)
        if key in seen:
            raise ambiguity("The given criteria is part of another condition", seen[key], path)
        seen[key] = path


def action_supported(trigger: str, action_type: str) -> bool:
    """Whether an action can run for a trigger (the subset of Get Workflow Configurations we emulate)."""
    if trigger == "delete":
        return action_type in DELETE_TRIGGER_ACTIONS
    return action_type != "convert" or trigger in CONVERT_TRIGGERS


def _check_action_support(placed: list[_Placed], trigger: Node, module_api_name: str) -> None:
    repeat = trigger["details"].get("repeat") is True
    trigger_type_path = f"{TRIGGER_PATH}.type"
    for item in placed:
        kind = item.action["type"]
        type_path = f"{item.path}.type"
        if kind == "convert" and item.scheduled:
            raise item_error("INVALID_DATA", "Data type not supported", type_path)
        if kind == "convert" and module_api_name != CONVERT_MODULE:
            raise item_error("NOT_ALLOWED", "The unsupported action is given", type_path)
        if not action_supported(trigger["type"], kind):
            raise ambiguity("action not supported for this trigger", trigger_type_path, type_path)
        if kind == "convert" and item.condition["criteria_details"].get("criteria") is None:
            raise ambiguity(CONFLICTING_CONFIG, f"{item.condition_path}.criteria_details.criteria", type_path)
        if kind == "convert" and repeat:
            raise ambiguity(CONFLICTING_CONFIG, f"{TRIGGER_PATH}.details.repeat", type_path)


def _check_scheduled(conditions: list[Node], trigger: Node) -> None:
    groups = [
        located(group, f"{located(cond, f'{CONDITIONS_PATH}[{c_index}]')}.scheduled_actions[{g_index}]")
        for c_index, cond in enumerate(conditions)
        for g_index, group in enumerate(cond["scheduled_actions"])
    ]
    if len(groups) > SCHEDULED_ACTIONS_LIMIT:
        raise limit_error("Scheduled actions limit exceeded", _LAST_INDEX.sub("", groups[-1]), SCHEDULED_ACTIONS_LIMIT)
    if groups and trigger["details"].get("repeat") is True:
        raise item_error(
            "DEPENDENT_MISMATCH",
            "Dependent Field is not matching",
            _LAST_INDEX.sub("", groups[0]),
            dependee=dependee(f"{TRIGGER_PATH}.details.repeat"),
        )


def _check_action_limits(placed: list[_Placed]) -> None:
    by_type: dict[str, list[_Placed]] = {}
    for item in placed:
        by_type.setdefault(item.action["type"], []).append(item)
    for kind, items in by_type.items():
        limit = ACTION_LIMITS.get(kind, DEFAULT_ACTION_LIMIT)
        if len(items) > limit:
            culprit = next((item for item in items if PATH_KEY in item.action), items[-1])
            raise item_error(
                "LIMIT_EXCEEDED",
                "Actions limit exceeded",
                _LAST_INDEX.sub("", culprit.path),
                api_name=kind,
                limit=limit,
            )

"""Merging a write's ``conditions`` (with their instant and scheduled actions) into a workflow rule.

A request changes conditions, scheduled-action groups and actions by id: it updates the ones it names,
removes those it sends with ``"_delete": null`` and adds the ones without an id. The merge checks each
entry on its own; the checks across the merged rule are ``workflow_rules_validation``'s.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from airflow_provider_zohocrm.testing.emulator.workflow_rule_checks import (
    CONDITIONS_PATH,
    DEPENDENT_MISSING,
    INVALID_ACTION_ID,
    INVALID_CONDITION_ID,
    INVALID_VALUE,
    NAME_MAX_LENGTH,
    PATH_KEY,
    REQUIRED_MISSING,
    IdFactory,
    Node,
    as_array,
    as_object,
    dependent_error,
    find_by_id,
    is_id,
    is_int,
    item_error,
    require,
    wants_delete,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rule_criteria import (
    check_criteria,
    check_relational,
    empty_relational,
)

# The delays Zoho's definitions allow, with the unit range each allows (minutes from 2: 5 unless the org has
# one-minute repetition, and the emulator is never stricter than Zoho). The Update Workflow Rule page names
# three more, each an alias of a published one.
PERIOD_UNITS: dict[str, tuple[int, int]] = {
    "minutes": (2, 180),
    "hours": (0, 99),
    "days": (0, 2000),
    "weeks": (0, 100),
    "months": (0, 24),
    "years": (0, 10),
    "business_hours": (0, 99),
    "business_days": (0, 2000),
}
PERIOD_ALIASES = {"hrs": "hours", "b_hours": "business_hours", "b_days": "business_days"}
ACTION_LABELS: dict[str, str] = {
    "field_updates": "Field update",
    "email_notifications": "Email notification",
    "tasks": "Task",
    "webhooks": "Webhook",
    "functions": "Function",
    "assign_owner": "Assign owner",
    "add_tags": "Add tags",
    "remove_tags": "Remove tags",
    "create_record": "Create record",
    "add_meeting": "Add meeting",
    "schedule_call": "Schedule call",
    "convert": "Convert",
    "flow": "Flow",
}
ASSOCIATE_ACTIONS = frozenset({"field_updates", "email_notifications", "tasks", "webhooks", "functions"})


def open_conditions(conditions: list[Node] | None) -> list[Node]:
    """Working copies whose action containers are always lists, ready to merge into."""
    opened = copy.deepcopy(conditions or [])
    for cond in opened:
        cond["instant_actions"] = {"actions": (cond.get("instant_actions") or {}).get("actions") or []}
        cond["scheduled_actions"] = cond.get("scheduled_actions") or []
    return opened


def close_conditions(conditions: list[Node]) -> list[Node]:
    """Storage form: request marks removed; no scheduled actions is null, no instant actions no key.

    Zoho's definitions mark ``scheduled_actions`` nullable but not ``instant_actions`` (an optional object).
    """
    closed = copy.deepcopy(conditions)
    for cond in closed:
        cond.pop(PATH_KEY, None)
        for action in cond["instant_actions"]["actions"]:
            action.pop(PATH_KEY, None)
        for group in cond["scheduled_actions"]:
            group.pop(PATH_KEY, None)
            for action in group["actions"]:
                action.pop(PATH_KEY, None)
        if not cond["instant_actions"]["actions"]:
            del cond["instant_actions"]
        cond["scheduled_actions"] = cond["scheduled_actions"] or None
    return closed


def merge_conditions(current: list[Node], patch: Any, new_id: IdFactory) -> list[Node]:
    """Apply the request's ``conditions``: update by id, ``_delete`` by id, add those without an id."""

    def add(entry: Node, path: str) -> Node:
        require(entry, "sequence_number", path)
        return _new_condition(new_id())

    def patch_one(cond: Node, entry: Node, path: str) -> None:
        _patch_condition(cond, entry, path, new_id)

    return _merge_by_id(current, patch, CONDITIONS_PATH, INVALID_CONDITION_ID, add, patch_one)


def _merge_by_id(
    current: list[Node],
    patch: Any,
    path: str,
    unknown_id: str,
    add: Callable[[Node, str], Node],
    update: Callable[[Node, Node, str], None],
) -> list[Node]:
    """Apply an array of entries to nodes with ids (conditions, scheduled-action groups).

    An entry with an id names an existing node (else INVALID_DATA ``unknown_id``) and updates or, with
    ``"_delete": null``, removes it; one without an id is a new node, made by ``add``. ``update`` applies
    the entry to the node, which is then marked with the entry's path.
    """
    nodes = list(current)
    for index, item in enumerate(as_array(patch, path)):
        item_path = f"{path}[{index}]"
        entry = as_object(item, item_path)
        node = find_by_id(nodes, entry.get("id"))
        if entry.get("id") is not None and node is None:
            raise item_error("INVALID_DATA", unknown_id, f"{item_path}.id")
        if wants_delete(entry, item_path):
            if node is None:
                raise item_error("MANDATORY_NOT_FOUND", REQUIRED_MISSING, f"{item_path}.id")
            nodes.remove(node)
            continue
        if node is None:
            node = add(entry, item_path)
            nodes.append(node)
        update(node, entry, item_path)
        node[PATH_KEY] = item_path
    return nodes


def _new_condition(cond_id: str) -> Node:
    return {
        "id": cond_id,
        "sequence_number": None,
        "criteria_details": {"criteria": None, "relational_criteria": empty_relational()},
        "instant_actions": {"actions": []},
        "scheduled_actions": [],
    }


def _patch_condition(cond: Node, entry: Node, path: str, new_id: IdFactory) -> None:
    if "sequence_number" in entry:
        cond["sequence_number"] = entry["sequence_number"]
    if "criteria_details" in entry:
        cond["criteria_details"] = _merge_criteria_details(
            cond["criteria_details"], entry["criteria_details"], f"{path}.criteria_details"
        )
    if "criteria" in entry:  # the 002 "update criteria" sample sends criteria beside criteria_details
        cond["criteria_details"]["criteria"] = check_criteria(entry["criteria"], f"{path}.criteria")
    if "instant_actions" in entry:
        box = entry["instant_actions"]
        box_path = f"{path}.instant_actions"
        if box is None:
            cond["instant_actions"]["actions"] = []
        elif "actions" in as_object(box, box_path):
            cond["instant_actions"]["actions"] = merge_actions(
                cond["instant_actions"]["actions"], box["actions"], f"{box_path}.actions", new_id
            )
    if "scheduled_actions" in entry:
        cond["scheduled_actions"] = _merge_scheduled(
            cond["scheduled_actions"], entry["scheduled_actions"], f"{path}.scheduled_actions", new_id
        )


def _merge_criteria_details(current: Node, value: Any, path: str) -> Node:
    if value is None:
        return {"criteria": None, "relational_criteria": empty_relational()}
    patch = as_object(value, path)
    merged = dict(current)
    if "criteria" in patch:
        merged["criteria"] = check_criteria(patch["criteria"], f"{path}.criteria")
    if "relational_criteria" in patch:
        merged["relational_criteria"] = check_relational(patch["relational_criteria"], f"{path}.relational_criteria")
    return merged


def merge_actions(current: list[Node], patch: Any, path: str, new_id: IdFactory) -> list[Node]:
    """Apply an ``actions`` array: ``(type, id)`` names an existing action; associate actions are added by id."""
    if patch is None:
        return []
    actions = list(current)
    touched: set[str] = set()
    for index, item in enumerate(as_array(patch, path)):
        item_path = f"{path}[{index}]"
        entry = as_object(item, item_path)
        action = find_by_id(actions, entry.get("id"))
        if wants_delete(entry, item_path):
            if action is None:
                raise item_error("INVALID_DATA", INVALID_ACTION_ID, f"{item_path}.id")
            actions.remove(action)
            continue
        action_type = _action_type(entry, action, item_path)
        if action is not None and action["id"] in touched:
            raise item_error("DUPLICATE_DATA", "Duplicate action not allowed", item_path, api_name="actions")
        if action is None:
            action = _new_action(entry, action_type, item_path, new_id)
            actions.append(action)
        else:
            _copy_payload(action, entry, item_path)
        action[PATH_KEY] = item_path
        touched.add(action["id"])
    return actions


def _action_type(entry: Node, existing: Node | None, path: str) -> str:
    action_type = entry.get("type", existing["type"] if existing else None)
    if action_type is None:
        raise item_error("MANDATORY_NOT_FOUND", REQUIRED_MISSING, f"{path}.type")
    if not isinstance(action_type, str) or action_type not in ACTION_LABELS:
        raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}.type", supported_values=list(ACTION_LABELS))
    if existing is not None and existing["type"] != action_type:
        raise item_error("INVALID_DATA", INVALID_ACTION_ID, f"{path}.id")
    return action_type


def _new_action(entry: Node, action_type: str, path: str, new_id: IdFactory) -> Node:
    """Associate actions name a configured entity by id; inline actions get a fresh id, never a given one."""
    action_id = entry.get("id")
    if action_type in ASSOCIATE_ACTIONS:
        if action_id is None:
            raise dependent_error("DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.id", f"{path}.type")
        if not is_id(action_id):
            raise item_error("INVALID_DATA", INVALID_ACTION_ID, f"{path}.id")
    elif action_id is not None:
        raise item_error("INVALID_DATA", INVALID_ACTION_ID, f"{path}.id")
    action = {"id": action_id or new_id(), "name": ACTION_LABELS[action_type], "type": action_type}
    _copy_payload(action, entry, path)
    return action


def _copy_payload(action: Node, entry: Node, path: str) -> None:
    if "name" in entry:
        name = entry["name"]
        if not isinstance(name, str) or len(name) > NAME_MAX_LENGTH:
            raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}.name", maximum_length=NAME_MAX_LENGTH)
        action["name"] = name
    for key in ("details", "related_details"):
        if key in entry:
            if entry[key] is not None:
                as_object(entry[key], f"{path}.{key}")
            action[key] = copy.deepcopy(entry[key])


def _merge_scheduled(current: list[Node], patch: Any, path: str, new_id: IdFactory) -> list[Node]:
    if patch is None:
        return []

    def add(entry: Node, item_path: str) -> Node:
        after = check_execute_after(require(entry, "execute_after", item_path), f"{item_path}.execute_after")
        require(entry, "actions", item_path)
        return {"id": new_id(), "execute_after": after, "actions": []}

    def update(group: Node, entry: Node, item_path: str) -> None:
        if "execute_after" in entry:
            group["execute_after"] = check_execute_after(entry["execute_after"], f"{item_path}.execute_after")
        if "actions" in entry:
            group["actions"] = merge_actions(group["actions"], entry["actions"], f"{item_path}.actions", new_id)

    return _merge_by_id(current, patch, path, INVALID_ACTION_ID, add, update)


def check_execute_after(value: Any, path: str) -> Node:
    """The delay of a scheduled action: ``period`` names the unit, ``unit`` counts them.

    Stored (and answered) under the published name: Zoho's definitions of the GET answer list only those.
    """
    after = as_object(value, path)
    period = require(after, "period", path)
    unit = require(after, "unit", path)
    low, high = PERIOD_UNITS.get(PERIOD_ALIASES.get(period, period), (1, 0)) if isinstance(period, str) else (1, 0)
    if not is_int(unit) or not low <= unit <= high:
        raise dependent_error(
            "DEPENDENT_MISMATCH", "Given Unit is not supported for the period.", f"{path}.unit", f"{path}.period"
        )
    return {"period": PERIOD_ALIASES.get(period, period), "unit": unit}

"""Checks and merges behind workflow-rule writes, as the Zoho CRM v8 "Update a workflow rule" page lists them.

Every check raises a per-item ``ZohoError`` whose details carry ``api_name`` and ``json_path`` the way Zoho
does, so a client can point at what it sent. While a write is validated, nodes that came from the request
carry their request path under ``PATH_KEY``; nodes the request did not touch are named by their position in
the rule as it would be after the write. ``close_conditions`` strips the marks before anything is stored.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError

Node = dict[str, Any]
IdFactory = Callable[[], str]

ROOT = "$.workflow_rules[0]"
CONDITIONS_PATH = f"{ROOT}.conditions"
TRIGGER_PATH = f"{ROOT}.execute_when"
PATH_KEY = "_json_path"

INVALID_TYPE = "Invalid data type"
INVALID_VALUE = "The value given seems to be invalid."
REQUIRED_MISSING = "Required field is missing"
DEPENDENT_MISSING = "A dependent field is missing"
INVALID_ACTION_ID = "Invalid action ID"
INVALID_CONDITION_ID = "This given conditionid seems to be invalid"
CONFLICTING_CONFIG = "This error may occur due to conflicting configurations in your workflow rule"
NULL_DEPENDENT = "The dependent value should be null for the selected trigger"
CATEGORY_CHANGE = "Trigger type cannot be changed across categories"

NAME_MAX_LENGTH = 100
NAME_FORBIDDEN = "#%^&*()"
CONDITIONS_LIMIT = 10
CONDITION_FIELDS_LIMIT = 25
TRIGGER_FIELDS_LIMIT = 5
SECTION_IDS_LIMIT = 10
SCHEDULED_ACTIONS_LIMIT = 5
SCHEDULE_PERIODS = frozenset({"b_days", "b_hours", "hrs"})

# The trigger table of the 002 page. A module offers only some categories; `create` and `delete` live in
# several, so the category of a trigger is looked up among the categories of the rule's trigger module.
_TRIGGER_TABLE = {
    "record_action": "create edit create_or_edit delete field_update section_update",
    "rollup_summary": "rollup_summary_update",
    "zia_recommendation": "recommendation",
    "date": "date_or_datetime",
    "scoring": "score_increase score_decrease score_update",
    "calls": "scheduled_call_field_update scheduled_call_section_update scheduled_call_edit"
    " scheduled_call_createedit outgoing_call_ring outgoing_call_start outgoing_call_section_update"
    " outgoing_call_createedit outgoing_call_field_update outgoing_call_edit incoming_call_ring incoming_call_start"
    " incoming_call_edit incoming_call_field_update incoming_call_createedit incoming_call_section_update"
    " anyaction delete missed_call",
    "appointments": "create reschedule cancel reassign delete overdue marked_as_complete anyaction",
    "emails": "email_received mail_sent mail_sent_clicked mail_sent_replied mail_sent_opened mail_sent_bounced"
    " email_received_notreplied email_received_opened_notreplied mail_sent_replied_within"
    " mail_sent_opened_notreplied mail_sent_notreplied mail_sent_notopened",
    "facebook": "fb_post_on_page fb_comment_on_page fb_like_on_post fb_send_message",
    "twitter": "tw_mention_on tw_retweet_on_tweet tw_comment_on_tweet tw_send_message",
}
TRIGGER_CATEGORIES = {category: tuple(triggers.split()) for category, triggers in _TRIGGER_TABLE.items()}
KNOWN_TRIGGERS = frozenset(t for triggers in TRIGGER_CATEGORIES.values() for t in triggers)
STANDARD_CATEGORIES = ("record_action", "rollup_summary", "date", "scoring")
MODULE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Calls": ("calls",),
    "Appointments__s": ("appointments",),
    "Emails": ("emails",),
}
# Relational criteria only make sense where a related record triggers the rule (page 002).
RELATIONAL_CATEGORIES = frozenset({"calls", "appointments", "emails", "facebook", "twitter"})

REPEAT_TRIGGERS = frozenset({"edit", "create_or_edit"})
# Trigger-detail keys that belong to one kind of trigger; keys outside this table are stored as given.
TRIGGER_DETAIL_KEYS: dict[str, frozenset[str]] = {
    "repeat": REPEAT_TRIGGERS,
    "criteria": frozenset({"field_update"}),
    "section_ids": frozenset({"section_update"}),
    "field": frozenset({"date_or_datetime"}),
    "execute_at": frozenset({"date_or_datetime"}),
    "execute_cycle": frozenset({"date_or_datetime"}),
    "time": frozenset({"date_or_datetime"}),
}

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
ACTION_LIMITS = {"field_updates": 5, "email_notifications": 5, "assign_owner": 3}
DEFAULT_ACTION_LIMIT = 1
# Once the record is gone only actions that do not touch it can run.
DELETE_TRIGGER_ACTIONS = frozenset({"email_notifications", "webhooks", "functions"})
CONVERT_TRIGGERS = frozenset({"create", "edit", "create_or_edit", "field_update"})
CONVERT_MODULE = "Leads"


# --- errors and primitive checks ------------------------------------------------------------------------

_LAST_KEY = re.compile(r"([A-Za-z_]+)(?:\[\d+\])?$")
_LAST_INDEX = re.compile(r"\[\d+\]$")


def item_error(code: str, message: str, path: str, **extra: Any) -> ZohoError:
    """A 400 error for one item; ``api_name`` is the last key of ``path`` unless given in ``extra``."""
    return ZohoError(400, code, message, {"api_name": _api_name(path), "json_path": path, **extra})


def ambiguity(message: str, *paths: str) -> ZohoError:
    """The AMBIGUITY_DURING_PROCESSING shape Zoho uses: every conflicting node in ``ambiguity_due_to``."""
    due_to = [{"api_name": _api_name(path), "json_path": path} for path in paths]
    return ZohoError(400, "AMBIGUITY_DURING_PROCESSING", message, {"ambiguity_due_to": due_to})


def _limit(message: str, path: str, limit: int) -> ZohoError:
    return item_error("LIMIT_EXCEEDED", message, path, limit=limit)


def _dependent(code: str, message: str, path: str, dependee_path: str) -> ZohoError:
    """DEPENDENT_* errors also name the field the failing one depends on."""
    return item_error(code, message, path, dependee=_dependee(dependee_path))


def _api_name(path: str) -> str:
    match = _LAST_KEY.search(path)
    return match.group(1) if match else path


def _dependee(path: str) -> Node:
    return {"api_name": _api_name(path), "json_path": path}


def as_object(value: Any, path: str) -> Node:
    """``value`` if it is a JSON object, else the INVALID_DATA Zoho returns for a wrong type."""
    if not isinstance(value, dict):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="jsonobject")
    return value


def as_array(value: Any, path: str) -> list[Any]:
    """``value`` if it is a JSON array."""
    if not isinstance(value, list):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="jsonarray")
    return value


def as_bool(value: Any, path: str) -> bool:
    """``value`` if it is a JSON boolean."""
    if not isinstance(value, bool):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="boolean")
    return value


def is_int(value: Any) -> bool:
    """True for JSON integers (``bool`` is an ``int`` in Python but not in JSON)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_id(value: Any) -> bool:
    """Zoho ids are strings of digits."""
    return isinstance(value, str) and value.isdigit()


def require(entry: Node, key: str, path: str, message: str = REQUIRED_MISSING) -> Any:
    """``entry[key]``, or MANDATORY_NOT_FOUND when it is absent or null."""
    if entry.get(key) is None:
        raise item_error("MANDATORY_NOT_FOUND", message, f"{path}.{key}")
    return entry[key]


def _wants_delete(entry: Node, path: str) -> bool:
    """True when the node asks to be removed: the documented signal is ``"_delete": null``."""
    if "_delete" not in entry:
        return False
    if entry["_delete"] is not None:
        raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}._delete")
    return True


def _find(nodes: list[Node], node_id: Any) -> Node | None:
    return next((node for node in nodes if node_id is not None and node["id"] == node_id), None)


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
        raise _dependent("DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.message", f"{path}.status")
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


# --- criteria ---------------------------------------------------------------------------------------------


def check_criteria(value: Any, path: str) -> Node | None:
    """A criteria tree: null (all records), a leaf with field and comparator, or an AND/OR group."""
    if value is None:
        return None
    node = as_object(value, path)
    if "group" in node:
        if str(node.get("group_operator", "")).upper() not in {"AND", "OR"}:
            raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}.group_operator")
        for index, child in enumerate(as_array(node["group"], f"{path}.group")):
            check_criteria(child, f"{path}.group[{index}]")
        return node
    as_object(require(node, "field", path), f"{path}.field")
    if not isinstance(require(node, "comparator", path), str):
        raise item_error("INVALID_DATA", INVALID_TYPE, f"{path}.comparator", expected_data_type="text")
    return node


def count_fields(criteria: Node | None) -> int:
    """How many field checks a (validated) criteria tree makes."""
    if criteria is None:
        return 0
    if "group" in criteria:
        return sum(count_fields(child) for child in criteria["group"])
    return 1


def _empty_relational() -> Node:
    return {"module_selection": None, "criteria": None, "module": None}


def _check_relational(value: Any, path: str) -> Node:
    if value is None:
        return _empty_relational()
    node = as_object(value, path)
    selection = node.get("module_selection")
    if selection is not None and selection not in ("all", "specific", "unknown"):
        raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}.module_selection")
    if selection == "specific" and node.get("module") is None:
        raise _dependent("DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.module", f"{path}.module_selection")
    return {
        "module_selection": selection,
        "criteria": check_criteria(node.get("criteria"), f"{path}.criteria"),
        "module": node.get("module"),
    }


def _has_relational(criteria_details: Node) -> bool:
    relational = criteria_details.get("relational_criteria") or {}
    return any(value is not None for value in relational.values())


# --- trigger ----------------------------------------------------------------------------------------------


def triggers_for(module_api_name: str) -> dict[str, str]:
    """Trigger type -> category for the triggers a module offers."""
    categories = MODULE_CATEGORIES.get(module_api_name, STANDARD_CATEGORIES)
    return {trigger: category for category in categories for trigger in TRIGGER_CATEGORIES[category]}


def _detail_fits(key: str, trigger: str) -> bool:
    return key not in TRIGGER_DETAIL_KEYS or trigger in TRIGGER_DETAIL_KEYS[key]


def merge_trigger(current: Node, patch: Any) -> Node:
    """The trigger after ``patch``: details the new type cannot use are dropped, explicit misfits rejected.

    ``trigger_module`` is left alone here; the store checks that the request does not change it.
    """
    when = as_object(patch, TRIGGER_PATH)
    trigger = when["type"] if "type" in when else current["type"]
    if trigger is None:
        raise item_error("MANDATORY_NOT_FOUND", REQUIRED_MISSING, f"{TRIGGER_PATH}.type")
    if not isinstance(trigger, str):
        raise item_error("INVALID_DATA", INVALID_TYPE, f"{TRIGGER_PATH}.type", expected_data_type="text")
    details = {key: value for key, value in current["details"].items() if _detail_fits(key, trigger)}
    if when.get("details") is not None:
        for key, value in as_object(when["details"], f"{TRIGGER_PATH}.details").items():
            if key == "trigger_module":
                continue
            if value is None:
                details.pop(key, None)
            elif not _detail_fits(key, trigger):
                message = "Repeat not supported for this trigger" if key == "repeat" else NULL_DEPENDENT
                raise _dependent("DEPENDENT_MISMATCH", message, f"{TRIGGER_PATH}.details.{key}", f"{TRIGGER_PATH}.type")
            else:
                details[key] = value
    return {"type": trigger, "details": details}


def check_trigger(when: Node, trigger_module: str, old_type: str | None) -> str:
    """Validate the merged trigger against its module (and the previous type); returns its category."""
    trigger = when["type"]
    type_path = f"{TRIGGER_PATH}.type"
    available = triggers_for(trigger_module)
    if trigger not in available:
        raise item_error("INVALID_DATA", "The given trigger is not valid.", type_path, supported_values=list(available))
    category = available[trigger]
    if old_type is not None and available.get(old_type) != category:
        same = [name for name, cat in available.items() if cat == available.get(old_type)]
        raise item_error("INVALID_DATA", CATEGORY_CHANGE, type_path, supported_values=same)
    _check_trigger_details(trigger, when["details"])
    return category


def _check_trigger_details(trigger: str, details: Node) -> None:
    path = f"{TRIGGER_PATH}.details"
    if trigger in REPEAT_TRIGGERS:
        if details.get("repeat") is None:
            raise _dependent("DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.repeat", f"{TRIGGER_PATH}.type")
        as_bool(details["repeat"], f"{path}.repeat")
    if "criteria" in details:
        criteria = check_criteria(details["criteria"], f"{path}.criteria")
        if count_fields(criteria) > TRIGGER_FIELDS_LIMIT:
            raise _limit("The Limit of criteria fields is exceeded", f"{path}.criteria", TRIGGER_FIELDS_LIMIT)
    if "section_ids" in details and len(as_array(details["section_ids"], f"{path}.section_ids")) > SECTION_IDS_LIMIT:
        raise _limit("The Limit of selected section ids exceeded", f"{path}.section_ids", SECTION_IDS_LIMIT)


# --- merging conditions and actions ---------------------------------------------------------------------


def open_conditions(conditions: list[Node] | None) -> list[Node]:
    """Working copies whose action containers are always lists, ready to merge into."""
    opened = copy.deepcopy(conditions or [])
    for cond in opened:
        cond["instant_actions"] = {"actions": (cond.get("instant_actions") or {}).get("actions") or []}
        cond["scheduled_actions"] = cond.get("scheduled_actions") or []
    return opened


def close_conditions(conditions: list[Node]) -> list[Node]:
    """Storage form: request marks removed, empty action containers null."""
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
            cond["instant_actions"] = None
        cond["scheduled_actions"] = cond["scheduled_actions"] or None
    return closed


def merge_conditions(current: list[Node], patch: Any, new_id: IdFactory) -> list[Node]:
    """Apply the request's ``conditions``: update by id, ``_delete`` by id, add those without an id."""
    conditions = list(current)
    for index, item in enumerate(as_array(patch, CONDITIONS_PATH)):
        path = f"{CONDITIONS_PATH}[{index}]"
        entry = as_object(item, path)
        cond = _find(conditions, entry.get("id"))
        if entry.get("id") is not None and cond is None:
            raise item_error("INVALID_DATA", INVALID_CONDITION_ID, f"{path}.id")
        if _wants_delete(entry, path):
            if cond is None:
                raise item_error("MANDATORY_NOT_FOUND", REQUIRED_MISSING, f"{path}.id")
            conditions.remove(cond)
            continue
        if cond is None:
            require(entry, "sequence_number", path)
            cond = _new_condition(new_id())
            conditions.append(cond)
        _patch_condition(cond, entry, path, new_id)
        cond[PATH_KEY] = path
    return conditions


def _new_condition(cond_id: str) -> Node:
    return {
        "id": cond_id,
        "sequence_number": None,
        "criteria_details": {"criteria": None, "relational_criteria": _empty_relational()},
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
        return {"criteria": None, "relational_criteria": _empty_relational()}
    patch = as_object(value, path)
    merged = dict(current)
    if "criteria" in patch:
        merged["criteria"] = check_criteria(patch["criteria"], f"{path}.criteria")
    if "relational_criteria" in patch:
        merged["relational_criteria"] = _check_relational(patch["relational_criteria"], f"{path}.relational_criteria")
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
        action = _find(actions, entry.get("id"))
        if _wants_delete(entry, item_path):
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
            raise _dependent("DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.id", f"{path}.type")
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
    groups = list(current)
    for index, item in enumerate(as_array(patch, path)):
        item_path = f"{path}[{index}]"
        entry = as_object(item, item_path)
        group = _find(groups, entry.get("id"))
        if entry.get("id") is not None and group is None:
            raise item_error("INVALID_DATA", INVALID_ACTION_ID, f"{item_path}.id")
        if _wants_delete(entry, item_path):
            if group is None:
                raise item_error("MANDATORY_NOT_FOUND", REQUIRED_MISSING, f"{item_path}.id")
            groups.remove(group)
            continue
        if group is None:
            after = check_execute_after(require(entry, "execute_after", item_path), f"{item_path}.execute_after")
            require(entry, "actions", item_path)
            group = {"id": new_id(), "execute_after": after, "actions": []}
            groups.append(group)
        elif "execute_after" in entry:
            group["execute_after"] = check_execute_after(entry["execute_after"], f"{item_path}.execute_after")
        if "actions" in entry:
            group["actions"] = merge_actions(group["actions"], entry["actions"], f"{item_path}.actions", new_id)
        group[PATH_KEY] = item_path
    return groups


def check_execute_after(value: Any, path: str) -> Node:
    """The delay of a scheduled action; the 002 page calls the unit name ``period`` and the count ``unit``."""
    after = as_object(value, path)
    period = require(after, "period", path)
    unit = require(after, "unit", path)
    if not isinstance(period, str) or period not in SCHEDULE_PERIODS or not is_int(unit) or unit < 1:
        raise _dependent(
            "DEPENDENT_MISMATCH", "Given Unit is not supported for the period.", f"{path}.unit", f"{path}.period"
        )
    return {"period": period, "unit": unit}


# --- whole-rule checks ------------------------------------------------------------------------------------


class _Placed(NamedTuple):
    """An action with where it sits: its json_path, its condition's path and condition, and its timing."""

    action: Node
    path: str
    condition: Node
    condition_path: str
    scheduled: bool


def _located(node: Node, fallback: str) -> str:
    return str(node.get(PATH_KEY, fallback))


def _walk_actions(conditions: list[Node]) -> Iterator[_Placed]:
    for c_index, cond in enumerate(conditions):
        c_path = _located(cond, f"{CONDITIONS_PATH}[{c_index}]")
        for a_index, action in enumerate(cond["instant_actions"]["actions"]):
            a_path = _located(action, f"{c_path}.instant_actions.actions[{a_index}]")
            yield _Placed(action, a_path, cond, c_path, False)
        for g_index, group in enumerate(cond["scheduled_actions"]):
            g_path = _located(group, f"{c_path}.scheduled_actions[{g_index}]")
            for a_index, action in enumerate(group["actions"]):
                yield _Placed(action, _located(action, f"{g_path}.actions[{a_index}]"), cond, c_path, True)


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
        raise _limit("Workflow condition limit exceeded", CONDITIONS_PATH, CONDITIONS_LIMIT)


def _check_sequence(conditions: list[Node]) -> None:
    """Sequence numbers must be exactly 1..n; untouched conditions go first so a clash blames the request."""
    seen: set[int] = set()
    indexed = sorted(enumerate(conditions), key=lambda pair: PATH_KEY in pair[1])
    for index, cond in indexed:
        number = cond["sequence_number"]
        if not is_int(number) or not 1 <= number <= len(conditions) or number in seen:
            path = _located(cond, f"{CONDITIONS_PATH}[{index}]")
            raise item_error("INVALID_DATA", "Invalid sequence number is given", f"{path}.sequence_number")
        seen.add(number)


def _check_condition_contents(conditions: list[Node], category: str) -> None:
    for index, cond in enumerate(conditions):
        path = _located(cond, f"{CONDITIONS_PATH}[{index}]")
        details = cond["criteria_details"]
        if count_fields(details.get("criteria")) > CONDITION_FIELDS_LIMIT:
            raise _limit("Fields limit exceeded", f"{path}.criteria_details.criteria", CONDITION_FIELDS_LIMIT)
        if category not in RELATIONAL_CATEGORIES and _has_relational(details):
            raise _dependent(
                "DEPENDENT_MISMATCH",
                NULL_DEPENDENT,
                f"{path}.criteria_details.relational_criteria",
                f"{TRIGGER_PATH}.type",
            )
        if not cond["instant_actions"]["actions"] and not cond["scheduled_actions"]:
            raise item_error("CANNOT_REMOVE", "Actions cannot be empty", f"{path}.instant_actions.actions")
        for g_index, group in enumerate(cond["scheduled_actions"]):
            if not group["actions"]:
                g_path = _located(group, f"{path}.scheduled_actions[{g_index}]")
                raise item_error("CANNOT_REMOVE", "Actions cannot be empty", f"{g_path}.actions")


def _criteria_key(cond: Node) -> str:
    details = cond["criteria_details"]
    relational = details.get("relational_criteria") if _has_relational(details) else None
    return json.dumps([details.get("criteria"), relational], sort_keys=True)


def _check_distinct_criteria(conditions: list[Node]) -> None:
    seen: dict[str, str] = {}
    indexed = sorted(enumerate(conditions), key=lambda pair: PATH_KEY in pair[1])
    for index, cond in indexed:
        path = f"{_located(cond, f'{CONDITIONS_PATH}[{index}]')}.criteria_details"
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
        _located(group, f"{_located(cond, f'{CONDITIONS_PATH}[{c_index}]')}.scheduled_actions[{g_index}]")
        for c_index, cond in enumerate(conditions)
        for g_index, group in enumerate(cond["scheduled_actions"])
    ]
    if len(groups) > SCHEDULED_ACTIONS_LIMIT:
        raise _limit("Scheduled actions limit exceeded", _LAST_INDEX.sub("", groups[-1]), SCHEDULED_ACTIONS_LIMIT)
    if groups and trigger["details"].get("repeat") is True:
        raise item_error(
            "DEPENDENT_MISMATCH",
            "Dependent Field is not matching",
            _LAST_INDEX.sub("", groups[0]),
            dependee=_dependee(f"{TRIGGER_PATH}.details.repeat"),
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

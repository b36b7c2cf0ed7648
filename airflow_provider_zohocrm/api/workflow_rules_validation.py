"""Client-side checks of a workflow-rule update, as Zoho's Update Workflow Rule page lists them, before any request.

Pure functions. Each failure raises ``ZohoCRMValidationError`` naming the JSON path of the value
(``rule.conditions[2].sequence_number``) and how to fix it. Checks that depend on the rule as it
is now (sequence numbers after the update, the trigger's category, the module) need ``current``;
without it only what the request alone decides is checked. An update whose effect the current
rule already shows (a re-run) passes: it adds nothing, see ``workflow_rule_changes``.

The trigger table and the checks of ``execute_when`` are in ``workflow_rule_triggers``, the failure
shape and the checks both share in ``workflow_rule_checks``; what callers imported from here before
is re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.api.workflow_rule_changes import PERIOD_ALIASES, condition_applied, node, nodes
from airflow_provider_zohocrm.api.workflow_rule_checks import (
    Node,
    as_list,
    as_object,
    check_unchanged,
    count_criteria_fields,
    fail,
    is_int,
    show,
)
from airflow_provider_zohocrm.api.workflow_rule_triggers import (
    KNOWN_TRIGGERS,
    MODULE_CATEGORIES,
    REPEAT_TRIGGERS,
    SECTION_IDS_LIMIT,
    STANDARD_CATEGORIES,
    TRIGGER_CATEGORIES,
    TRIGGER_FIELDS_LIMIT,
    check_trigger,
    trigger_categories,
)
from airflow_provider_zohocrm.validation import check_depth, check_json_value, validate_id

__all__ = [
    "CONDITIONS_LIMIT",
    "CONDITION_FIELDS_LIMIT",
    "KNOWN_TRIGGERS",
    "MODULE_CATEGORIES",
    "NAME_FORBIDDEN",
    "NAME_MAX_LENGTH",
    "PUBLISHED_PERIODS",
    "REPEAT_TRIGGERS",
    "RULE_KEYS",
    "SCHEDULE_PERIODS",
    "SECTION_IDS_LIMIT",
    "STANDARD_CATEGORIES",
    "TRIGGER_CATEGORIES",
    "TRIGGER_FIELDS_LIMIT",
    "UPDATE_PAGE_PERIODS",
    "check_name",
    "count_criteria_fields",
    "fail",
    "trigger_categories",
    "validate_rule_update",
]

RULE_KEYS = frozenset({"id", "name", "description", "module", "execute_when", "conditions", "lock", "status"})
NAME_MAX_LENGTH = 100
NAME_FORBIDDEN = "#%^&*()"
CONDITIONS_LIMIT = 10
CONDITION_FIELDS_LIMIT = 25
# Zoho's definitions list these delays (its own GET example returns business_hours); the Update Workflow
# Rule page lists only the last three. Zoho decides, so both sets pass.
PUBLISHED_PERIODS = ("minutes", "hours", "days", "weeks", "months", "years", "business_hours", "business_days")
UPDATE_PAGE_PERIODS = tuple(PERIOD_ALIASES)  # b_days, b_hours, hrs
SCHEDULE_PERIODS = PUBLISHED_PERIODS + UPDATE_PAGE_PERIODS


def validate_rule_update(rule: Any, current: Node | None = None, param: str = "rule") -> None:
    """Check an update body for ``PUT …/workflow_rules/{id}`` against Update Workflow Rule's rules (and ``current``)."""
    rule = as_object(rule, param)
    check_depth(rule, param)  # before any recursive check: criteria nested thousands deep
    check_json_value(rule, param)  # NaN, numbers past 30 digits, non-text keys
    unknown = sorted(set(rule) - RULE_KEYS, key=str)
    if unknown:
        fail(
            f"{param}.{unknown[0]}",
            f"unknown key(s) {', '.join(map(str, unknown))}",
            f"An update may hold only {', '.join(sorted(RULE_KEYS))}",
        )
    if not set(rule) - {"id", "module"}:
        fail(
            param,
            "has nothing to update",
            "Give at least one of name, description, execute_when, conditions, lock or status",
        )
    if "id" in rule:
        rule_id = validate_id(rule["id"], f"{param}.id")
        if current is not None and rule_id != current.get("id"):
            fail(
                f"{param}.id",
                f"is {rule_id}, not the rule being updated ({current.get('id')})",
                "Drop the id from the body; rule_id names the rule",
            )
    if "name" in rule:
        check_name(rule["name"], f"{param}.name")
    if "description" in rule and rule["description"] is not None and not isinstance(rule["description"], str):
        fail(f"{param}.description", f"must be text or null; got {show(rule['description'])}", "Pass a string")
    if "lock" in rule:
        _check_lock(rule["lock"], f"{param}.lock")
    if "status" in rule:
        _check_status(rule["status"], f"{param}.status")
    if "module" in rule:
        check_unchanged(rule["module"], None if current is None else current.get("module"), f"{param}.module", "module")
    if "execute_when" in rule:
        check_trigger(rule["execute_when"], current, f"{param}.execute_when")
    entries = _check_conditions(rule["conditions"], f"{param}.conditions") if "conditions" in rule else []
    after = _conditions_after(entries, current, param)
    _check_sequence(after, complete=current is not None, param=param)
    _check_repeat(rule, current, after, param)


def check_name(value: Any, path: str = "rule.name") -> None:
    """A rule name: text, at most 100 characters, none of ``# % ^ & * ( )``."""
    if not isinstance(value, str) or not value.strip():
        fail(path, f"must be non-empty text; got {show(value)}", "Give the rule a name")
    if len(value) > NAME_MAX_LENGTH:
        fail(
            path,
            f"is {len(value)} characters long; the limit is {NAME_MAX_LENGTH}",
            "Shorten the name",
            limit=NAME_MAX_LENGTH,
        )
    bad = sorted({char for char in value if char in NAME_FORBIDDEN})
    if bad:
        fail(
            path,
            f"contains {' '.join(bad)}; rule names must not contain # % ^ & * ( )",
            "Use letters, digits, spaces or underscores instead",
        )


def _check_lock(value: Any, path: str) -> None:
    lock = as_object(value, path)
    if not isinstance(lock.get("status"), bool):
        fail(f"{path}.status", f"must be true or false; got {show(lock.get('status'))}", "Set lock.status")
    message = lock.get("message")
    if lock["status"] and (not isinstance(message, str) or not message.strip()):
        fail(f"{path}.message", "is required when lock.status is true", "Say why the rule is locked")


def _check_status(value: Any, path: str) -> None:
    status = as_object(value, path)
    if not isinstance(status.get("active"), bool):
        fail(f"{path}.active", f"must be true or false; got {show(status.get('active'))}", "Set status.active")
    purge = status.get("delete_schedule_action")
    if purge is not None and not isinstance(purge, bool):
        fail(f"{path}.delete_schedule_action", f"must be true or false; got {show(purge)}", "Pass a bool")
    if purge and status["active"]:
        fail(
            f"{path}.delete_schedule_action",
            "only applies when deactivating (active false)",
            "Drop delete_schedule_action or set active to false",
        )


# --- conditions ------------------------------------------------------------------------------------------


def _check_delete_marker(entry: Node, path: str) -> bool:
    """True for a removal (``"_delete": null`` with an id)."""
    if "_delete" not in entry:
        return False
    if entry["_delete"] is not None:
        fail(f"{path}._delete", f"must be null; got {show(entry['_delete'])}", 'Removal is "_delete": null')
    if entry.get("id") is None:
        fail(f"{path}.id", "is required to remove an item", "Give the id of the item to remove")
    validate_id(entry["id"], f"{path}.id")
    return True


def _check_conditions(value: Any, path: str) -> list[Node]:
    entries = [as_object(item, f"{path}[{index}]") for index, item in enumerate(as_list(value, path))]
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        item = f"{path}[{index}]"
        if entry.get("id") is not None:
            cond_id = validate_id(entry["id"], f"{item}.id")
            if cond_id in seen:
                fail(f"{item}.id", f"condition {cond_id} appears twice", "Merge the two entries into one")
            seen.add(cond_id)
        if _check_delete_marker(entry, item):
            continue
        _check_condition(entry, item)
    return entries


def _check_condition(entry: Node, path: str) -> None:
    number = entry.get("sequence_number")
    if number is None and entry.get("id") is None:
        fail(f"{path}.sequence_number", "is required for a new condition", "Number conditions from 1")
    if number is not None and (not is_int(number) or number < 1):
        fail(f"{path}.sequence_number", f"must be an integer from 1; got {show(number)}", "Number conditions from 1")
    details = entry.get("criteria_details")
    criteria = as_object(details, f"{path}.criteria_details").get("criteria") if details is not None else None
    where = f"{path}.criteria_details.criteria"
    if entry.get("criteria") is not None:
        criteria, where = entry["criteria"], f"{path}.criteria"
    fields = count_criteria_fields(criteria, where)
    if fields > CONDITION_FIELDS_LIMIT:
        fail(
            where,
            f"checks {fields} fields; a condition may check at most {CONDITION_FIELDS_LIMIT}",
            "Split the criteria over several conditions",
            limit=CONDITION_FIELDS_LIMIT,
        )
    if entry.get("instant_actions") is not None:
        box = as_object(entry["instant_actions"], f"{path}.instant_actions")
        _check_actions(box.get("actions"), f"{path}.instant_actions.actions", scheduled=False)
    if entry.get("scheduled_actions") is not None:
        groups = as_list(entry["scheduled_actions"], f"{path}.scheduled_actions")
        for index, group in enumerate(groups):
            _check_schedule(
                as_object(group, f"{path}.scheduled_actions[{index}]"), f"{path}.scheduled_actions[{index}]"
            )


def _check_schedule(group: Node, path: str) -> None:
    if _check_delete_marker(group, path):
        return
    if group.get("id") is None:
        for key in ("execute_after", "actions"):
            if group.get(key) is None:
                fail(f"{path}.{key}", "is required for a new scheduled action", "Give execute_after and actions")
    else:
        validate_id(group["id"], f"{path}.id")
    if group.get("execute_after") is not None:
        after = as_object(group["execute_after"], f"{path}.execute_after")
        if after.get("period") not in SCHEDULE_PERIODS:
            fail(
                f"{path}.execute_after.period",
                f"must be one of {', '.join(SCHEDULE_PERIODS)}; got {show(after.get('period'))}",
                "e.g. hours, days or business_days (the Update Workflow Rule page's hrs, b_days, b_hours also pass)",
            )
        unit = after.get("unit")
        if not is_int(unit) or unit < 0:
            fail(
                f"{path}.execute_after.unit",
                f"must be an integer from 0; got {show(unit)}",
                "Give how many periods to wait, e.g. 3",
            )
    _check_actions(group.get("actions"), f"{path}.actions", scheduled=True)


def _check_actions(value: Any, path: str, *, scheduled: bool) -> None:
    if value is None:
        return
    for index, item in enumerate(as_list(value, path)):
        item_path = f"{path}[{index}]"
        action = as_object(item, item_path)
        if action.get("id") is not None:
            validate_id(action["id"], f"{item_path}.id")
        if _check_delete_marker(action, item_path):
            continue
        kind = action.get("type")
        if not isinstance(kind, str) or not kind:
            fail(f"{item_path}.type", f"is required; got {show(kind)}", "Give the action type, e.g. field_updates")
        if scheduled and kind == "convert":
            fail(f"{item_path}.type", "convert cannot be a scheduled action", "Make it an instant action")


# --- the conditions after the update ---------------------------------------------------------------------


@dataclass
class _After:
    """One condition as it would be after the update; ``path`` is its request entry, if any."""

    sequence_number: Any
    scheduled: bool
    path: str | None


def _conditions_after(entries: list[Node], current: Node | None, param: str) -> list[_After]:
    """The rule's conditions after the update (only the request's ones without ``current``)."""
    have = {str(c.get("id")): c for c in nodes(node(current).get("conditions"))}
    after = {cid: _After(c.get("sequence_number"), bool(c.get("scheduled_actions")), None) for cid, c in have.items()}
    for index, entry in enumerate(entries):
        path = f"{param}.conditions[{index}]"
        cond_id = entry.get("id")
        if "_delete" in entry:
            after.pop(str(cond_id), None)  # already gone counts as done
            continue
        if cond_id is not None and current is not None and str(cond_id) not in have:
            fail(
                f"{path}.id",
                f"rule {current.get('id')} has no condition {cond_id}",
                "Use an id from the rule's conditions, or leave id out to add a condition",
            )
        if cond_id is None and current is not None and condition_applied(entry, list(have.values())):
            continue  # this new condition is already there (a re-run)
        base = have.get(str(cond_id), {})
        number = entry.get("sequence_number", base.get("sequence_number"))
        after[str(cond_id) if cond_id is not None else f"new {index}"] = _After(
            number, _scheduled_after(entry, base), path
        )
    return list(after.values())


def _scheduled_after(entry: Node, base: Node) -> bool:
    if "scheduled_actions" not in entry:
        return bool(base.get("scheduled_actions"))
    patch = entry["scheduled_actions"]
    if patch is None:
        return False  # null removes every scheduled action
    removed = {str(group.get("id")) for group in patch if "_delete" in group}
    kept = [group for group in nodes(base.get("scheduled_actions")) if str(group.get("id")) not in removed]
    return bool(kept) or any("_delete" not in group for group in patch)


def _check_sequence(after: list[_After], *, complete: bool, param: str) -> None:
    """The Update Workflow Rule page: sequence numbers 1..n without gaps or repeats; at most 10 conditions.

    Without the current rule (``complete`` false) only repeats among the request's numbers show.
    """
    path = f"{param}.conditions"
    if len(after) > CONDITIONS_LIMIT:
        fail(
            path,
            f"the rule would have {len(after)} conditions; the limit is {CONDITIONS_LIMIT}",
            'Remove conditions (send their id with "_delete": null) or merge them',
            limit=CONDITIONS_LIMIT,
        )
    numbers = [cond.sequence_number for cond in after]
    expected = list(range(1, len(after) + 1))
    if complete and _in_order(numbers) == expected:
        return
    rule = f"after the update the conditions would be numbered {_in_order(numbers)}; they must run 1..{len(after)}"

    def wrong(number: Any) -> bool:
        return number is not None and (numbers.count(number) > 1 or (complete and number not in expected))

    culprit = next((cond for cond in after if cond.path and wrong(cond.sequence_number)), None)
    if culprit is not None:
        fail(
            f"{culprit.path}.sequence_number",
            f"{culprit.sequence_number} is a repeat or out of range: {rule}",
            "Give each condition a distinct number from 1 to the number of conditions after the update",
        )
    if complete:
        fail(
            path, f"{rule} without gaps", "Renumber the remaining conditions: send each id with its new sequence_number"
        )


def _in_order(numbers: list[Any]) -> list[Any]:
    return sorted(numbers, key=lambda n: n if is_int(n) else 0)


def _check_repeat(rule: Node, current: Node | None, after: list[_After], param: str) -> None:
    """``repeat`` only for edit / create_or_edit, and never together with scheduled actions."""
    when = node(rule.get("execute_when"))
    details = node(when.get("details"))
    current_when = node(node(current).get("execute_when"))
    trigger = when.get("type", current_when.get("type"))
    if not isinstance(trigger, str):
        trigger = None  # a trigger type Zoho sent in another shape: nothing known about repeat
    path = f"{param}.execute_when.details.repeat"
    if details.get("repeat") is not None and trigger is not None and trigger not in REPEAT_TRIGGERS:
        fail(
            path,
            f"is not supported for the {trigger!r} trigger",
            "Drop repeat; only edit and create_or_edit triggers repeat",
        )
    repeat = details["repeat"] if "repeat" in details else node(current_when.get("details")).get("repeat")
    if repeat is not True or (trigger is not None and trigger not in REPEAT_TRIGGERS):
        return
    scheduled = [cond for cond in after if cond.scheduled]
    if scheduled:
        where = next((f"{cond.path}.scheduled_actions" for cond in scheduled if cond.path), path)
        fail(
            where,
            "scheduled actions are not supported when repeat is true",
            "Set repeat to false or remove the scheduled actions",
        )

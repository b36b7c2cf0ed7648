"""The emulator's trigger table (Update Workflow Rule) and the checks and merge of a rule's ``execute_when``.

The emulator keeps its own table rather than the client's (``api/workflow_rule_triggers.py``), so a test
can catch the client and the emulator disagreeing; ``tests/emulator/test_trigger_tables_agree.py`` compares
the two and lists the differences that are meant.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.testing.emulator.workflow_rule_checks import (
    DEPENDENT_MISSING,
    INVALID_TYPE,
    NULL_DEPENDENT,
    REQUIRED_MISSING,
    TRIGGER_PATH,
    Node,
    as_array,
    as_bool,
    as_object,
    dependent_error,
    item_error,
    limit_error,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rule_criteria import check_criteria, count_fields

CATEGORY_CHANGE = "Trigger type cannot be changed across categories"
TRIGGER_FIELDS_LIMIT = 5
SECTION_IDS_LIMIT = 10

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
# The emulated org has no Zia, so no module offers the Zia recommendation category (its trigger is still
# known, e.g. to the list's ``execute_on`` filter).
STANDARD_CATEGORIES = ("record_action", "rollup_summary", "date", "scoring")
MODULE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Calls": ("calls",),
    "Appointments__s": ("appointments",),
    "Emails": ("emails",),
}
# Relational criteria only make sense where a related record triggers the rule (Update Workflow Rule).
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
                raise dependent_error(
                    "DEPENDENT_MISMATCH", message, f"{TRIGGER_PATH}.details.{key}", f"{TRIGGER_PATH}.type"
                )
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
            raise dependent_error(
                "DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.repeat", f"{TRIGGER_PATH}.type"
            )
        as_bool(details["repeat"], f"{path}.repeat")
    if "criteria" in details:
        criteria = check_criteria(details["criteria"], f"{path}.criteria")
        if count_fields(criteria) > TRIGGER_FIELDS_LIMIT:
            raise limit_error("The Limit of criteria fields is exceeded", f"{path}.criteria", TRIGGER_FIELDS_LIMIT)
    if "section_ids" in details and len(as_array(details["section_ids"], f"{path}.section_ids")) > SECTION_IDS_LIMIT:
        raise limit_error("The Limit of selected section ids exceeded", f"{path}.section_ids", SECTION_IDS_LIMIT)

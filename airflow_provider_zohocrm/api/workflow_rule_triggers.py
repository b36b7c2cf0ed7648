"""The client's trigger table (Update Workflow Rule) and the checks of an update's ``execute_when`` against it.

The emulator keeps its own table (``testing/emulator/workflow_rule_triggers.py``) rather than trusting
this one; ``tests/emulator/test_trigger_tables_agree.py`` compares the two and lists the differences that
are meant.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.api.workflow_rule_changes import node
from airflow_provider_zohocrm.api.workflow_rule_checks import (
    Node,
    as_list,
    as_object,
    check_unchanged,
    count_criteria_fields,
    fail,
    show,
)

TRIGGER_FIELDS_LIMIT = 5
SECTION_IDS_LIMIT = 10
REPEAT_TRIGGERS = frozenset({"edit", "create_or_edit"})

# Update Workflow Rule's trigger table. ``create``, ``delete`` and ``anyaction`` sit in several categories, so a
# trigger's category is looked up among those its module offers.
TRIGGER_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Record action": ("create", "edit", "create_or_edit", "delete", "field_update", "section_update"),
    "Roll-up summary": ("rollup_summary_update",),
    "Zia recommendation": ("recommendation",),
    "Date and Datetime": ("date_or_datetime",),
    "Scoring rule": ("score_increase", "score_decrease", "score_update"),
    "Calls module": (
        "scheduled_call_field_update",
        "scheduled_call_section_update",
        "scheduled_call_edit",
        "scheduled_call_createedit",
        "outgoing_call_ring",
        "outgoing_call_start",
        "outgoing_call_section_update",
        "outgoing_call_createedit",
        "outgoing_call_field_update",
        "outgoing_call_edit",
        "incoming_call_ring",
        "incoming_call_start",
        "incoming_call_edit",
        "incoming_call_field_update",
        "incoming_call_createedit",
        "incoming_call_section_update",
        "anyaction",
        "delete",
        "missed_call",
    ),
    "Appointments module": (
        "create",
        "reschedule",
        "cancel",
        "reassign",
        "delete",
        "overdue",
        "marked_as_complete",
        "anyaction",
    ),
    "Emails module": (
        "email_received",
        "mail_sent",
        "mail_sent_clicked",
        "mail_sent_replied",
        "mail_sent_opened",
        "mail_sent_bounced",
        "email_received_notreplied",
        "email_received_opened_notreplied",
        "mail_sent_replied_within",
        "mail_sent_opened_notreplied",
        "mail_sent_notreplied",
        "mail_sent_notopened",
    ),
    "Facebook": ("fb_post_on_page", "fb_comment_on_page", "fb_like_on_post", "fb_send_message"),
    "Twitter": ("tw_mention_on", "tw_retweet_on_tweet", "tw_comment_on_tweet", "tw_send_message"),
}
STANDARD_CATEGORIES = ("Record action", "Roll-up summary", "Zia recommendation", "Date and Datetime", "Scoring rule")
MODULE_CATEGORIES = {
    "Calls": ("Calls module",),
    "Appointments__s": ("Appointments module",),
    "Emails": ("Emails module",),
}
KNOWN_TRIGGERS = frozenset(trigger for triggers in TRIGGER_CATEGORIES.values() for trigger in triggers)


def check_trigger(value: Any, current: Node | None, path: str) -> None:
    """An update's ``execute_when``: its type against the table (and ``current``'s category), its details."""
    when = as_object(value, path)
    unknown = sorted(set(when) - {"type", "details"}, key=str)
    if unknown:
        fail(f"{path}.{unknown[0]}", "is not a trigger key", "execute_when holds only type and details")
    if "type" in when:
        _check_trigger_type(when["type"], current, f"{path}.type")
    details = {} if when.get("details") is None else as_object(when["details"], f"{path}.details")
    current_details = node(node(node(current).get("execute_when")).get("details"))
    if details.get("trigger_module") is not None:
        check_unchanged(
            details["trigger_module"],
            current_details.get("trigger_module") if current else None,
            f"{path}.details.trigger_module",
            "the trigger module",
        )
    if details.get("repeat") is not None and not isinstance(details["repeat"], bool):
        fail(f"{path}.details.repeat", f"must be true or false; got {show(details['repeat'])}", "Pass a bool")
    if details.get("criteria") is not None:
        fields = count_criteria_fields(details["criteria"], f"{path}.details.criteria")
        if fields > TRIGGER_FIELDS_LIMIT:
            fail(
                f"{path}.details.criteria",
                f"checks {fields} fields; a trigger may check at most {TRIGGER_FIELDS_LIMIT}",
                "Move the extra fields into a condition's criteria",
                limit=TRIGGER_FIELDS_LIMIT,
            )
    if details.get("section_ids") is not None:
        sections = len(as_list(details["section_ids"], f"{path}.details.section_ids"))
        if sections > SECTION_IDS_LIMIT:
            fail(
                f"{path}.details.section_ids",
                f"lists {sections} sections; the limit is {SECTION_IDS_LIMIT}",
                "Watch at most 10 sections",
                limit=SECTION_IDS_LIMIT,
            )


def _check_trigger_type(value: Any, current: Node | None, path: str) -> None:
    when = node(node(current).get("execute_when"))
    old = when.get("type")
    if old is not None and value == old:
        return  # sending the current type back is no change, even one our table lacks
    if not isinstance(value, str) or value not in KNOWN_TRIGGERS:
        fail(
            path,
            f"{show(value)} is not a trigger type in Update Workflow Rule's trigger table",
            "Use a documented trigger, e.g. create, edit, create_or_edit, field_update, date_or_datetime, score_update",
        )
    if current is None:
        return
    module = (node(node(when.get("details")).get("trigger_module")) or node(current.get("module"))).get("api_name")
    categories = trigger_categories(old, module)
    if categories and not any(value in TRIGGER_CATEGORIES[c] for c in categories):
        same = sorted({t for c in categories for t in TRIGGER_CATEGORIES[c]})
        fail(
            path,
            f"cannot change from {old!r} ({' / '.join(categories)}) to {value!r}: a trigger stays in its category",
            f"Use one of {', '.join(same)}, or create a new rule",
            supported_values=same,
        )


def trigger_categories(trigger: Any, module: Any) -> list[str]:
    """The categories ``trigger`` can belong to for a rule on ``module`` (empty: unknown trigger)."""
    offered = MODULE_CATEGORIES.get(str(module), STANDARD_CATEGORIES)
    found = [category for category in offered if trigger in TRIGGER_CATEGORIES[category]]
    return found or [category for category, triggers in TRIGGER_CATEGORIES.items() if trigger in triggers]

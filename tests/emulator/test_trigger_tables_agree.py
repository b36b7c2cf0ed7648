"""The client's and the emulator's trigger tables (page 002) agree, but for the differences listed here.

Each side keeps its own table on purpose: the emulator must not trust the client's code, or a mistake in
the client's table would pass every test against an emulator that shares it. So that the two cannot drift
apart silently, this test reads both as sets of facts (categories and their triggers, which modules offer
which categories, which triggers take which trigger details, the trigger limits, and which triggers need
``repeat``) and fails on a fact one side has and the other lacks, unless it is listed below with the reason.
A listed difference that has gone away fails too, so the lists stay true.
"""

from __future__ import annotations

from airflow_provider_zohocrm.api import workflow_rule_triggers as client
from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.testing.emulator import workflow_rule_triggers as emulator
from airflow_provider_zohocrm.testing.emulator.errors import ZohoError

Fact = tuple[str, ...]

# The client names categories as page 002 does, the emulator by key: this is the one mapping between them.
CATEGORY_KEYS = {
    "Record action": "record_action",
    "Roll-up summary": "rollup_summary",
    "Zia recommendation": "zia_recommendation",
    "Date and Datetime": "date",
    "Scoring rule": "scoring",
    "Calls module": "calls",
    "Appointments module": "appointments",
    "Emails module": "emails",
    "Facebook": "facebook",
    "Twitter": "twitter",
}
STANDARD = "any other module"  # the modules without categories of their own
PROBE_MODULE = "Leads"  # a module with the standard categories, to ask the emulator about them

# The emulator only checks which trigger a detail key belongs to (Zoho answers DEPENDENT_MISMATCH for a
# misfit); the client checks that only for ``repeat`` and leaves the other keys to the server.
_DETAIL_KEYS_LEFT_TO_THE_SERVER = (
    "The client checks which triggers a detail belongs to only for repeat; the emulator checks every "
    "trigger-specific detail key, as Zoho does."
)

CLIENT_ONLY: dict[Fact, str] = {
    ("offers", STANDARD, "zia_recommendation"): (
        "The emulated org has no Zia, so the emulator offers the Zia recommendation category to no module "
        "(a recommendation trigger is INVALID_DATA there); the client cannot know whether an org has Zia "
        "and lets Zoho decide."
    ),
}
EMULATOR_ONLY: dict[Fact, str] = {
    ("needs repeat", "edit"): (
        "The emulator answers DEPENDENT_FIELD_MISSING when an edit trigger ends up without repeat; the "
        "client does not require it (without the current rule it cannot tell whether a repeat carries over)."
    ),
    ("needs repeat", "create_or_edit"): "As for edit.",
    ("detail of", "criteria", "field_update"): _DETAIL_KEYS_LEFT_TO_THE_SERVER,
    ("detail of", "section_ids", "section_update"): _DETAIL_KEYS_LEFT_TO_THE_SERVER,
    ("detail of", "field", "date_or_datetime"): _DETAIL_KEYS_LEFT_TO_THE_SERVER,
    ("detail of", "execute_at", "date_or_datetime"): _DETAIL_KEYS_LEFT_TO_THE_SERVER,
    ("detail of", "execute_cycle", "date_or_datetime"): _DETAIL_KEYS_LEFT_TO_THE_SERVER,
    ("detail of", "time", "date_or_datetime"): _DETAIL_KEYS_LEFT_TO_THE_SERVER,
}


def _key(label: str) -> str:
    return CATEGORY_KEYS.get(label, f"(client category {label!r} has no key in CATEGORY_KEYS)")


def _client_needs_repeat(trigger: str) -> bool:
    try:
        validate_rule_update({"execute_when": {"type": trigger}})
    except ZohoCRMValidationError as exc:
        if exc.details["json_path"] == "rule.execute_when.details.repeat":
            return True
        raise
    return False


def client_facts() -> set[Fact]:
    facts: set[Fact] = set()
    for label, triggers in client.TRIGGER_CATEGORIES.items():
        facts.add(("category", _key(label)))
        facts |= {("trigger", _key(label), trigger) for trigger in triggers}
    for module, labels in [*client.MODULE_CATEGORIES.items(), (STANDARD, client.STANDARD_CATEGORIES)]:
        facts |= {("offers", module, _key(label)) for label in labels}
    facts |= {("detail of", "repeat", trigger) for trigger in client.REPEAT_TRIGGERS}
    facts |= {("needs repeat", trigger) for trigger in client.KNOWN_TRIGGERS if _client_needs_repeat(trigger)}
    facts.add(("limit", "trigger criteria fields", str(client.TRIGGER_FIELDS_LIMIT)))
    facts.add(("limit", "trigger section ids", str(client.SECTION_IDS_LIMIT)))
    return facts


def _emulator_needs_repeat(trigger: str, module: str) -> bool:
    try:
        emulator.check_trigger({"type": trigger, "details": {}}, module, None)
    except ZohoError as exc:
        if exc.code == "DEPENDENT_FIELD_MISSING" and exc.details["json_path"].endswith(".details.repeat"):
            return True
        raise
    return False


def emulator_facts() -> set[Fact]:
    facts: set[Fact] = set()
    for category, triggers in emulator.TRIGGER_CATEGORIES.items():
        facts.add(("category", category))
        facts |= {("trigger", category, trigger) for trigger in triggers}
    for module, categories in [*emulator.MODULE_CATEGORIES.items(), (STANDARD, emulator.STANDARD_CATEGORIES)]:
        facts |= {("offers", module, category) for category in categories}
    for key, triggers in emulator.TRIGGER_DETAIL_KEYS.items():
        facts |= {("detail of", key, trigger) for trigger in triggers}
    for module in [*emulator.MODULE_CATEGORIES, PROBE_MODULE]:
        offered = emulator.triggers_for(module)
        facts |= {("needs repeat", trigger) for trigger in offered if _emulator_needs_repeat(trigger, module)}
    facts.add(("limit", "trigger criteria fields", str(emulator.TRIGGER_FIELDS_LIMIT)))
    facts.add(("limit", "trigger section ids", str(emulator.SECTION_IDS_LIMIT)))
    return facts


def test_trigger_tables_agree_but_for_the_listed_differences() -> None:
    client_side, emulator_side = client_facts(), emulator_facts()
    found = {"client only": client_side - emulator_side, "emulator only": emulator_side - client_side}
    listed = {"client only": set(CLIENT_ONLY), "emulator only": set(EMULATOR_ONLY)}
    problems = [
        f"{side}: {sorted(found[side] - listed[side])} (new: fix the table that is wrong, or list it with a reason)"
        for side in found
        if found[side] - listed[side]
    ] + [
        f"{side}: {sorted(listed[side] - found[side])} (listed but gone: drop it from the list)"
        for side in found
        if listed[side] - found[side]
    ]
    assert not problems, "the trigger tables differ otherwise than listed:\n" + "\n".join(problems)

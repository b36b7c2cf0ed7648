"""One canonical form for rules and connected workflows, whether read from Zoho or from the files.

Live rules lose what Zoho stamps or decides (:data:`~.files.VOLATILE_KEYS`, :data:`~.files.READ_ONLY_KEYS`,
``lock.locked_by``) and show ``status.active`` as ``active``. Both sides then take the same shapes
where Zoho's pages and its published definitions name one thing two ways: a scheduled delay's
``b_days`` / ``b_hours`` / ``hrs`` (the Update Workflow Rule page) is ``business_days`` /
``business_hours`` / ``hours`` (the definitions, and what Zoho answers), and a condition's
``criteria`` beside ``criteria_details`` (the page's "update criteria" sample) moves into it.
Keys come in a fixed order (:func:`ordered`), so an export is the same bytes for the same state,
and the fingerprint of a live state is a digest of its canonical JSON.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from airflow_provider_zohocrm.api.base import listed_id
from airflow_provider_zohocrm.api.workflow_rule_changes import PERIOD_ALIASES, node
from airflow_provider_zohocrm.api.workflow_rules import rule_id_of
from airflow_provider_zohocrm.as_code.files import READ_ONLY_KEYS, VOLATILE_KEYS

Node = dict[str, Any]

# Keys first in every object, in this order; the others follow alphabetically. Rules read id, name,
# active, description, trigger, conditions, lock; a condition its number, criteria, then actions.
KEY_ORDER = (
    "api_name",
    "id",
    "name",
    "active",
    "type",
    "sequence_number",
    "description",
    "execute_when",
    "execute_after",
    "criteria_details",
    "conditions",
    "instant_actions",
    "scheduled_actions",
    "actions",
)
_RANK = {key: rank for rank, key in enumerate(KEY_ORDER)}


def ordered(value: Any) -> Any:
    """``value`` with every object's keys in the canonical order (lists keep theirs)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (_RANK.get(key, len(_RANK)), str(key)))
        return {key: ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def live_rule(raw: Node) -> Node:
    """A rule as Zoho's GET answers it, in the files' canonical form (what an export writes)."""
    rule = {key: copy.deepcopy(value) for key, value in raw.items() if key not in VOLATILE_KEYS | READ_ONLY_KEYS}
    rule["id"] = rule_id_of(raw, "a workflow rule")
    rule["active"] = node(raw.get("status")).get("active") is True
    if isinstance(rule.get("lock"), dict):
        rule["lock"] = {key: value for key, value in rule["lock"].items() if key != "locked_by"}
    return ordered(shaped(rule))


def file_rule(rule: Node) -> Node:
    """A rule as a file gives it (already checked), in the canonical form."""
    return ordered(shaped(copy.deepcopy(rule)))


def shaped(rule: Node) -> Node:
    """``rule`` (changed in place) with the one shape of the names Zoho's pages and definitions differ on."""
    for condition in rule.get("conditions") or []:
        if not isinstance(condition, dict):
            continue
        if "criteria" in condition:  # the page's "update criteria" sample: criteria beside criteria_details
            criteria = condition.pop("criteria")
            details = condition.get("criteria_details")
            condition["criteria_details"] = {**(details if isinstance(details, dict) else {}), "criteria": criteria}
        for group in condition.get("scheduled_actions") or []:
            after = group.get("execute_after") if isinstance(group, dict) else None
            if isinstance(after, dict) and after.get("period") in PERIOD_ALIASES:
                after["period"] = PERIOD_ALIASES[after["period"]]
    return rule


def live_workflow(raw: Node) -> Node:
    """A connected workflow as Zoho lists it, in the files' form."""
    module = raw.get("primary_module")
    return {
        "id": listed_id(raw, "connected_workflows", "a connected workflow"),
        "name": raw.get("name"),
        "primary_module": module.get("api_name") if isinstance(module, dict) else module,
        "status": raw.get("status"),
        "description": raw.get("description"),
    }


def canonical_json(value: Any) -> str:
    """The one JSON text of ``value``: sorted keys, no spaces, unicode kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(rules: dict[str, list[Node]], workflows: list[Node]) -> str:
    """The digest of a live state: each module's canonical rules in execution order, and the workflows."""
    state = {"workflow_rules": rules, "connected_workflows": workflows}
    return hashlib.sha256(canonical_json(state).encode("utf-8")).hexdigest()

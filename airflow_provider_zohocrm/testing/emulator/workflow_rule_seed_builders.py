"""The users and the building blocks the seed workflow rules are written with (``RuleSpec`` and its parts).

Seed rules are declared compactly as ``RuleSpec``s from these builders; ``workflow_rules_seed`` turns each
into a rule in get-one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Node = dict[str, Any]

API_USER: Node = {"name": "Patricia Boyle", "id": "4876876000000327001"}
"""The user the OAuth token belongs to: every API write is made as this user."""
OTHER_USER: Node = {"name": "Ravi Kumar", "id": "4876876000000327015"}
"""Someone working in the CRM UI; control-API edits are made as this user."""


@dataclass(frozen=True)
class RuleSpec:
    """One seed rule: what differs from rule to rule (``modified`` defaults to ``created``)."""

    module: str
    rule_id: str
    name: str
    description: str | None
    trigger: str
    conditions: list[Node]
    details: Node = field(default_factory=dict)
    active: bool = True
    created: str = "2025-03-03T09:00:00+00:00"
    modified: str | None = None
    last_executed: str | None = None
    created_by: Node = field(default_factory=lambda: API_USER)
    lock_message: str | None = None
    pending: int = 0


def leaf(api_name: str, field_id: str, comparator: str, value: Any) -> Node:
    return {"comparator": comparator, "field": {"api_name": api_name, "id": field_id}, "type": "value", "value": value}


def cond(
    cond_id: str, sequence: int, criteria: Node | None, instant: list[Node], scheduled: list[Node] | None = None
) -> Node:
    node: Node = {
        "id": cond_id,
        "sequence_number": sequence,
        "criteria_details": {
            "criteria": criteria,
            "relational_criteria": {"module_selection": None, "criteria": None, "module": None},
        },
        "scheduled_actions": scheduled,
    }
    if instant:
        node["instant_actions"] = {"actions": instant}
    return node


def assoc(action_type: str, action_id: str, name: str) -> Node:
    return {"id": action_id, "name": name, "type": action_type, "related_details": None}


def inline(action_type: str, action_id: str, name: str, details: Node) -> Node:
    return {"id": action_id, "name": name, "type": action_type, "details": details}


def later(group_id: str, period: str, unit: int, *actions: Node) -> Node:
    return {"id": group_id, "execute_after": {"period": period, "unit": unit}, "actions": list(actions)}


def tags(module: Node, *tags: tuple[str, str, str]) -> Node:
    return {
        "module": module,
        "over_write": False,
        "tags": [{"name": name, "id": tag_id, "color_code": color} for name, tag_id, color in tags],
    }


def assign(module: Node, user: Node) -> Node:
    return {
        "module": module,
        "assign_to": [{"resource": {**user, "type": "user"}, "details": None, "type": "user"}],
        "notify": True,
        "apply_assignment_threshold": False,
        "related_records": None,
        "user_availability_based_on": None,
    }


def on_date(field_api_name: str, field_id: str, days: int, time: str) -> Node:
    """The details of a ``date_or_datetime`` trigger that fires once, ``days`` from the field's date."""
    return {
        "field": {"api_name": field_api_name, "id": field_id},
        "execute_at": {"period": "days", "unit": days},
        "execute_cycle": "once",
        "time": time,
    }

"""Exported workflow rules (as the automation files hold them) turned into rules to create, for the as-code tests."""

from __future__ import annotations

import copy
from typing import Any

# Action types that name a configured template by its id (Create Workflow Rule's associate actions):
# a copy of a rule keeps these ids, and a sandbox shares them with its production org.
ASSOCIATE = frozenset({"field_updates", "email_notifications", "tasks", "webhooks", "functions"})


def as_new(rule: dict[str, Any], name: str) -> dict[str, Any]:
    """A copy of an exported rule as a rule to create: no id anywhere but on associate actions."""
    new = copy.deepcopy(rule)
    new.pop("id")
    new["name"] = name
    for condition in new["conditions"]:
        condition.pop("id")
        actions = list((condition.get("instant_actions") or {}).get("actions") or [])
        for group in condition.get("scheduled_actions") or []:
            group.pop("id")
            actions += group["actions"]
        for action in actions:
            if action["type"] not in ASSOCIATE:
                action.pop("id")
    return new

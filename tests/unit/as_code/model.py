"""Rules and connected workflows shaped as Zoho's GET answers them, for the pure as-code tests."""

from __future__ import annotations

import copy
from typing import Any

LEADS = {"api_name": "Leads", "id": "4876876000000002175"}
USER = {"name": "Patricia Boyle", "id": "4876876000000327001"}


def condition(cond_id: str, number: int, value: str, *, scheduled: bool = False) -> dict[str, Any]:
    """A condition with an associate instant action and, with ``scheduled``, a group delayed 3 business days."""
    return {
        "id": cond_id,
        "sequence_number": number,
        "criteria_details": {
            "criteria": {
                "comparator": "equal",
                "field": {"api_name": "Lead_Source", "id": "4876876000000002611"},
                "type": "value",
                "value": value,
            },
            "relational_criteria": {"module_selection": None, "criteria": None, "module": None},
        },
        "scheduled_actions": [
            {
                "id": f"{cond_id[:-1]}9",
                "execute_after": {"period": "business_days", "unit": 3},
                "actions": [
                    {"id": "4876876000000329701", "name": "Follow up", "type": "tasks", "related_details": None}
                ],
            }
        ]
        if scheduled
        else None,
        "instant_actions": {
            "actions": [
                {
                    "id": "4876876000000329001",
                    "name": "Notify lead owner",
                    "type": "email_notifications",
                    "related_details": None,
                },
                {
                    "id": f"{cond_id[:-1]}7",
                    "name": "Trade Show",
                    "type": "add_tags",
                    "details": {
                        "module": dict(LEADS),
                        "over_write": False,
                        "tags": [{"name": "Trade Show", "id": "4876876000002526101", "color_code": "#63C57E"}],
                    },
                },
            ]
        },
    }


def raw_rule(
    rule_id: str, name: str, *, active: bool = True, conditions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A full rule as ``GET settings/automation/workflow_rules/{id}`` answers it."""
    return {
        "id": rule_id,
        "name": name,
        "description": f"About {name}",
        "module": dict(LEADS),
        "execute_when": {"type": "create_or_edit", "details": {"trigger_module": dict(LEADS), "repeat": False}},
        "status": {"active": active},
        "created_time": "2025-01-27T14:05:00+00:00",
        "modified_time": "2025-05-19T16:40:02+00:00",
        "created_by": dict(USER),
        "modified_by": dict(USER),
        "last_executed_time": "2025-05-19T16:00:00+00:00",
        "editable": True,
        "deletable": True,
        "source": "crm",
        "lock": {"status": False, "locked_by": None, "message": None},
        "deprecated": False,
        "category": "default",
        "conditions": copy.deepcopy(conditions)
        if conditions is not None
        else [condition(f"{rule_id[:-1]}8", 1, name, scheduled=True)],
    }


def raw_workflow(workflow_id: str, name: str, module: str, status: str) -> dict[str, Any]:
    return {
        "id": workflow_id,
        "name": name,
        "description": f"About {name}",
        "status": status,
        "sequence_number": 1,
        "created_time": "2025-10-30T10:23:20+05:30",
        "modified_time": "2025-10-30T10:23:20+05:30",
        "created_by": dict(USER),
        "modified_by": dict(USER),
        "primary_module": {"api_name": module, "id": "4876876000000002175"},
        "involved_modules": [{"api_name": module, "id": "4876876000000002175"}],
    }


RULE_A = "4876876000010880001"
RULE_B = "4876876000011037080"
RULE_C = "4876876000011150005"
WORKFLOW = "4876876000019209007"


def leads() -> list[dict[str, Any]]:
    """Three Leads rules in execution order; C is inactive."""
    return [
        raw_rule(RULE_A, "Assign web leads"),
        raw_rule(RULE_B, "Tag trade-show leads"),
        raw_rule(RULE_C, "Nurture cold leads", active=False),
    ]

"""Workflow rules in Zoho's get-one shape and the update bodies page 002 shows, as fresh copies."""

from __future__ import annotations

from typing import Any

LEADS = {"api_name": "Leads", "id": "4876876000000002175"}
RULE_ID = "4876876000015014033"
FIRST_CONDITION = "4876876000015014036"
SECOND_CONDITION = "4876876000015013021"


def leaf(api_name: str, value: Any = "x") -> dict[str, Any]:
    return {
        "comparator": "equal",
        "field": {"api_name": api_name, "id": "4876876000000002617"},
        "type": "value",
        "value": value,
    }


def group(*children: dict[str, Any], operator: str = "AND") -> dict[str, Any]:
    return {"group_operator": operator, "group": list(children)}


def condition(cond_id: str, number: int, criteria: Any, *, scheduled: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": cond_id,
        "sequence_number": number,
        "criteria_details": {
            "criteria": criteria,
            "relational_criteria": {"module_selection": None, "criteria": None, "module": None},
        },
        "instant_actions": {
            "actions": [{"id": "4876876000000329703", "name": "Call", "type": "tasks", "related_details": None}]
        },
        "scheduled_actions": scheduled,
    }


def rule(
    *,
    rule_id: str = RULE_ID,
    trigger: str = "create_or_edit",
    details: dict[str, Any] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    module: dict[str, str] = LEADS,
    active: bool = True,
) -> dict[str, Any]:
    """A rule as GET …/workflow_rules/{id} returns it (two plain conditions by default)."""
    if conditions is None:
        conditions = [
            condition(FIRST_CONDITION, 1, leaf("Annual_Revenue", "1000000")),
            condition(SECOND_CONDITION, 2, leaf("Industry", "Government")),
        ]
    trigger_details = {"trigger_module": dict(module), "repeat": False} if details is None else details
    return {
        "id": rule_id,
        "name": "Escalate high-value leads",
        "description": None,
        "module": dict(module),
        "execute_when": {"type": trigger, "details": trigger_details},
        "status": {"active": active},
        "lock": {"status": False, "locked_by": None, "message": None},
        "conditions": conditions,
    }


def scheduled_group(group_id: str | None = "4876876000011150015", period: str = "b_days", unit: Any = 3) -> dict:
    entry: dict[str, Any] = {
        "execute_after": {"period": period, "unit": unit},
        "actions": [{"id": "4876876000000329701", "type": "tasks"}],
    }
    if group_id is not None:
        entry["id"] = group_id
    return entry


def new_condition(number: Any, criteria: Any = None, **extra: Any) -> dict[str, Any]:
    """A condition to add (no id) with one instant action."""
    return {
        "sequence_number": number,
        "criteria_details": {"criteria": criteria if criteria is not None else leaf("Lead_Source", number)},
        "instant_actions": {"actions": [{"id": "4876876000000329765", "type": "tasks"}]},
        **extra,
    }


# Page 002's samples, verbatim apart from layout.
DOC_UPDATE_NAME_AND_TRIGGER = {
    "execute_when": {"details": {"repeat": True}, "type": "edit"},
    "name": "Updated Rule Name",
}
DOC_ADD_AND_REMOVE_ACTIONS = {
    "conditions": [
        {
            "id": "4876876000015005002",
            "instant_actions": {
                "actions": [
                    {
                        "details": {
                            "tags": [
                                {"name": "TagB", "id": "4876876000002526117", "color_code": ""},
                                {"name": "Active", "id": "4876876000001143001", "color_code": "#F17574"},
                            ]
                        },
                        "id": "4876876000015005009",
                        "type": "add_tags",
                        "_delete": None,
                    },
                    {"id": "4876876000000329765", "type": "tasks"},
                ]
            },
        }
    ]
}
DOC_ADD_AND_REMOVE_CONDITIONS = {
    "id": "4876876000015014033",
    "conditions": [
        {"id": "4876876000015014036", "_delete": None},
        {
            "sequence_number": 1,
            "instant_actions": {
                "actions": [
                    {
                        "related_details": None,
                        "details": {
                            "apply_assignment_threshold": True,
                            "assign_to": [
                                {
                                    "resource": {"name": "Patricia Boyle", "id": "4876876000000327001", "type": "user"},
                                    "details": None,
                                    "type": "user",
                                }
                            ],
                            "module": {"api_name": "Leads", "id": "4876876000000002175"},
                            "related_records": None,
                            "user_availability_based_on": None,
                            "notify": False,
                        },
                        "type": "assign_owner",
                    },
                    {
                        "details": {
                            "module": {"api_name": "Leads", "id": "4876876000000002175"},
                            "over_write": False,
                            "tags": [
                                {"name": "P1", "id": "4876876000011037076", "color_code": "#F17574"},
                                {"name": "Active", "id": "4876876000001143001", "color_code": "#F17574"},
                            ],
                        },
                        "type": "add_tags",
                    },
                ]
            },
            "scheduled_actions": None,
            "criteria_details": {
                "relational_criteria": {"module_selection": None, "criteria": None, "module": None},
                "criteria": {
                    "comparator": "greater_than",
                    "field": {"api_name": "Annual_Revenue", "id": "4876876000000002617"},
                    "type": "value",
                    "value": "999999999999999",
                },
            },
        },
    ],
}
DOC_UPDATE_CRITERIA = {
    "id": "4876876000015014033",
    "conditions": [
        {
            "id": "4876876000015013021",
            "criteria": {
                "group_operator": "AND",
                "group": [
                    {
                        "comparator": "greater_than",
                        "field": {"api_name": "Annual_Revenue", "id": "4876876000000002617"},
                        "type": "value",
                        "value": "999999999999999",
                    },
                    {
                        "comparator": "contains",
                        "field": {"api_name": "Company", "id": "4876876000000002591"},
                        "type": "value",
                        "value": "Zylker",
                    },
                ],
            },
        }
    ],
}
DOC_ACTIVATE = {"id": "4876876000011150005", "status": {"active": True}}

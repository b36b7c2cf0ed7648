"""Seed workflow rules: a realistic, deterministic org that also contains every id the Zoho doc samples use.

Ids the 002/003 samples reference exist here so those samples run unchanged: rule 4876876000011150005
(inactive, activation sample; reorder target 1), 4876876000011037080 (reorder target 7, so Leads has eight
rules), 4876876000015014033 with conditions ...014036 and ...013021 (add/remove conditions, update
criteria), and condition 4876876000015005002 with add_tags action ...005009 (add/remove actions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Node = dict[str, Any]

API_USER: Node = {"name": "Patricia Boyle", "id": "4876876000000327001"}
"""The user the OAuth token belongs to: every API write is made as this user."""
OTHER_USER: Node = {"name": "Ravi Kumar", "id": "4876876000000327015"}
"""Someone working in the CRM UI; control-API edits are made as this user."""

FIRST_NEW_ID = 4876876000016000001
"""New ids count up from here, above every seeded id."""


@dataclass(frozen=True)
class SeedRule:
    """One seeded rule in get-one shape plus how many scheduled-action records it has queued."""

    rule: Node
    pending_scheduled_records: int


@dataclass(frozen=True)
class _Spec:
    module: str
    rule_id: str
    name: str
    description: str | None
    trigger: str
    conditions: list[Node]
    details: Node = field(default_factory=dict)
    active: bool = True
    created: str = "2025-03-03T09:00:00+00:00"
    modified: str = "2025-03-03T09:00:00+00:00"
    last_executed: str | None = None
    created_by: Node = field(default_factory=lambda: API_USER)
    lock_message: str | None = None
    pending: int = 0


def _leaf(api_name: str, field_id: str, comparator: str, value: Any) -> Node:
    return {"comparator": comparator, "field": {"api_name": api_name, "id": field_id}, "type": "value", "value": value}


def _cond(
    cond_id: str, sequence: int, criteria: Node | None, instant: list[Node], scheduled: list[Node] | None = None
) -> Node:
    return {
        "id": cond_id,
        "sequence_number": sequence,
        "criteria_details": {
            "criteria": criteria,
            "relational_criteria": {"module_selection": None, "criteria": None, "module": None},
        },
        "instant_actions": {"actions": instant} if instant else None,
        "scheduled_actions": scheduled,
    }


def _assoc(action_type: str, action_id: str, name: str) -> Node:
    return {"id": action_id, "name": name, "type": action_type, "related_details": None}


def _inline(action_type: str, action_id: str, name: str, details: Node) -> Node:
    return {"id": action_id, "name": name, "type": action_type, "details": details}


def _later(group_id: str, period: str, unit: int, *actions: Node) -> Node:
    return {"id": group_id, "execute_after": {"period": period, "unit": unit}, "actions": list(actions)}


def _tags(module: Node, *tags: tuple[str, str, str]) -> Node:
    return {
        "module": module,
        "over_write": False,
        "tags": [{"name": name, "id": tag_id, "color_code": color} for name, tag_id, color in tags],
    }


def _assign(module: Node, user: Node) -> Node:
    return {
        "module": module,
        "assign_to": [{"resource": {**user, "type": "user"}, "details": None, "type": "user"}],
        "notify": True,
        "apply_assignment_threshold": False,
        "related_records": None,
        "user_availability_based_on": None,
    }


def _leads(ref: Callable[[str], Node]) -> list[_Spec]:
    leads = ref("Leads")
    return [
        _Spec(
            "Leads",
            "4876876000010880001",
            "Assign web leads to inside sales",
            "Route every lead captured by the website form to the inside-sales queue.",
            "create",
            [
                _cond(
                    "4876876000010880003",
                    1,
                    _leaf("Lead_Source", "4876876000000002611", "equal", "Web Site"),
                    [
                        _inline(
                            "assign_owner", "4876876000010880011", "To users : Patricia Boyle", _assign(leads, API_USER)
                        ),
                        _assoc("email_notifications", "4876876000000329001", "Notify lead owner"),
                    ],
                )
            ],
            created="2025-01-13T08:30:00+00:00",
            modified="2025-02-02T10:12:44+00:00",
            last_executed="2025-06-30T17:45:09+00:00",
        ),
        _Spec(
            "Leads",
            "4876876000011037080",
            "Tag trade-show leads",
            None,
            "create",
            [
                _cond(
                    "4876876000011037083",
                    1,
                    _leaf("Lead_Source", "4876876000000002611", "equal", "Trade Show"),
                    [
                        _inline(
                            "add_tags",
                            "4876876000011037091",
                            "Trade Show",
                            _tags(leads, ("Trade Show", "4876876000002526101", "#63C57E")),
                        )
                    ],
                )
            ],
            created="2025-01-20T11:00:00+00:00",
            modified="2025-01-20T11:00:00+00:00",
            last_executed="2025-06-28T09:01:13+00:00",
            created_by=OTHER_USER,
        ),
        _Spec(
            "Leads",
            "4876876000011150005",
            "Nurture cold leads",
            "Park cold leads and remind the owner to follow up three business days later.",
            "create_or_edit",
            [
                _cond(
                    "4876876000011150008",
                    1,
                    _leaf("Rating", "4876876000000002619", "equal", "Cold"),
                    [_assoc("field_updates", "4876876000000330101", "Set status to Contact in Future")],
                    [
                        _later(
                            "4876876000011150015",
                            "b_days",
                            3,
                            _assoc("tasks", "4876876000000329701", "Follow up cold lead"),
                        )
                    ],
                )
            ],
            details={"repeat": False},
            active=False,
            created="2025-01-27T14:05:00+00:00",
            modified="2025-05-19T16:40:02+00:00",
            last_executed="2025-05-19T16:00:00+00:00",
            pending=4,
        ),
        _Spec(
            "Leads",
            "4876876000015014033",
            "Escalate high-value leads",
            "Large prospects get a tag and an alert; government leads get a call within a day.",
            "create_or_edit",
            [
                _cond(
                    "4876876000015014036",
                    1,
                    _leaf("Annual_Revenue", "4876876000000002617", "greater_than", "1000000"),
                    [
                        _inline(
                            "add_tags",
                            "4876876000015014041",
                            "High Value",
                            _tags(leads, ("High Value", "4876876000011037076", "#F17574")),
                        ),
                        _assoc("email_notifications", "4876876000000329005", "High-value lead alert"),
                    ],
                ),
                _cond(
                    "4876876000015013021",
                    2,
                    _leaf("Industry", "4876876000000002615", "equal", "Government/Military"),
                    [_assoc("tasks", "4876876000000329703", "Call within 24 hours")],
                ),
            ],
            details={"repeat": False},
            created="2025-02-10T09:20:00+00:00",
            modified="2025-04-01T12:00:00+00:00",
            last_executed="2025-07-01T08:15:27+00:00",
        ),
        _Spec(
            "Leads",
            "4876876000012204017",
            "Score hot leads",
            None,
            "score_increase",
            [_cond("4876876000012204019", 1, None, [_assoc("field_updates", "4876876000000330103", "Rating to Hot")])],
            created="2025-02-18T10:00:00+00:00",
            modified="2025-02-18T10:00:00+00:00",
        ),
        _Spec(
            "Leads",
            "4876876000012204101",
            "Lead status change alert",
            "Push status changes to the marketing automation platform.",
            "field_update",
            [
                _cond(
                    "4876876000012204103",
                    1,
                    _leaf("Lead_Status", "4876876000000002613", "equal", "Contacted"),
                    [_assoc("webhooks", "4876876000000331001", "Sync to marketing automation")],
                )
            ],
            details={"criteria": _leaf("Lead_Status", "4876876000000002613", "not_equal", "${EMPTY}")},
            created="2025-03-04T15:30:00+00:00",
            modified="2025-03-04T15:30:00+00:00",
            last_executed="2025-06-29T13:37:00+00:00",
        ),
        _Spec(
            "Leads",
            "4876876000013310021",
            "Convert qualified leads",
            "Convert pre-qualified leads into contacts; the mapping is owned by RevOps.",
            "edit",
            [
                _cond(
                    "4876876000013310023",
                    1,
                    _leaf("Lead_Status", "4876876000000002613", "equal", "Pre-Qualified"),
                    [
                        _inline(
                            "convert",
                            "4876876000013310031",
                            "Convert lead",
                            {"module": leads, "create_deal": False, "add_to_existing_contact": True},
                        )
                    ],
                )
            ],
            details={"repeat": False},
            created="2025-03-11T08:00:00+00:00",
            modified="2025-04-22T09:30:00+00:00",
            created_by=OTHER_USER,
            lock_message="Conversion mapping under RevOps audit",
        ),
        _Spec(
            "Leads",
            "4876876000013310077",
            "Notice for deleted leads",
            None,
            "delete",
            [
                _cond(
                    "4876876000013310079",
                    1,
                    None,
                    [_assoc("email_notifications", "4876876000000329003", "Lead deleted notice")],
                )
            ],
            active=False,
            created="2025-03-18T16:45:00+00:00",
            modified="2025-03-25T10:00:00+00:00",
        ),
    ]


def _contacts(ref: Callable[[str], Node]) -> list[_Spec]:
    contacts = ref("Contacts")
    return [
        _Spec(
            "Contacts",
            "4876876000015005001",
            "Welcome new contacts",
            "Tag new contacts and send the welcome email.",
            "create",
            [
                _cond(
                    "4876876000015005002",
                    1,
                    _leaf("Email", "4876876000000002751", "not_equal", "${EMPTY}"),
                    [
                        _inline(
                            "add_tags",
                            "4876876000015005009",
                            "TagB, Active",
                            _tags(
                                contacts,
                                ("TagB", "4876876000002526117", ""),
                                ("Active", "4876876000001143001", "#F17574"),
                            ),
                        ),
                        _assoc("email_notifications", "4876876000000329011", "Welcome email"),
                    ],
                )
            ],
            created="2025-01-15T09:00:00+00:00",
            modified="2025-03-02T11:11:11+00:00",
            last_executed="2025-07-01T07:59:42+00:00",
        ),
        _Spec(
            "Contacts",
            "4876876000012900011",
            "Re-engage dormant contacts",
            None,
            "date_or_datetime",
            [_cond("4876876000012900013", 1, None, [_assoc("tasks", "4876876000000329711", "Re-engagement call")])],
            details={
                "field": {"api_name": "Last_Activity_Time", "id": "4876876000000002779"},
                "execute_at": {"period": "days", "unit": 90},
                "execute_cycle": "once",
                "time": "09:00",
            },
            active=False,
            created="2025-02-03T13:00:00+00:00",
            modified="2025-02-03T13:00:00+00:00",
        ),
        _Spec(
            "Contacts",
            "4876876000012900047",
            "Sync VIP contacts",
            None,
            "edit",
            [
                _cond(
                    "4876876000012900049",
                    1,
                    _leaf("Tier", "4876876000000002771", "equal", "VIP"),
                    [_assoc("webhooks", "4876876000000331011", "Sync VIP contacts to loyalty")],
                )
            ],
            details={"repeat": True},
            created="2025-02-24T10:30:00+00:00",
            modified="2025-02-24T10:30:00+00:00",
            last_executed="2025-06-30T22:10:05+00:00",
        ),
        _Spec(
            "Contacts",
            "4876876000012900093",
            "Contact deleted audit",
            None,
            "delete",
            [
                _cond(
                    "4876876000012900095",
                    1,
                    None,
                    [_assoc("functions", "4876876000000332011", "Archive contact to data lake")],
                )
            ],
            created="2025-03-06T12:00:00+00:00",
            modified="2025-03-06T12:00:00+00:00",
        ),
    ]


def _deals(ref: Callable[[str], Node]) -> list[_Spec]:
    deals = ref("Deals")
    return [
        _Spec(
            "Deals",
            "4876876000014400003",
            "Closing date reminder",
            None,
            "date_or_datetime",
            [
                _cond(
                    "4876876000014400005",
                    1,
                    _leaf("Stage", "4876876000000002841", "not_equal", "Closed Won"),
                    [_assoc("email_notifications", "4876876000000329021", "Deal closing soon")],
                )
            ],
            details={
                "field": {"api_name": "Closing_Date", "id": "4876876000000002839"},
                "execute_at": {"period": "days", "unit": -3},
                "execute_cycle": "once",
                "time": "08:00",
            },
            created="2025-01-22T08:00:00+00:00",
            modified="2025-01-22T08:00:00+00:00",
            last_executed="2025-07-01T08:00:00+00:00",
        ),
        _Spec(
            "Deals",
            "4876876000014400019",
            "Won deal handoff",
            "Hand won deals to customer success and introduce the CSM two hours later.",
            "field_update",
            [
                _cond(
                    "4876876000014400021",
                    1,
                    _leaf("Stage", "4876876000000002841", "equal", "Closed Won"),
                    [_assoc("tasks", "4876876000000329721", "Kick-off onboarding")],
                    [
                        _later(
                            "4876876000014400029",
                            "hrs",
                            2,
                            _assoc("email_notifications", "4876876000000329023", "Customer success intro"),
                        )
                    ],
                )
            ],
            details={"criteria": _leaf("Stage", "4876876000000002841", "equal", "Closed Won")},
            created="2025-02-05T09:45:00+00:00",
            modified="2025-04-14T14:14:14+00:00",
            last_executed="2025-06-27T15:20:00+00:00",
            pending=2,
        ),
        _Spec(
            "Deals",
            "4876876000014400041",
            "Large deal approval",
            None,
            "create_or_edit",
            [
                _cond(
                    "4876876000014400043",
                    1,
                    _leaf("Amount", "4876876000000002837", "greater_than", "100000"),
                    [
                        _inline(
                            "assign_owner", "4876876000014400051", "To users : Ravi Kumar", _assign(deals, OTHER_USER)
                        )
                    ],
                ),
                _cond(
                    "4876876000014400045",
                    2,
                    _leaf("Amount", "4876876000000002837", "greater_than", "50000"),
                    [_assoc("field_updates", "4876876000000330121", "Approval required")],
                ),
            ],
            details={"repeat": False},
            created="2025-02-26T11:00:00+00:00",
            modified="2025-02-26T11:00:00+00:00",
        ),
        _Spec(
            "Deals",
            "4876876000014400077",
            "Stalled deal nudge",
            None,
            "edit",
            [
                _cond(
                    "4876876000014400079",
                    1,
                    _leaf("Stage", "4876876000000002841", "equal", "Negotiation/Review"),
                    [
                        _inline(
                            "add_tags",
                            "4876876000014400085",
                            "Stalled",
                            _tags(deals, ("Stalled", "4876876000002526131", "#F8B250")),
                        )
                    ],
                )
            ],
            details={"repeat": True},
            active=False,
            created="2025-03-12T10:00:00+00:00",
            modified="2025-03-20T10:00:00+00:00",
            created_by=OTHER_USER,
        ),
    ]


def _others(ref: Callable[[str], Node]) -> list[_Spec]:
    return [
        _Spec(
            "Accounts",
            "4876876000014600007",
            "Flag key accounts",
            None,
            "rollup_summary_update",
            [
                _cond(
                    "4876876000014600009",
                    1,
                    _leaf("Annual_Revenue", "4876876000000002701", "greater_than", "5000000"),
                    [_assoc("field_updates", "4876876000000330151", "Flag key account")],
                )
            ],
            created="2025-02-12T12:00:00+00:00",
            modified="2025-02-12T12:00:00+00:00",
        ),
        _Spec(
            "Vendors",
            "4876876000014800005",
            "New vendor onboarding",
            None,
            "create",
            [
                _cond(
                    "4876876000014800007",
                    1,
                    None,
                    [
                        _assoc("tasks", "4876876000000329731", "Collect W-9"),
                        _assoc("email_notifications", "4876876000000329031", "Vendor welcome"),
                    ],
                )
            ],
            created="2025-01-30T09:00:00+00:00",
            modified="2025-01-30T09:00:00+00:00",
            last_executed="2025-06-18T10:03:00+00:00",
        ),
        _Spec(
            "Vendors",
            "4876876000014800033",
            "Vendor details changed",
            None,
            "section_update",
            [_cond("4876876000014800035", 1, None, [_assoc("webhooks", "4876876000000331031", "Push vendor to ERP")])],
            details={"section_ids": ["4876876000000091055"]},
            created="2025-02-20T15:00:00+00:00",
            modified="2025-02-20T15:00:00+00:00",
        ),
        _Spec(
            "Projects",
            "4876876000015600003",
            "Kick-off new projects",
            None,
            "create",
            [
                _cond(
                    "4876876000015600005",
                    1,
                    _leaf("Status", "4876876000009901021", "equal", "Planned"),
                    [_assoc("tasks", "4876876000000329741", "Schedule kick-off")],
                    [
                        _later(
                            "4876876000015600013",
                            "b_hours",
                            4,
                            _assoc("email_notifications", "4876876000000329041", "Kick-off reminder"),
                        )
                    ],
                )
            ],
            created="2025-03-01T09:00:00+00:00",
            modified="2025-03-01T09:00:00+00:00",
            last_executed="2025-06-30T09:00:00+00:00",
            pending=1,
        ),
        _Spec(
            "Projects",
            "4876876000015600031",
            "Flag over-budget projects",
            None,
            "field_update",
            [
                _cond(
                    "4876876000015600033",
                    1,
                    _leaf("Budget_Spent", "4876876000009901027", "greater_than", "50000"),
                    [
                        _assoc("field_updates", "4876876000000330141", "Health to Red"),
                        _assoc("functions", "4876876000000332041", "Notify finance channel"),
                    ],
                )
            ],
            details={"criteria": _leaf("Budget_Spent", "4876876000009901027", "not_equal", "${EMPTY}")},
            created="2025-03-08T10:00:00+00:00",
            modified="2025-03-08T10:00:00+00:00",
        ),
        _Spec(
            "Projects",
            "4876876000015600057",
            "Project due date alert",
            None,
            "date_or_datetime",
            [
                _cond(
                    "4876876000015600059",
                    1,
                    _leaf("Status", "4876876000009901021", "not_equal", "Completed"),
                    [_assoc("email_notifications", "4876876000000329043", "Project due soon")],
                )
            ],
            details={
                "field": {"api_name": "Due_Date", "id": "4876876000009901031"},
                "execute_at": {"period": "days", "unit": -1},
                "execute_cycle": "once",
                "time": "07:30",
            },
            active=False,
            created="2025-03-15T10:00:00+00:00",
            modified="2025-03-15T10:00:00+00:00",
        ),
    ]


def _build(spec: _Spec, module: Node) -> SeedRule:
    locked = spec.lock_message is not None
    rule = {
        "id": spec.rule_id,
        "name": spec.name,
        "description": spec.description,
        "module": dict(module),
        "execute_when": {"type": spec.trigger, "details": {"trigger_module": dict(module), **spec.details}},
        "status": {"active": spec.active},
        "created_time": spec.created,
        "modified_time": spec.modified,
        "created_by": dict(spec.created_by),
        "modified_by": dict(spec.created_by),
        "last_executed_time": spec.last_executed,
        "editable": True,
        "deletable": not locked,
        "source": "crm",
        "lock": {"status": locked, "locked_by": dict(OTHER_USER) if locked else None, "message": spec.lock_message},
        "deprecated": False,
        "category": "default",
        "conditions": spec.conditions,
    }
    return SeedRule(rule, spec.pending)


def seed_rules(modules: Mapping[str, Node]) -> list[SeedRule]:
    """The seed rules of the modules present, each module's rules in execution order.

    ``modules`` maps api_name to ``{"api_name", "id"}``; rules of absent modules are left out.
    """

    def ref(api_name: str) -> Node:
        return dict(modules.get(api_name, {"api_name": api_name, "id": None}))

    specs = [*_leads(ref), *_contacts(ref), *_deals(ref), *_others(ref)]
    return [_build(spec, modules[spec.module]) for spec in specs if spec.module in modules]

"""The seeded rules of Contacts, Deals, Accounts, Vendors and Projects, each module's in execution order.

Contacts holds the ids of the add/remove-actions sample (listed in ``workflow_rules_seed``).
"""

from __future__ import annotations

from collections.abc import Callable

from airflow_provider_zohocrm.testing.emulator.workflow_rule_seed_builders import (
    OTHER_USER,
    Node,
    RuleSpec,
    assign,
    assoc,
    cond,
    inline,
    later,
    leaf,
    on_date,
    tags,
)


def contacts_rules(ref: Callable[[str], Node]) -> list[RuleSpec]:
    contacts = ref("Contacts")
    return [
        RuleSpec(
            "Contacts",
            "4876876000015005001",
            "Welcome new contacts",
            "Tag new contacts and send the welcome email.",
            "create",
            [
                cond(
                    "4876876000015005002",
                    1,
                    leaf("Email", "4876876000000002751", "not_equal", "${EMPTY}"),
                    [
                        inline(
                            "add_tags",
                            "4876876000015005009",
                            "TagB, Active",
                            tags(
                                contacts,
                                ("TagB", "4876876000002526117", ""),
                                ("Active", "4876876000001143001", "#F17574"),
                            ),
                        ),
                        assoc("email_notifications", "4876876000000329011", "Welcome email"),
                    ],
                )
            ],
            created="2025-01-15T09:00:00+00:00",
            modified="2025-03-02T11:11:11+00:00",
            last_executed="2025-07-01T07:59:42+00:00",
        ),
        RuleSpec(
            "Contacts",
            "4876876000012900011",
            "Re-engage dormant contacts",
            None,
            "date_or_datetime",
            [cond("4876876000012900013", 1, None, [assoc("tasks", "4876876000000329711", "Re-engagement call")])],
            details=on_date("Last_Activity_Time", "4876876000000002779", 90, "09:00"),
            active=False,
            created="2025-02-03T13:00:00+00:00",
        ),
        RuleSpec(
            "Contacts",
            "4876876000012900047",
            "Sync VIP contacts",
            None,
            "edit",
            [
                cond(
                    "4876876000012900049",
                    1,
                    leaf("Tier", "4876876000000002771", "equal", "VIP"),
                    [assoc("webhooks", "4876876000000331011", "Sync VIP contacts to loyalty")],
                )
            ],
            details={"repeat": True},
            created="2025-02-24T10:30:00+00:00",
            last_executed="2025-06-30T22:10:05+00:00",
        ),
        RuleSpec(
            "Contacts",
            "4876876000012900093",
            "Contact deleted audit",
            None,
            "delete",
            [
                cond(
                    "4876876000012900095",
                    1,
                    None,
                    [assoc("functions", "4876876000000332011", "Archive contact to data lake")],
                )
            ],
            created="2025-03-06T12:00:00+00:00",
        ),
    ]


def deals_rules(ref: Callable[[str], Node]) -> list[RuleSpec]:
    deals = ref("Deals")
    return [
        RuleSpec(
            "Deals",
            "4876876000014400003",
            "Closing date reminder",
            None,
            "date_or_datetime",
            [
                cond(
                    "4876876000014400005",
                    1,
                    leaf("Stage", "4876876000000002841", "not_equal", "Closed Won"),
                    [assoc("email_notifications", "4876876000000329021", "Deal closing soon")],
                )
            ],
            details=on_date("Closing_Date", "4876876000000002839", -3, "08:00"),
            created="2025-01-22T08:00:00+00:00",
            last_executed="2025-07-01T08:00:00+00:00",
        ),
        RuleSpec(
            "Deals",
            "4876876000014400019",
            "Won deal handoff",
            "Hand won deals to customer success and introduce the CSM two hours later.",
            "field_update",
            [
                cond(
                    "4876876000014400021",
                    1,
                    leaf("Stage", "4876876000000002841", "equal", "Closed Won"),
                    [assoc("tasks", "4876876000000329721", "Kick-off onboarding")],
                    [
                        later(
                            "4876876000014400029",
                            "hours",
                            2,
                            assoc("email_notifications", "4876876000000329023", "Customer success intro"),
                        )
                    ],
                )
            ],
            details={"criteria": leaf("Stage", "4876876000000002841", "equal", "Closed Won")},
            created="2025-02-05T09:45:00+00:00",
            modified="2025-04-14T14:14:14+00:00",
            last_executed="2025-06-27T15:20:00+00:00",
            pending=2,
        ),
        RuleSpec(
            "Deals",
            "4876876000014400041",
            "Large deal approval",
            None,
            "create_or_edit",
            [
                cond(
                    "4876876000014400043",
                    1,
                    leaf("Amount", "4876876000000002837", "greater_than", "100000"),
                    [inline("assign_owner", "4876876000014400051", "To users : Ravi Kumar", assign(deals, OTHER_USER))],
                ),
                cond(
                    "4876876000014400045",
                    2,
                    leaf("Amount", "4876876000000002837", "greater_than", "50000"),
                    [assoc("field_updates", "4876876000000330121", "Approval required")],
                ),
            ],
            details={"repeat": False},
            created="2025-02-26T11:00:00+00:00",
        ),
        RuleSpec(
            "Deals",
            "4876876000014400077",
            "Stalled deal nudge",
            None,
            "edit",
            [
                cond(
                    "4876876000014400079",
                    1,
                    leaf("Stage", "4876876000000002841", "equal", "Negotiation/Review"),
                    [
                        inline(
                            "add_tags",
                            "4876876000014400085",
                            "Stalled",
                            tags(deals, ("Stalled", "4876876000002526131", "#F8B250")),
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


def other_modules_rules(ref: Callable[[str], Node]) -> list[RuleSpec]:
    return [
        RuleSpec(
            "Accounts",
            "4876876000014600007",
            "Flag key accounts",
            None,
            "rollup_summary_update",
            [
                cond(
                    "4876876000014600009",
                    1,
                    leaf("Annual_Revenue", "4876876000000002701", "greater_than", "5000000"),
                    [assoc("field_updates", "4876876000000330151", "Flag key account")],
                )
            ],
            created="2025-02-12T12:00:00+00:00",
        ),
        RuleSpec(
            "Vendors",
            "4876876000014800005",
            "New vendor onboarding",
            None,
            "create",
            [
                cond(
                    "4876876000014800007",
                    1,
                    None,
                    [
                        assoc("tasks", "4876876000000329731", "Collect W-9"),
                        assoc("email_notifications", "4876876000000329031", "Vendor welcome"),
                    ],
                )
            ],
            created="2025-01-30T09:00:00+00:00",
            last_executed="2025-06-18T10:03:00+00:00",
        ),
        RuleSpec(
            "Vendors",
            "4876876000014800033",
            "Vendor details changed",
            None,
            "section_update",
            [cond("4876876000014800035", 1, None, [assoc("webhooks", "4876876000000331031", "Push vendor to ERP")])],
            details={"section_ids": ["4876876000000091055"]},
            created="2025-02-20T15:00:00+00:00",
        ),
        RuleSpec(
            "Projects",
            "4876876000015600003",
            "Kick-off new projects",
            None,
            "create",
            [
                cond(
                    "4876876000015600005",
                    1,
                    leaf("Status", "4876876000009901021", "equal", "Planned"),
                    [assoc("tasks", "4876876000000329741", "Schedule kick-off")],
                    [
                        later(
                            "4876876000015600013",
                            "business_hours",
                            4,
                            assoc("email_notifications", "4876876000000329041", "Kick-off reminder"),
                        )
                    ],
                )
            ],
            created="2025-03-01T09:00:00+00:00",
            last_executed="2025-06-30T09:00:00+00:00",
            pending=1,
        ),
        RuleSpec(
            "Projects",
            "4876876000015600031",
            "Flag over-budget projects",
            None,
            "field_update",
            [
                cond(
                    "4876876000015600033",
                    1,
                    leaf("Budget_Spent", "4876876000009901027", "greater_than", "50000"),
                    [
                        assoc("field_updates", "4876876000000330141", "Health to Red"),
                        assoc("functions", "4876876000000332041", "Notify finance channel"),
                    ],
                )
            ],
            details={"criteria": leaf("Budget_Spent", "4876876000009901027", "not_equal", "${EMPTY}")},
            created="2025-03-08T10:00:00+00:00",
        ),
        RuleSpec(
            "Projects",
            "4876876000015600057",
            "Project due date alert",
            None,
            "date_or_datetime",
            [
                cond(
                    "4876876000015600059",
                    1,
                    leaf("Status", "4876876000009901021", "not_equal", "Completed"),
                    [assoc("email_notifications", "4876876000000329043", "Project due soon")],
                )
            ],
            details=on_date("Due_Date", "4876876000009901031", -1, "07:30"),
            active=False,
            created="2025-03-15T10:00:00+00:00",
        ),
    ]

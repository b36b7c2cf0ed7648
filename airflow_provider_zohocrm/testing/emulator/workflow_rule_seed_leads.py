"""The seeded Leads rules, in execution order: eight, as the reorder sample needs.

Leads is the module the samples of Update Workflow Rule and Reorder Workflow Rules mostly use, so most
of their ids are here (listed in ``workflow_rules_seed``).
"""

from __future__ import annotations

from collections.abc import Callable

from airflow_provider_zohocrm.testing.emulator.workflow_rule_seed_builders import (
    API_USER,
    OTHER_USER,
    Node,
    RuleSpec,
    assign,
    assoc,
    cond,
    inline,
    later,
    leaf,
    tags,
)


def leads_rules(ref: Callable[[str], Node]) -> list[RuleSpec]:
    leads = ref("Leads")
    return [
        RuleSpec(
            "Leads",
            "4876876000010880001",
            "Assign web leads to inside sales",
            "Route every lead captured by the website form to the inside-sales queue.",
            "create",
            [
                cond(
                    "4876876000010880003",
                    1,
                    leaf("Lead_Source", "4876876000000002611", "equal", "Web Site"),
                    [
                        inline(
                            "assign_owner", "4876876000010880011", "To users : Patricia Boyle", assign(leads, API_USER)
                        ),
                        assoc("email_notifications", "4876876000000329001", "Notify lead owner"),
                    ],
                )
            ],
            created="2025-01-13T08:30:00+00:00",
            modified="2025-02-02T10:12:44+00:00",
            last_executed="2025-06-30T17:45:09+00:00",
        ),
        RuleSpec(
            "Leads",
            "4876876000011037080",
            "Tag trade-show leads",
            None,
            "create",
            [
                cond(
                    "4876876000011037083",
                    1,
                    leaf("Lead_Source", "4876876000000002611", "equal", "Trade Show"),
                    [
                        inline(
                            "add_tags",
                            "4876876000011037091",
                            "Trade Show",
                            tags(leads, ("Trade Show", "4876876000002526101", "#63C57E")),
                        )
                    ],
                )
            ],
            created="2025-01-20T11:00:00+00:00",
            last_executed="2025-06-28T09:01:13+00:00",
            created_by=OTHER_USER,
        ),
        RuleSpec(
            "Leads",
            "4876876000011150005",
            "Nurture cold leads",
            "Park cold leads and remind the owner to follow up three business days later.",
            "create_or_edit",
            [
                cond(
                    "4876876000011150008",
                    1,
                    leaf("Rating", "4876876000000002619", "equal", "Cold"),
                    [assoc("field_updates", "4876876000000330101", "Set status to Contact in Future")],
                    [
                        later(
                            "4876876000011150015",
                            "business_days",
                            3,
                            assoc("tasks", "4876876000000329701", "Follow up cold lead"),
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
        RuleSpec(
            "Leads",
            "4876876000015014033",
            "Escalate high-value leads",
            "Large prospects get a tag and an alert; government leads get a call within a day.",
            "create_or_edit",
            [
                cond(
                    "4876876000015014036",
                    1,
                    leaf("Annual_Revenue", "4876876000000002617", "greater_than", "1000000"),
                    [
                        inline(
                            "add_tags",
                            "4876876000015014041",
                            "High Value",
                            tags(leads, ("High Value", "4876876000011037076", "#F17574")),
                        ),
                        assoc("email_notifications", "4876876000000329005", "High-value lead alert"),
                    ],
                ),
                cond(
                    "4876876000015013021",
                    2,
                    leaf("Industry", "4876876000000002615", "equal", "Government/Military"),
                    [assoc("tasks", "4876876000000329703", "Call within 24 hours")],
                ),
            ],
            details={"repeat": False},
            created="2025-02-10T09:20:00+00:00",
            modified="2025-04-01T12:00:00+00:00",
            last_executed="2025-07-01T08:15:27+00:00",
        ),
        RuleSpec(
            "Leads",
            "4876876000012204017",
            "Score hot leads",
            None,
            "score_increase",
            [cond("4876876000012204019", 1, None, [assoc("field_updates", "4876876000000330103", "Rating to Hot")])],
            created="2025-02-18T10:00:00+00:00",
        ),
        RuleSpec(
            "Leads",
            "4876876000012204101",
            "Lead status change alert",
            "Push status changes to the marketing automation platform.",
            "field_update",
            [
                cond(
                    "4876876000012204103",
                    1,
                    leaf("Lead_Status", "4876876000000002613", "equal", "Contacted"),
                    [assoc("webhooks", "4876876000000331001", "Sync to marketing automation")],
                )
            ],
            details={"criteria": leaf("Lead_Status", "4876876000000002613", "not_equal", "${EMPTY}")},
            created="2025-03-04T15:30:00+00:00",
            last_executed="2025-06-29T13:37:00+00:00",
        ),
        RuleSpec(
            "Leads",
            "4876876000013310021",
            "Convert qualified leads",
            "Convert pre-qualified leads into contacts; the mapping is owned by RevOps.",
            "edit",
            [
                cond(
                    "4876876000013310023",
                    1,
                    leaf("Lead_Status", "4876876000000002613", "equal", "Pre-Qualified"),
                    [
                        inline(
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
        RuleSpec(
            "Leads",
            "4876876000013310077",
            "Notice for deleted leads",
            None,
            "delete",
            [
                cond(
                    "4876876000013310079",
                    1,
                    None,
                    [assoc("email_notifications", "4876876000000329003", "Lead deleted notice")],
                )
            ],
            active=False,
            created="2025-03-18T16:45:00+00:00",
            modified="2025-03-25T10:00:00+00:00",
        ),
    ]

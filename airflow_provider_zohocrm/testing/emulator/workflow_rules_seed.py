"""Seed workflow rules: a realistic, deterministic org that also contains every id the Zoho doc samples use.

The rules are declared in ``workflow_rule_seed_leads`` and ``workflow_rule_seed_other_modules`` (with the
builders of ``workflow_rule_seed_builders``); this module builds them into rules in get-one shape.

Ids the 002/003 samples reference exist here so those samples run unchanged: rule 4876876000011150005
(inactive, activation sample; reorder target 1), 4876876000011037080 (reorder target 7, so Leads has eight
rules), 4876876000015014033 with conditions ...014036 and ...013021 (add/remove conditions, update
criteria), and condition 4876876000015005002 with add_tags action ...005009 (add/remove actions).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from airflow_provider_zohocrm.testing.emulator.workflow_rule_seed_builders import API_USER, OTHER_USER, Node, RuleSpec
from airflow_provider_zohocrm.testing.emulator.workflow_rule_seed_leads import leads_rules
from airflow_provider_zohocrm.testing.emulator.workflow_rule_seed_other_modules import (
    contacts_rules,
    deals_rules,
    other_modules_rules,
)

__all__ = ["API_USER", "FIRST_NEW_ID", "OTHER_USER", "SeedRule", "seed_rules"]

FIRST_NEW_ID = 4876876000016000001
"""New ids count up from here, above every seeded id."""


@dataclass(frozen=True)
class SeedRule:
    """One seeded rule in get-one shape plus how many scheduled-action records it has queued."""

    rule: Node
    pending_scheduled_records: int


def _build(spec: RuleSpec, module: Node) -> SeedRule:
    locked = spec.lock_message is not None
    rule = {
        "id": spec.rule_id,
        "name": spec.name,
        "description": spec.description,
        "module": dict(module),
        "execute_when": {"type": spec.trigger, "details": {"trigger_module": dict(module), **spec.details}},
        "status": {"active": spec.active},
        "created_time": spec.created,
        "modified_time": spec.modified or spec.created,
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

    specs = [*leads_rules(ref), *contacts_rules(ref), *deals_rules(ref), *other_modules_rules(ref)]
    return [_build(spec, modules[spec.module]) for spec in specs if spec.module in modules]

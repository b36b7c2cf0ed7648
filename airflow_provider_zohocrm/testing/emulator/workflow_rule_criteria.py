"""Criteria trees of workflow rules (trigger, condition and relational criteria) and their checks.

Conditions and the ``field_update`` trigger both filter records with the same tree of field checks, so
both check and count it here.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.testing.emulator.workflow_rule_checks import (
    DEPENDENT_MISSING,
    INVALID_TYPE,
    INVALID_VALUE,
    Node,
    as_array,
    as_object,
    dependent_error,
    item_error,
    require,
)


def check_criteria(value: Any, path: str) -> Node | None:
    """A criteria tree: null (all records), a leaf with field and comparator, or an AND/OR group."""
    if value is None:
        return None
    node = as_object(value, path)
    if "group" in node:
        if str(node.get("group_operator", "")).upper() not in {"AND", "OR"}:
            raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}.group_operator")
        for index, child in enumerate(as_array(node["group"], f"{path}.group")):
            check_criteria(child, f"{path}.group[{index}]")
        return node
    as_object(require(node, "field", path), f"{path}.field")
    if not isinstance(require(node, "comparator", path), str):
        raise item_error("INVALID_DATA", INVALID_TYPE, f"{path}.comparator", expected_data_type="text")
    return node


def count_fields(criteria: Node | None) -> int:
    """How many field checks a (validated) criteria tree makes."""
    if criteria is None:
        return 0
    if "group" in criteria:
        return sum(count_fields(child) for child in criteria["group"])
    return 1


def empty_relational() -> Node:
    return {"module_selection": None, "criteria": None, "module": None}


def check_relational(value: Any, path: str) -> Node:
    if value is None:
        return empty_relational()
    node = as_object(value, path)
    selection = node.get("module_selection")
    if selection is not None and selection not in ("all", "specific", "unknown"):
        raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}.module_selection")
    if selection == "specific" and node.get("module") is None:
        raise dependent_error(
            "DEPENDENT_FIELD_MISSING", DEPENDENT_MISSING, f"{path}.module", f"{path}.module_selection"
        )
    return {
        "module_selection": selection,
        "criteria": check_criteria(node.get("criteria"), f"{path}.criteria"),
        "module": node.get("module"),
    }


def has_relational(criteria_details: Node) -> bool:
    relational = criteria_details.get("relational_criteria") or {}
    return any(value is not None for value in relational.values())

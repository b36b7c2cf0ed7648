"""What a workflow-rules request carries besides a rule: query parameters, the list filter, the one-item
envelope of a write and the body of a reorder, each checked the way Zoho answers a bad one.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.workflow_rule_checks import (
    INVALID_TYPE,
    REQUIRED_MISSING,
    Node,
    as_array,
    as_object,
    is_int,
    item_error,
    require,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rule_triggers import KNOWN_TRIGGERS

MAX_PER_PAGE = 200
REORDER_ITEMS_LIMIT = 10  # Zoho's definitions: reorder.workflow_rules has maxItems 10
PARAM_INVALID = "The value provided to the param is Invalid"


def param_error(name: str, code: str = "INVALID_DATA", message: str = PARAM_INVALID) -> ZohoError:
    return ZohoError(400, code, message, {"param_name": name})


def _bool_param(params: dict[str, str], name: str) -> bool | None:
    value = params.get(name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise param_error(name)
    return value.lower() == "true"


def _int_param(params: dict[str, str], name: str, low: int, high: int, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise param_error(name)
    return int(value)


def _name_filter(raw: str | None) -> str | None:
    """The only filter Zoho supports: ``{"field":{"api_name":"name"},"comparator":"contains","value":…}``."""
    if raw is None:
        return None
    try:
        spec = json.loads(raw)
    except ValueError:
        raise param_error("filter") from None
    valid = (
        isinstance(spec, dict)
        and spec.get("field") == {"api_name": "name"}
        and spec.get("comparator") == "contains"
        and isinstance(spec.get("value"), str)
    )
    if not valid or len(raw) > 1000:
        raise param_error("filter")
    return str(spec["value"]).lower()


def single_item(body: Any) -> Any:
    """The one rule a create/update body may carry; envelope problems fail the whole request."""
    if not isinstance(body, dict):
        raise ZohoError(400, "INVALID_DATA", INVALID_TYPE, {"expected_data_type": "jsonobject", "json_path": "$"})
    items = body.get("workflow_rules")
    where = {"api_name": "workflow_rules", "json_path": "$.workflow_rules"}
    if items is None or items == []:
        raise ZohoError(400, "MANDATORY_NOT_FOUND", REQUIRED_MISSING, where)
    if not isinstance(items, list):
        raise ZohoError(400, "INVALID_DATA", INVALID_TYPE, {**where, "expected_data_type": "jsonarray"})
    if len(items) > 1:
        raise ZohoError(400, "INVALID_DATA", "invalid data", {**where, "maximum_length": 1})
    return items[0]


@dataclass(frozen=True)
class ListQuery:
    """The validated parameters of a list request."""

    module: str | None
    active: bool | None
    execute_on: str | None
    trigger_module: str | None
    name_contains: str | None
    sort_order: str | None
    inner: bool
    page: int
    per_page: int

    def matches(self, rule: Node) -> bool:
        """Whether ``rule`` passes the filters (paging aside)."""
        when = rule["execute_when"]
        checks = (
            self.module is None or rule["module"]["api_name"] == self.module,
            self.active is None or rule["status"]["active"] == self.active,
            self.execute_on is None or when["type"] == self.execute_on,
            self.trigger_module is None or when["details"]["trigger_module"]["api_name"] == self.trigger_module,
            self.name_contains is None or self.name_contains in rule["name"].lower(),
        )
        return all(checks)


def list_query(params: dict[str, str], modules: Collection[str]) -> ListQuery:
    """The validated parameters of GET …/workflow_rules for an org with ``modules``."""
    module = params.get("module")
    if module is not None and module not in modules:
        raise param_error("module", "INVALID_MODULE")
    execute_on, trigger_module = params.get("execute_on"), params.get("trigger_module")
    if (execute_on is not None or trigger_module is not None) and module is None:
        raise param_error("module", "REQUIRED_PARAM_MISSING", "required param not found")
    if execute_on is not None and execute_on not in KNOWN_TRIGGERS:
        raise param_error("execute_on")
    if trigger_module is not None and trigger_module not in modules:
        raise param_error("trigger_module")
    if params.get("sort_by", "modified_time") != "modified_time":
        raise param_error("sort_by")
    if params.get("sort_order", "desc") not in ("asc", "desc"):
        raise param_error("sort_order")
    return ListQuery(
        module=module,
        active=_bool_param(params, "status_active"),
        execute_on=execute_on,
        trigger_module=trigger_module,
        name_contains=_name_filter(params.get("filter")),
        sort_order=params.get("sort_order", "desc") if "sort_by" in params else None,
        inner=bool(_bool_param(params, "include_inner_details")),
        page=_int_param(params, "page", 1, 10**9, 1),
        per_page=_int_param(params, "per_page", 1, MAX_PER_PAGE, MAX_PER_PAGE),
    )


def parse_moves(body: Any, order: list[str]) -> dict[str, int]:
    """``{rule_id: position}`` from the documented ``{"reorder": {"workflow_rules": [...]}}`` body (at most 10)."""
    wrapper = as_object(require(as_object(body, "$"), "reorder", "$", "The required data missing"), "$.reorder")
    path = "$.reorder.workflow_rules"
    items = as_array(require(wrapper, "workflow_rules", "$.reorder", "The required data missing"), path)
    if not items:
        raise item_error("MANDATORY_NOT_FOUND", "The required data missing", path)
    if len(items) > REORDER_ITEMS_LIMIT:
        raise item_error("INVALID_DATA", "Invalid data", path, maximum_length=REORDER_ITEMS_LIMIT)
    moves: dict[str, int] = {}
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        entry = as_object(item, item_path)
        rule_id = require(entry, "id", item_path, "The required data missing")
        position = require(entry, "module_specific_sequence", item_path, "The required data missing")
        seq_path = f"{item_path}.module_specific_sequence"
        if not isinstance(rule_id, str) or rule_id not in order:
            raise item_error("INVALID_DATA", "Invalid process id", f"{item_path}.id")
        if rule_id in moves:
            raise item_error("INVALID_DATA", "duplicate data", f"{item_path}.id")
        if not is_int(position):
            raise item_error("INVALID_DATA", INVALID_TYPE, seq_path, expected_data_type="integer")
        if not 1 <= position <= len(order):
            raise item_error("INVALID_DATA", "Invalid sequence number is given", seq_path)
        if position in moves.values():
            raise item_error("INVALID_DATA", "duplicate data", seq_path)
        moves[rule_id] = position
    return moves


def reordered(order: list[str], moves: dict[str, int]) -> list[str]:
    """Listed rules take their 1-based positions; the others keep their relative order in the free slots."""
    slots: list[str | None] = [None] * len(order)
    for rule_id, position in moves.items():
        slots[position - 1] = rule_id
    rest = iter(rule_id for rule_id in order if rule_id not in moves)
    return [slot if slot is not None else next(rest) for slot in slots]

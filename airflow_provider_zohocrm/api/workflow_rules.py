"""Hook methods for Zoho CRM workflow rules (seed pages 002, 003).

Every write is first built as a :class:`~airflow_provider_zohocrm.plan.PlannedRequest` by a
module-level function, so an operator's dry-run plan is exactly what the hook would send.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMNotFoundError, ZohoCRMValidationError, error_from_response
from airflow_provider_zohocrm.plan import PlannedRequest, planned
from airflow_provider_zohocrm.validation import validate_id, validate_module

RULES_PATH = "settings/automation/workflow_rules"
REORDER_PATH = f"{RULES_PATH}/actions/reorder"
PER_PAGE = 200
# Zoho reports a failed item of a resource array with a 4xx code but may wrap it in a 2xx answer.
_ITEM_ERROR_STATUS = 400


def update_request(rule_id: str, rule: dict[str, Any]) -> PlannedRequest:
    """PUT of one rule's changes; the id travels in the URL (Zoho ignores a body id then)."""
    rule_id = validate_id(rule_id, "rule_id")
    if not isinstance(rule, dict):
        raise ZohoCRMValidationError(
            f"rule must be a JSON object; got {type(rule).__name__}",
            details={"json_path": "rule"},
            hint="Pass the rule's changes as a dict, e.g. {'name': 'New name'}",
        )
    return planned(
        "PUT",
        f"{RULES_PATH}/{rule_id}",
        f"update {', '.join(sorted(rule)) or 'nothing'} of workflow rule {rule_id}",
        body={"workflow_rules": [rule]},
    )


def status_request(rule_id: str, active: bool, *, delete_schedule_action: bool = False) -> PlannedRequest:
    """PUT of a rule's status.

    Deactivation sends ``"active": false`` (page 002's deactivate sample shows ``true``, a doc bug)
    and always states ``delete_schedule_action``, which Zoho only reads when deactivating.
    """
    rule_id = validate_id(rule_id, "rule_id")
    for name, value in (("active", active), ("delete_schedule_action", delete_schedule_action)):
        if not isinstance(value, bool):
            raise ZohoCRMValidationError(
                f"{name} must be true or false; got {value!r}", details={"json_path": name}, hint="Pass a bool"
            )
    status: dict[str, Any] = {"active": active}
    if not active:
        status["delete_schedule_action"] = delete_schedule_action
    verb = "activate" if active else "deactivate"
    summary = f"{verb} workflow rule {rule_id}" + (
        " and delete its scheduled actions" if delete_schedule_action else ""
    )
    return planned(
        "PUT", f"{RULES_PATH}/{rule_id}", summary, body={"workflow_rules": [{"id": rule_id, "status": status}]}
    )


def reorder_request(module: str, positions: list[dict[str, Any]]) -> PlannedRequest:
    """PUT of new positions (1-based) for some rules of ``module``, in the body page 003's sample uses."""
    module = validate_module(module, "module")
    items = _checked_positions(positions)
    moves = ", ".join(f"{item['id']}->{item['module_specific_sequence']}" for item in items)
    return planned(
        "PUT",
        REORDER_PATH,
        f"move {len(items)} {module} rule(s): {moves}",
        params={"module": module},
        body={"reorder": {"workflow_rules": items}},
    )


def _checked_positions(positions: Any) -> list[dict[str, Any]]:
    if not isinstance(positions, list):
        raise ZohoCRMValidationError(
            f"positions must be a list; got {type(positions).__name__}",
            details={"json_path": "positions"},
            hint="Pass [{'id': '<rule id>', 'module_specific_sequence': <position from 1>}, ...]",
        )
    items: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    seen_positions: set[int] = set()
    for index, item in enumerate(positions):
        path = f"positions[{index}]"
        entry = item if isinstance(item, dict) else {}
        rule_id = validate_id(entry.get("id"), f"{path}.id")
        position = entry.get("module_specific_sequence")
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            raise ZohoCRMValidationError(
                f"{path}.module_specific_sequence must be a position counted from 1; got {position!r}",
                details={"json_path": f"{path}.module_specific_sequence"},
                hint="The first rule to run is position 1",
            )
        if rule_id in seen_ids or position in seen_positions:
            raise ZohoCRMValidationError(
                f"{path} repeats a rule id or a position already given",
                details={"json_path": path},
                hint="Give each rule at most one position and each position to at most one rule",
            )
        seen_ids.add(rule_id)
        seen_positions.add(position)
        items.append({"id": rule_id, "module_specific_sequence": position})
    return items


def _first_item(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The single result item of a one-object write; a per-item error raises its typed error."""
    items = body.get(key)
    item = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    if item.get("status") == "error":
        raise error_from_response(_ITEM_ERROR_STATUS, {key: [item]})
    return item


class WorkflowRulesAPI:
    """Mixin of ``ZohoCRMHook``: calls for workflow rules (seed pages 002, 003)."""

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, retry: bool = True
    ) -> dict[str, Any]:
        raise NotImplementedError  # provided by ZohoCRMHook

    def _send(self, planned_request: PlannedRequest, *, retry: bool) -> dict[str, Any]:
        return self.request(
            planned_request["method"],
            planned_request["path"],
            params=planned_request["params"],
            json=planned_request["json"],
            retry=retry,
        )

    def get_workflow_rules(self, module: str | None = None, *, active: bool | None = None) -> list[dict[str, Any]]:
        """Every rule (summary form), all pages, in execution order; ``[]`` when there are none."""
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if module is not None:
            params["module"] = validate_module(module, "module")
        if active is not None:
            params["status_active"] = "true" if active else "false"
        rules: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.request("GET", RULES_PATH, params={**params, "page": page})
            items = body.get("workflow_rules") or []
            rules.extend(items)
            if not items or not (body.get("info") or {}).get("more_records"):
                return rules
            page += 1

    def get_workflow_rule(self, rule_id: str) -> dict[str, Any]:
        """One rule with its conditions and actions."""
        rule_id = validate_id(rule_id, "rule_id")
        items = self.request("GET", f"{RULES_PATH}/{rule_id}").get("workflow_rules") or []
        if not items:
            raise ZohoCRMNotFoundError(
                f"Zoho CRM returned no workflow rule {rule_id}", hint="Check the id (it must exist in this org)"
            )
        rule: dict[str, Any] = items[0]
        return rule

    def update_workflow_rule(self, rule_id: str, rule: dict[str, Any]) -> dict[str, Any]:
        """Send ``rule`` (the changes, as on page 002) and return Zoho's success item.

        Retried blindly only without ``conditions``: name, description, trigger, lock and status
        are overwrites, while a repeated condition or action write could add it twice or fail on
        an already deleted id.
        """
        planned_request = update_request(rule_id, rule)
        return _first_item(self._send(planned_request, retry="conditions" not in rule), "workflow_rules")

    def set_workflow_rule_status(
        self, rule_id: str, active: bool, *, delete_schedule_action: bool = False
    ) -> dict[str, Any]:
        """Activate or deactivate a rule (idempotent, so retried); returns Zoho's success item."""
        planned_request = status_request(rule_id, active, delete_schedule_action=delete_schedule_action)
        return _first_item(self._send(planned_request, retry=True), "workflow_rules")

    def reorder_workflow_rules(self, module: str, positions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Move rules to absolute positions (idempotent, so retried); returns Zoho's ``reorder`` items.

        Zoho answers only for the rules that moved, so the list may be empty. No positions: no call.
        """
        planned_request = reorder_request(module, positions)
        if not positions:
            return []
        items = self._send(planned_request, retry=True).get("reorder") or []
        for item in items:
            if isinstance(item, dict) and item.get("status") == "error":
                raise error_from_response(_ITEM_ERROR_STATUS, {"reorder": [item]})
        return list(items)

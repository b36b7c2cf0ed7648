"""Zoho CRM workflow rules: Update Workflow Rule (incl. activate/deactivate) and Reorder Workflow Rules.

Every write is first built as a :class:`~airflow_provider_zohocrm.plan.PlannedRequest` by a
module-level function, so an operator's dry-run plan is exactly what the client sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.base import APIFamily
from airflow_provider_zohocrm.exceptions import ZohoCRMNotFoundError, ZohoCRMValidationError
from airflow_provider_zohocrm.plan import PlannedRequest, planned
from airflow_provider_zohocrm.validation import validate_id, validate_module

if TYPE_CHECKING:
    from airflow_provider_zohocrm.api.reorder import ReorderPlan

RULES_PATH = "settings/automation/workflow_rules"
REORDER_PATH = f"{RULES_PATH}/actions/reorder"


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

    Deactivation sends ``"active": false`` (the Update Workflow Rule page's deactivate sample shows ``true``, a doc bug)
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
    """PUT of new positions (1-based) for some rules of ``module``, in the Reorder Workflow Rules sample body."""
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


class WorkflowRulesAPI(APIFamily):
    """``client.workflow_rules``: list, read, update, activate/deactivate and reorder workflow rules."""

    def list_all(self, module: str | None = None, *, active: bool | None = None) -> list[dict[str, Any]]:
        """Every rule (summary form), all pages, in execution order; ``[]`` when there are none."""
        params: dict[str, Any] = {}
        if module is not None:
            params["module"] = validate_module(module, "module")
        if active is not None:
            params["status_active"] = "true" if active else "false"
        return self.all_pages(RULES_PATH, "workflow_rules", params)

    def get(self, rule_id: str) -> dict[str, Any]:
        """One rule with its conditions and actions."""
        rule_id = validate_id(rule_id, "rule_id")
        items = self.transport.request("GET", f"{RULES_PATH}/{rule_id}").get("workflow_rules") or []
        if not items:
            raise ZohoCRMNotFoundError(
                f"Zoho CRM returned no workflow rule {rule_id}", hint="Check the id (it must exist in this org)"
            )
        rule: dict[str, Any] = items[0]
        return rule

    def update(self, rule_id: str, rule: dict[str, Any]) -> dict[str, Any]:
        """Send ``rule`` (the changes, as Update Workflow Rule documents them); Zoho's success item.

        Retried blindly only without ``conditions`` (see :func:`~.base.is_idempotent`).
        """
        return _first(self.send(update_request(rule_id, rule)))

    def set_status(self, rule_id: str, active: bool, *, delete_schedule_action: bool = False) -> dict[str, Any]:
        """Activate or deactivate a rule (idempotent, so retried); returns Zoho's success item."""
        return _first(self.send(status_request(rule_id, active, delete_schedule_action=delete_schedule_action)))

    def plan_update(self, rule_id: str, rule: Any) -> tuple[dict[str, Any], dict[str, Any], PlannedRequest | None]:
        """Validate ``rule``, read the rule, and build the update of only what it does not show yet.

        ``rule`` is checked on its own first (so a bad body fails before any request), then against
        the rule as it is now. Returns ``(current rule, changes, request or None)``.
        """
        from airflow_provider_zohocrm.api.workflow_rule_changes import pending_update
        from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update

        rule_id = validate_id(rule_id, "rule_id")
        validate_rule_update(rule, None)
        current = self.get(rule_id)
        validate_rule_update(rule, current)
        changes = pending_update(rule, current)
        return current, changes, (update_request(rule_id, changes) if changes else None)

    def plan_reorder(self, module: str, order: Any) -> tuple[ReorderPlan, PlannedRequest | None]:
        """Read the module's order and build the fewest moves that give ``order``: ``(plan, request or None)``.

        ``order``: rule ids to run first, in this order, or a mapping rule id -> position from 1.
        """
        from airflow_provider_zohocrm.api.reorder import normalize_order, plan_reorder

        module = validate_module(module, "module")
        normalize_order(order, "order")
        reorder = plan_reorder(self.current_order(module), order, "order")
        return reorder, (reorder_request(module, reorder.moves) if reorder.moves else None)

    def current_order(self, module: str) -> list[str]:
        """The ids of the module's rules in execution order."""
        return [str(rule["id"]) for rule in self.list_all(module)]

    def reorder(self, module: str, positions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Move rules to absolute positions (idempotent, so retried); returns Zoho's ``reorder`` items.

        Zoho answers only for the rules that moved, so the list may be empty. No positions: no call.
        """
        request = reorder_request(module, positions)
        return self.send(request) if positions else []


def _first(items: list[dict[str, Any]]) -> dict[str, Any]:
    return items[0] if items else {}

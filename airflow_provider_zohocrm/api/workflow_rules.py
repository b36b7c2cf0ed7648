"""Zoho CRM workflow rules: Create and Update Workflow Rule (incl. activate/deactivate), Reorder Workflow Rules.

Every write is first built as a :class:`~airflow_provider_zohocrm.plan.PlannedRequest` by a
module-level function, so an operator's dry-run plan is exactly what the client sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.base import APIFamily, first_item, listed_id
from airflow_provider_zohocrm.exceptions import ZohoCRMServerError, ZohoCRMValidationError
from airflow_provider_zohocrm.plan import PlannedRequest, planned
from airflow_provider_zohocrm.validation import is_id, preview, validate_bool, validate_id, validate_module

if TYPE_CHECKING:
    from airflow_provider_zohocrm.api.reorder import ReorderPlan

RULES_PATH = "settings/automation/workflow_rules"
REORDER_PATH = f"{RULES_PATH}/actions/reorder"
POSITION_KEYS = frozenset({"id", "module_specific_sequence"})
CREATE_REQUIRED = ("name", "module", "execute_when", "conditions")
# Actions that name a configured template by its id (Create Workflow Rule's associate actions); the
# others are defined inline in the rule and get an id of their own when created.
ASSOCIATE_ACTIONS = frozenset({"field_updates", "email_notifications", "tasks", "webhooks", "functions"})
# The highest position a reorder may give: Zoho counts positions from 1 and an org holds at most
# 2,500 workflow rules (``rules_count.total_rules_limit``), so no module has a rule further down.
MAX_POSITION = 2500


def create_request(rule: Any) -> PlannedRequest:
    """POST of one new rule (Create Workflow Rule: exactly one per request), checked before anything is sent.

    ``rule`` needs ``name``, ``module`` (an API name or ``{api_name, id}``), ``execute_when`` and at
    least one condition; conditions, scheduled actions and inline actions are new, so they carry no
    id (associate actions name their template by id). Zoho creates a rule active and refuses
    ``status.active`` false: deactivate it after creating it. The shapes Zoho's pages and
    definitions differ on (``b_days`` or ``business_days``, ``criteria`` beside or inside
    ``criteria_details``) both pass, as for updates.
    """
    from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update

    if not isinstance(rule, dict):
        raise ZohoCRMValidationError(
            f"rule must be a JSON object; got {type(rule).__name__}",
            details={"json_path": "rule"},
            hint="Pass the rule as a dict with name, module, execute_when and conditions",
        )
    body = dict(rule)
    if isinstance(body.get("module"), str):
        body["module"] = {"api_name": validate_module(body["module"], "rule.module")}
    for key in CREATE_REQUIRED:
        if body.get(key) is None or body.get(key) == []:
            raise ZohoCRMValidationError(
                f"rule.{key} is required to create a workflow rule",
                details={"json_path": f"rule.{key}"},
                hint="A new rule needs name, module, execute_when and at least one condition",
            )
    if "id" in body:
        raise ZohoCRMValidationError(
            "rule.id must not be given: Zoho assigns the id of a new rule",
            details={"json_path": "rule.id"},
            hint="Drop the id, or update the existing rule instead",
        )
    status = body.get("status")
    if isinstance(status, dict) and status.get("active") is False:
        raise ZohoCRMValidationError(
            "rule.status.active is false: Zoho creates workflow rules active only",
            details={"json_path": "rule.status.active"},
            hint="Create the rule, then deactivate it (status_request(rule_id, False))",
        )
    validate_rule_update(body, None)
    _check_all_new(body["conditions"])
    module = body["module"].get("api_name") or body["module"].get("id")
    return planned(
        "POST", RULES_PATH, f"create workflow rule {body['name']!r} in {module}", body={"workflow_rules": [body]}
    )


def _check_all_new(conditions: list[dict[str, Any]]) -> None:
    """In a create nothing exists yet: no removal, no condition or scheduled-action id, no inline action id."""
    for index, condition in enumerate(conditions):
        path = f"rule.conditions[{index}]"
        _refuse_reference(condition, path)
        boxes = [(f"{path}.instant_actions.actions", (condition.get("instant_actions") or {}).get("actions") or [])]
        for number, group in enumerate(condition.get("scheduled_actions") or []):
            _refuse_reference(group, f"{path}.scheduled_actions[{number}]")
            boxes.append((f"{path}.scheduled_actions[{number}].actions", group.get("actions") or []))
        for where, actions in boxes:
            for number, action in enumerate(actions):
                _refuse_reference(action, f"{where}[{number}]", keep_id=action.get("type") in ASSOCIATE_ACTIONS)


def _refuse_reference(item: dict[str, Any], where: str, *, keep_id: bool = False) -> None:
    for key in ("_delete",) if keep_id else ("id", "_delete"):
        if key in item:
            raise ZohoCRMValidationError(
                f"{where}.{key} is given, but a new rule has nothing to refer to yet",
                details={"json_path": f"{where}.{key}"},
                hint="Leave ids and removals out of a new rule's conditions, scheduled actions and inline "
                "actions (associate actions keep the id of their template)",
            )


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
        f"update {', '.join(sorted(map(str, rule))) or 'nothing'} of workflow rule {rule_id}",
        body={"workflow_rules": [rule]},
    )


def status_request(rule_id: str, active: bool, *, delete_schedule_action: bool = False) -> PlannedRequest:
    """PUT of a rule's status.

    Deactivation sends ``"active": false`` (the Update Workflow Rule page's deactivate sample shows ``true``, a doc bug)
    and always states ``delete_schedule_action``, which Zoho only reads when deactivating.
    """
    rule_id = validate_id(rule_id, "rule_id")
    validate_bool(active, "active")
    validate_bool(delete_schedule_action, "delete_schedule_action")
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


def reorder_request(
    module: str, positions: list[dict[str, Any]], *, step: tuple[int, int] | None = None
) -> PlannedRequest:
    """PUT of new positions (1-based) for at most 10 rules of ``module``, in the Reorder Workflow Rules sample body.

    ``step``: (this request, of how many), for the summary of one request of a split reorder.
    """
    from airflow_provider_zohocrm.api.reorder import MAX_MOVES_PER_REQUEST

    module = validate_module(module, "module")
    items = _checked_positions(positions)
    if len(items) > MAX_MOVES_PER_REQUEST:
        raise ZohoCRMValidationError(
            f"positions holds {len(items)} moves; Zoho takes at most {MAX_MOVES_PER_REQUEST} per reorder request",
            details={"json_path": "positions", "limit": MAX_MOVES_PER_REQUEST},
            hint="Use client.workflow_rules.reorder or plan_reorder, which split the moves into successive requests",
        )
    moves = ", ".join(f"{item['id']}->{item['module_specific_sequence']}" for item in items)
    of = f" (request {step[0]} of {step[1]})" if step and step[1] > 1 else ""
    return planned(
        "PUT",
        REORDER_PATH,
        f"move {len(items)} {module} rule(s){of}: {moves}",
        params={"module": module},
        body={"reorder": {"workflow_rules": items}},
    )


def reorder_requests(module: str, steps: list[list[dict[str, Any]]]) -> list[PlannedRequest]:
    """One request per step of a reorder plan (see :func:`~.reorder.reorder_steps`), to send in this order."""
    return [reorder_request(module, moves, step=(n, len(steps))) for n, moves in enumerate(steps, start=1)]


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
        unknown = sorted(map(str, set(entry) - POSITION_KEYS))
        if unknown:
            raise ZohoCRMValidationError(
                f"{path} has the unknown key(s) {preview(unknown)}",
                details={"json_path": path},
                hint="A position holds only id and module_specific_sequence",
            )
        rule_id = validate_id(entry.get("id"), f"{path}.id")
        position = entry.get("module_specific_sequence")
        if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= MAX_POSITION:
            raise ZohoCRMValidationError(
                f"{path}.module_specific_sequence must be a position from 1 to {MAX_POSITION}; got {preview(position)}",
                details={"json_path": f"{path}.module_specific_sequence", "limit": MAX_POSITION},
                hint="The first rule to run is position 1; an org holds at most 2,500 workflow rules",
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
            params["status_active"] = "true" if validate_bool(active, "active") else "false"
        return self.all_pages(RULES_PATH, "workflow_rules", params)

    def get(self, rule_id: str) -> dict[str, Any]:
        """One rule with its conditions and actions.

        None (a 204, which Zoho's definitions allow here, or an empty list) is ``ZohoCRMNotFoundError``;
        an answer not holding rule objects under ``workflow_rules`` is ``ZohoCRMServerError``.
        """
        rule_id = validate_id(rule_id, "rule_id")
        body = self.transport.request("GET", f"{RULES_PATH}/{rule_id}")
        return first_item(body, "workflow_rules", f"workflow rule {rule_id}")

    def create(self, rule: dict[str, Any]) -> str:
        """Create one rule (see :func:`create_request`); its id. Zoho appends it to the module's order, active.

        Sent once: a blind retry of a create could make the rule twice.
        """
        items = self.send(create_request(rule), "workflow_rules")
        item = items[0] if items else {}
        rule_id = (item.get("details") or {}).get("id")
        if item.get("status") != "success" or not is_id(rule_id):
            raise ZohoCRMServerError(
                f"Zoho CRM did not confirm the create: {item.get('code') or 'no result'} {item.get('message') or ''}",
                code=item.get("code"),
                details={"json_path": "$.workflow_rules[0].details.id"},
                hint="List the module's workflow rules to see whether it was created",
            )
        return str(rule_id)

    def update(self, rule_id: str, rule: dict[str, Any]) -> dict[str, Any]:
        """Send ``rule`` (the changes, as Update Workflow Rule documents them); Zoho's success item.

        Retried blindly only without ``conditions`` (see :func:`~.base.is_idempotent`). ``rule`` is
        checked on its own first (as in :meth:`plan_update`), so a bad body costs no request.
        """
        from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update

        rule_id = validate_id(rule_id, "rule_id")
        validate_rule_update(rule, None)
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

    def plan_reorder(self, module: str, order: Any) -> tuple[ReorderPlan, list[PlannedRequest]]:
        """Read the module's order and build the fewest moves that give ``order``: ``(plan, requests)``.

        ``order``: rule ids to run first, in this order, or a mapping rule id -> position from 1.
        ``requests`` (none when the order is right already) go out in order, each with at most 10 moves.
        """
        from airflow_provider_zohocrm.api.reorder import normalize_order, plan_reorder

        module = validate_module(module, "module")
        normalize_order(order, "order")
        reorder = plan_reorder(self.current_order(module), order, "order")
        return reorder, reorder_requests(module, reorder.steps)

    def current_order(self, module: str) -> list[str]:
        """The ids of the module's rules in execution order."""
        module = validate_module(module, "module")
        return [rule_id_of(rule, f"workflow rules of {module}") for rule in self.list_all(module)]

    def reorder(self, module: str, positions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Move rules to absolute positions (idempotent, so retried); returns Zoho's ``reorder`` items.

        Zoho answers only for the rules that moved, so the list may be empty. No positions: no call.
        More than 10 positions: the module's order is read and the same effect is reached by
        successive requests of at most 10 (Zoho's cap), sent in order.
        """
        from airflow_provider_zohocrm.api.reorder import MAX_MOVES_PER_REQUEST, apply_positions, reorder_steps

        module = validate_module(module, "module")
        items = _checked_positions(positions)
        if len(items) <= MAX_MOVES_PER_REQUEST:
            request = reorder_request(module, items)
            return self.send(request) if items else []
        current = self.current_order(module)
        _check_positions_exist(items, current)
        target = apply_positions(current, {item["id"]: item["module_specific_sequence"] for item in items})
        answers: list[dict[str, Any]] = []
        for request in reorder_requests(module, reorder_steps(current, target)):
            answers += self.send(request)
        return answers


def rule_id_of(rule: Any, where: str) -> str:
    """A listed rule's id; a rule without one is a broken answer, not something to skip silently."""
    return listed_id(rule, "workflow_rules", f"a workflow rule in {where}")


def _check_positions_exist(items: list[dict[str, Any]], current: list[str]) -> None:
    """Every id is a rule of the module and every position within its rules (else Zoho fails the first request)."""
    known = set(current)
    problems = [
        f"positions[{index}]: "
        + (
            f"no rule {item['id']} in this module"
            if item["id"] not in known
            else f"position {item['module_specific_sequence']} is past the module's {len(current)} rules"
        )
        for index, item in enumerate(items)
        if item["id"] not in known or item["module_specific_sequence"] > len(current)
    ]
    if problems:
        raise ZohoCRMValidationError(
            "positions is not a valid reorder: " + "; ".join(problems),
            details={"json_path": "positions", "problems": problems},
            hint="Give rule ids of this module and positions between 1 and its number of rules",
        )


def _first(items: list[dict[str, Any]]) -> dict[str, Any]:
    return items[0] if items else {}

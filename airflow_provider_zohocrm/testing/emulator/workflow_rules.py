"""The workflow-rules domain of the Zoho CRM emulator: list, get, create, update, delete and reorder.

Pure Python and thread-agnostic: the server holds a lock around every call. Each API method returns
``(http_status, body_or_None)`` or raises ``ZohoError`` for a whole-request failure; per-item failures are
returned inside the ``workflow_rules`` (or ``reorder``) array, as Zoho does. Bodies are deep copies.

Behaviour follows the v8 pages Update Workflow Rule (incl. activate/deactivate) and Reorder Workflow
Rules. Where they are silent:
- A bad id in the URL is 400 INVALID_DATA ``{"resource_path_index": 3}`` (the OAS value), never 404.
- Triggers: the trigger module picks the categories (Calls, Appointments__s, Emails have their own; any
  other module has Record action, Roll-up, Date and Scoring). Module and trigger module are NOT_ALLOWED
  to change; the same value sent back is fine.
- Per-type action limits count every action of the rule, instant and scheduled; at most 5 scheduled
  groups per rule. Associate actions are added by any digit id (there is no catalogue to check against).
- Locked rules can be updated through the API but not deleted.
- ``delete_schedule_action`` defaults to false and only acts with ``active: false``; its effect is visible
  in ``snapshot()`` as ``scheduled_action_records``.
- Reorder answers for the listed rules whose position changed, in reverse request order (as both samples).
  More than 10 listed rules (Zoho's cap) fail the whole request: 400 ``{"reorder": [INVALID_DATA with
  maximum_length]}``.
- An empty list page is 200 with ``"workflow_rules": []`` and ``info`` (the definitions show no 204 there).
- Scheduled-action delays sent as b_days / b_hours / hrs (the update page's names) are stored and answered as
  business_days / business_hours / hours, the only names the definitions of the GET answer list; a condition
  without instant actions has no ``instant_actions`` key (the definitions do not mark it nullable).
- Error ``json_path`` values point into the request; nodes it did not send are named by their position.

A control-API knob, ``set_status_lag``, makes a rule's next status change through the API show late:
its GETs keep answering the old ``status.active`` for a number of reads, as a slow-to-propagate Zoho
would. A status sensor then has to wait (and a deferrable one to defer) however fast it polls.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.workflow_rule_checks import (
    INVALID_VALUE,
    REQUIRED_MISSING,
    ROOT,
    TRIGGER_PATH,
    as_object,
    is_id,
    item_error,
    require,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rule_conditions import merge_conditions, open_conditions
from airflow_provider_zohocrm.testing.emulator.workflow_rule_requests import (
    list_query,
    param_error,
    parse_moves,
    reordered,
    single_item,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rule_triggers import (
    check_trigger,
    merge_trigger,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rules_seed import (
    API_USER,
    FIRST_NEW_ID,
    OTHER_USER,
    seed_rules,
)
from airflow_provider_zohocrm.testing.emulator.workflow_rules_validation import (
    check_description,
    check_name,
    merge_lock,
    parse_status,
    validate_conditions,
)

Rule = dict[str, Any]
Body = tuple[int, dict[str, Any] | None]  # (HTTP status, JSON body or None for 204)

ACTIVE_LIMIT_PER_MODULE = 75
TOTAL_LIMIT_PER_MODULE = 125
DELETE_IDS_LIMIT = 10
RESOURCE_PATH_INDEX = 3  # /settings/automation/workflow_rules/{id}: the id is the fourth segment after /crm/v8
INNER_KEYS = ("deprecated", "category", "conditions")
CONTROL_EDITABLE = frozenset({"name", "description", "execute_when", "conditions", "lock", "last_executed_time"})
INVALID_ID = "the id given seems to be invalid"
LOCKED = "Sorry, you cannot perform this operation as the record is locked."


def _success(rule_id: str, message: str) -> dict[str, Any]:
    return {"code": "SUCCESS", "details": {"id": rule_id}, "message": message, "status": "success"}


class WorkflowRuleStore:
    """All workflow rules of one emulated org, with each module's execution order."""

    def __init__(self, modules: list[dict[str, Any]], seed: bool = True, clock: Callable[[], float] = time.time):
        self._modules = {m["api_name"]: {"api_name": m["api_name"], "id": m["id"]} for m in modules}
        self._clock = clock
        self._rules: dict[str, Rule] = {}
        self._order: dict[str, list[str]] = {name: [] for name in self._modules}
        self._records: dict[str, dict[str, int]] = {}
        self._next_id = FIRST_NEW_ID
        self._status_lags: dict[str, int] = {}  # rule id -> reads its next API status change shows late
        self._stale: dict[str, tuple[bool, int]] = {}  # rule id -> (status shown, reads left)
        for seeded in seed_rules(self._modules) if seed else []:
            self._insert(copy.deepcopy(seeded.rule), seeded.pending_scheduled_records)

    # --- API: read --------------------------------------------------------------------------------------

    def list_rules(self, params: dict[str, str]) -> Body:
        """GET /settings/automation/workflow_rules: execution order, module by module; an empty page is 200."""
        query = list_query(params, self._modules)
        rules = [self._rules[rid] for module in self._modules for rid in self._order[module]]
        rules = [rule for rule in rules if query.matches(rule)]
        if query.sort_order is not None:
            rules.sort(key=lambda r: datetime.fromisoformat(r["modified_time"]), reverse=query.sort_order == "desc")
        start = (query.page - 1) * query.per_page
        page = rules[start : start + query.per_page]
        items = [copy.deepcopy(rule if query.inner else self._summary(rule)) for rule in page]
        info = {
            "per_page": query.per_page,
            "count": len(items),
            "page": query.page,
            "more_records": start + query.per_page < len(rules),
        }
        return 200, {"workflow_rules": items, "info": info}

    def get_rule(self, rule_id: str) -> Body:
        """GET …/workflow_rules/{id}: the full rule, conditions and actions included (a lagging status stale)."""
        rule = copy.deepcopy(self._rule_at_path(rule_id))
        if rule_id in self._stale:
            shown, left = self._stale[rule_id]
            rule["status"]["active"] = shown
            if left > 1:
                self._stale[rule_id] = (shown, left - 1)
            else:
                del self._stale[rule_id]
        return 200, {"workflow_rules": [rule]}

    # --- API: write -------------------------------------------------------------------------------------

    def create_rule(self, body: Any) -> Body:
        """POST …/workflow_rules: one active rule, appended to its module's execution order."""
        raw = single_item(body)
        try:
            entry = as_object(raw, ROOT)
            rule = self._apply(self._blank_rule(entry), entry, creating=True)
        except ZohoError as error:
            return 400, {"workflow_rules": [error.envelope()]}
        self._insert(rule, pending=0)
        return 201, {"workflow_rules": [_success(rule["id"], "workflow created")]}

    def update_rules(self, rule_id: str | None, body: Any) -> Body:
        """PUT …/workflow_rules[/{id}]: a URL id wins over a body id; one rule per request."""
        target = None if rule_id is None else self._rule_at_path(rule_id)
        raw = single_item(body)
        try:
            entry = as_object(raw, ROOT)
            rule = target if target is not None else self._rule_in_body(entry)
            status = parse_status(entry["status"]) if "status" in entry else None
            draft = self._apply(rule, entry, creating=False)
            if status and status[0] and not rule["status"]["active"]:
                self._check_room(rule["module"]["api_name"], f"{ROOT}.status.active", active_only=True)
        except ZohoError as error:
            return 400, {"workflow_rules": [error.envelope()]}
        if status is not None:
            self._lag_status_change(draft["id"], rule["status"]["active"], status[0])
            self._set_active(draft, *status)
        self._touch(draft, API_USER)
        self._rules[draft["id"]] = draft
        return 200, {"workflow_rules": [_success(draft["id"], "workflow updated")]}

    def delete_rule(self, rule_id: str) -> Body:
        """DELETE …/workflow_rules/{id}; locked rules cannot be deleted."""
        rule = self._rule_at_path(rule_id)
        if rule["lock"]["status"]:
            raise ZohoError(400, "NOT_ALLOWED", LOCKED, {"resource_path_index": RESOURCE_PATH_INDEX})
        self._remove(rule_id)
        return 200, {"workflow_rules": [_success(rule_id, "workflow deleted")]}

    def delete_rules(self, params: dict[str, str]) -> Body:
        """DELETE …/workflow_rules?ids=a,b: each id on its own; 207 when some fail, 400 when all do."""
        ids = [part.strip() for part in params.get("ids", "").split(",") if part.strip()]
        if not ids:
            raise param_error("ids", "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing")
        if len(ids) > DELETE_IDS_LIMIT:
            raise ZohoError(
                400,
                "INVALID_DATA",
                "Ids maximum length exceeded",
                {"maximum_length": DELETE_IDS_LIMIT, "param_name": "ids"},
            )
        module = params.get("module")
        if module is not None and module not in self._modules:
            raise param_error("module", "INVALID_MODULE")
        results = [self._delete_listed(rule_id, module) for rule_id in ids]
        succeeded = sum(item["status"] == "success" for item in results)
        status = 200 if succeeded == len(results) else 400 if succeeded == 0 else 207
        return status, {"workflow_rules": results}

    def reorder(self, params: dict[str, str], body: Any) -> Body:
        """PUT …/actions/reorder?module=: all or nothing; answers only for listed rules that moved."""
        module = params.get("module")
        if not module:
            raise param_error("module", "REQUIRED_PARAM_MISSING", "required param not found")
        if module not in self._modules:
            raise param_error("module", "INVALID_MODULE", "Invalid Module")
        order = self._order[module]
        try:
            moves = parse_moves(body, order)
        except ZohoError as error:
            return 400, {"reorder": [error.envelope()]}
        new_order = reordered(order, moves)
        moved = [rid for rid in reversed(list(moves)) if order.index(rid) != new_order.index(rid)]
        self._order[module] = new_order
        return 200, {"reorder": [_success(rid, "rules reordered successfully") for rid in moved]}

    # --- control API ------------------------------------------------------------------------------------

    def set_status(self, rule_id: str, active: bool) -> None:
        """Flip a rule on or off as someone in the CRM UI would; no limits are checked."""
        rule = self._existing(rule_id)
        rule["status"]["active"] = active
        self._stale.pop(rule_id, None)
        self._touch(rule, OTHER_USER)

    def set_status_lag(self, rule_id: str, reads: int) -> dict[str, Any]:
        """The rule's next status change through the API shows in its GETs only after ``reads`` reads.

        Those reads (GET …/workflow_rules/{id}; listings show the change at once) answer the status
        the rule had before; the change itself is made and answered at once. One change only: the
        lag is used up by it. ``reads=0`` cancels a lag not used yet.
        """
        self._existing(rule_id)
        if isinstance(reads, bool) or not isinstance(reads, int) or not 0 <= reads <= 1000:
            raise ValueError("reads must be a whole number from 0 to 1000")
        if reads:
            self._status_lags[rule_id] = reads
        else:
            self._status_lags.pop(rule_id, None)
        return {"rule_id": rule_id, "reads": reads}

    def edit_rule(self, rule_id: str, **changes: Any) -> None:
        """Simulate another user's edit (e.g. a rename) so clients can observe a changed modified_time."""
        rule = self._existing(rule_id)
        unknown = sorted(set(changes) - CONTROL_EDITABLE)
        if unknown:
            raise ZohoError(400, "INVALID_DATA", f"not editable: {', '.join(unknown)}", {"api_names": unknown})
        rule.update(copy.deepcopy(changes))
        rule["deletable"] = not rule["lock"]["status"]
        self._touch(rule, OTHER_USER)

    def snapshot(self) -> dict[str, Any]:
        """Full JSON-able state: every rule with its position and queued scheduled-action records."""
        rules = [
            {
                **copy.deepcopy(self._rules[rid]),
                "module_specific_sequence": position,
                "scheduled_action_records": dict(self._records[rid]),
            }
            for module in self._modules
            for position, rid in enumerate(self._order[module], start=1)
        ]
        return {"workflow_rules": rules, "order": {module: list(ids) for module, ids in self._order.items()}}

    # --- helpers: lookup and bookkeeping ----------------------------------------------------------------

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id - 1)

    def _now(self) -> str:
        return datetime.fromtimestamp(self._clock(), tz=UTC).isoformat(timespec="seconds")

    def _insert(self, rule: Rule, pending: int) -> None:
        self._rules[rule["id"]] = rule
        self._order[rule["module"]["api_name"]].append(rule["id"])
        self._records[rule["id"]] = {"pending": pending, "deleted": 0}

    def _remove(self, rule_id: str) -> None:
        rule = self._rules.pop(rule_id)
        self._status_lags.pop(rule_id, None)
        self._stale.pop(rule_id, None)
        self._order[rule["module"]["api_name"]].remove(rule_id)
        del self._records[rule_id]

    def _touch(self, rule: Rule, user: dict[str, Any]) -> None:
        rule["modified_time"] = self._now()
        rule["modified_by"] = dict(user)

    def _lag_status_change(self, rule_id: str, before: bool, after: bool) -> None:
        """Arm the stale reads of a lag set with ``set_status_lag`` if this update changes the status."""
        if before == after:
            return
        self._stale.pop(rule_id, None)  # a later change ends an earlier one's stale reads
        if rule_id in self._status_lags:
            self._stale[rule_id] = (before, self._status_lags.pop(rule_id))

    def _set_active(self, rule: Rule, active: bool, delete_schedule_action: bool) -> None:
        """Deactivating with ``delete_schedule_action`` drops the rule's queued scheduled-action records."""
        rule["status"]["active"] = active
        if not active and delete_schedule_action:
            records = self._records[rule["id"]]
            records["deleted"] += records["pending"]
            records["pending"] = 0

    def _existing(self, rule_id: str) -> Rule:
        if rule_id not in self._rules:
            raise ZohoError(404, "NOT_FOUND", "no workflow rule has this id", {"id": rule_id})
        return self._rules[rule_id]

    def _rule_at_path(self, rule_id: str) -> Rule:
        if not is_id(rule_id) or rule_id not in self._rules:
            raise ZohoError(400, "INVALID_DATA", INVALID_ID, {"resource_path_index": RESOURCE_PATH_INDEX})
        return self._rules[rule_id]

    def _rule_in_body(self, entry: dict[str, Any]) -> Rule:
        rule_id = require(entry, "id", ROOT, "The workflow processid is mandatory")
        if not is_id(rule_id) or rule_id not in self._rules:
            raise item_error("INVALID_DATA", INVALID_ID, f"{ROOT}.id")
        return self._rules[rule_id]

    @staticmethod
    def _summary(rule: Rule) -> Rule:
        return {key: value for key, value in rule.items() if key not in INNER_KEYS}

    def _delete_listed(self, rule_id: str, module: str | None) -> dict[str, Any]:
        rule = self._rules.get(rule_id)
        if rule is None or (module is not None and rule["module"]["api_name"] != module):
            return ZohoError(400, "INVALID_DATA", INVALID_ID, {"id": rule_id}).envelope()
        if rule["lock"]["status"]:
            return ZohoError(400, "NOT_ALLOWED", LOCKED, {"id": rule_id}).envelope()
        self._remove(rule_id)
        return _success(rule_id, "WorkFlow Rule deleted successfully")

    def _count(self, module: str, active_only: bool) -> int:
        rules = (self._rules[rid] for rid in self._order[module])
        return sum(1 for rule in rules if rule["status"]["active"] or not active_only)

    def _check_room(self, module: str, path: str, active_only: bool) -> None:
        """Per-module quotas: 125 rules, 75 of them active."""
        if not active_only and self._count(module, False) >= TOTAL_LIMIT_PER_MODULE:
            raise item_error("INVALID_DATA", "Total Rules Limit Exceeds", path, limit=TOTAL_LIMIT_PER_MODULE)
        if self._count(module, True) >= ACTIVE_LIMIT_PER_MODULE:
            raise item_error("INVALID_DATA", "Active Rules Limit Exceeds", path, limit=ACTIVE_LIMIT_PER_MODULE)

    # --- helpers: create and update ---------------------------------------------------------------------

    def _blank_rule(self, entry: dict[str, Any]) -> Rule:
        """The skeleton a create request is merged into, after the create-only checks."""
        for key in ("name", "module", "execute_when", "conditions"):
            require(entry, key, ROOT)
        if entry["conditions"] == []:
            raise item_error("MANDATORY_NOT_FOUND", REQUIRED_MISSING, f"{ROOT}.conditions")
        module = self._resolve_module(entry["module"], f"{ROOT}.module")
        details = as_object(entry["execute_when"], TRIGGER_PATH).get("details")
        given = details.get("trigger_module") if isinstance(details, dict) else None
        path = f"{TRIGGER_PATH}.details.trigger_module"
        trigger_module = module if given is None else self._resolve_module(given, path)
        if "status" in entry and not parse_status(entry["status"])[0]:
            raise item_error("INVALID_DATA", "invalid data", f"{ROOT}.status.active")
        self._check_room(module["api_name"], f"{ROOT}.module", active_only=False)
        now = self._now()
        return {
            "id": self._new_id(),
            "name": None,
            "description": None,
            "module": module,
            "execute_when": {"type": None, "details": {"trigger_module": trigger_module}},
            "status": {"active": True},
            "created_time": now,
            "modified_time": now,
            "created_by": dict(API_USER),
            "modified_by": dict(API_USER),
            "last_executed_time": None,
            "editable": True,
            "deletable": True,
            "source": "crm",
            "lock": {"status": False, "locked_by": None, "message": None},
            "deprecated": False,
            "category": "default",
            "conditions": [],
        }

    def _apply(self, rule: Rule, entry: dict[str, Any], creating: bool) -> Rule:
        """A validated copy of ``rule`` with the request's changes; the store is untouched until commit."""
        draft = copy.deepcopy(rule)
        if not creating:
            self._check_fixed(draft, entry)
        if "name" in entry:
            draft["name"] = check_name(entry["name"])
        if "description" in entry:
            draft["description"] = check_description(entry["description"])
        old_type = None if creating else draft["execute_when"]["type"]
        if "execute_when" in entry:
            draft["execute_when"] = merge_trigger(draft["execute_when"], entry["execute_when"])
        trigger_module = draft["execute_when"]["details"]["trigger_module"]["api_name"]
        category = check_trigger(draft["execute_when"], trigger_module, old_type)
        if "lock" in entry:
            draft["lock"] = merge_lock(draft["lock"], entry["lock"], API_USER)
            draft["deletable"] = not draft["lock"]["status"]
        conditions = open_conditions(draft["conditions"])
        if "conditions" in entry:
            conditions = merge_conditions(conditions, entry["conditions"], self._new_id)
        module = draft["module"]["api_name"]
        draft["conditions"] = validate_conditions(conditions, draft["execute_when"], category, module)
        return draft

    def _check_fixed(self, rule: Rule, entry: dict[str, Any]) -> None:
        """Module and trigger module cannot change; sending the current value back is fine."""
        if "module" in entry and not self._same_module(entry["module"], rule["module"]):
            raise item_error("NOT_ALLOWED", "The module of a workflow rule cannot be changed", f"{ROOT}.module")
        when = entry.get("execute_when")
        details = when.get("details") if isinstance(when, dict) else None
        given = details.get("trigger_module") if isinstance(details, dict) else None
        if given is not None and not self._same_module(given, rule["execute_when"]["details"]["trigger_module"]):
            raise item_error(
                "NOT_ALLOWED",
                "The trigger module of a workflow rule cannot be changed",
                f"{TRIGGER_PATH}.details.trigger_module",
            )

    @staticmethod
    def _same_module(value: Any, module: dict[str, Any]) -> bool:
        if not isinstance(value, dict) or not ({"api_name", "id"} & value.keys()):
            return False
        return all(value[key] == module[key] for key in ("api_name", "id") if key in value)

    def _resolve_module(self, value: Any, path: str) -> dict[str, Any]:
        for module in self._modules.values():
            if self._same_module(value, module):
                return dict(module)
        raise item_error("INVALID_DATA", INVALID_VALUE, path)

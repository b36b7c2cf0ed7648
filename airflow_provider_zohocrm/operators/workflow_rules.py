"""Operators for workflow rules (Update Workflow Rule, Reorder Workflow Rules): reorder, update, (de)activate.

Each validates its inputs before the first request, reads the rule(s) it changes, and writes
only what is not there yet, so a re-run (or an Airflow retry) after success changes nothing and
still succeeds. With ``dry_run=True`` it stops after logging the plan and returns it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_zohocrm.operators.base import ZohoCRMBaseOperator

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context


class ReorderWorkflowRulesOperator(ZohoCRMBaseOperator):
    """Put a module's workflow rules in the wanted execution order, moving as few as possible.

    :param module: the module's API name, e.g. ``"Leads"``.
    :param order: a list of rule ids: these run first, in this order, and the module's other rules
        follow in their current relative order (list every rule to fix the whole order); or a
        mapping rule id -> position from 1: those rules take those positions, the others keep
        their relative order around them.

    Returns ``{"module", "moves", "order", "changed"}``: the ``{id, module_specific_sequence}`` moves,
    each a moved rule's final position (none when the order is right already), and the order read
    back afterwards. Zoho takes at most 10 moves per request: more go out as successive requests,
    each planned on the order the previous one leaves (a dry run's plan lists them all).
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "module", "order")
    template_fields_renderers: ClassVar[dict[str, str]] = {"order": "json"}

    def __init__(self, *, module: str, order: list[str] | dict[str, int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.module = module
        self.order = order

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.coerce import to_structured
        from airflow_provider_zohocrm.exceptions import ZohoCRMError

        rules = self.hook.client.workflow_rules
        reorder, plan = rules.plan_reorder(self.module, to_structured(self.order, "order"))
        module = str(self.module)
        result = {"module": module, "moves": reorder.moves, "order": reorder.order}
        done = self.result_without_write(
            plan, result, f"The {module} rules run in the wanted order already: nothing to move"
        )
        if done is not None:
            return done
        for sent, request in enumerate(plan):
            try:
                rules.send(request)
            except ZohoCRMError:
                if sent:
                    self.log.error("Stopped after %d of %d reorder request(s); a re-run plans again", sent, len(plan))
                raise
        actual = rules.current_order(module)
        if actual != reorder.order:
            raise ZohoCRMError(
                f"Zoho accepted the moves but the {module} rules now run in another order than wanted",
                details={"moves": reorder.moves, "wanted": reorder.order, "actual": actual},
                hint="Check whether another change raced this task, then re-run it: it reads the order again",
            )
        self.log.info(
            "Moved %d %s rule(s) in %d request(s); the order is now %s", len(reorder.moves), module, len(plan), actual
        )
        return {**result, "order": actual, "changed": True}


class UpdateWorkflowRuleOperator(ZohoCRMBaseOperator):
    """Update a workflow rule: name, description, trigger, conditions, actions, lock, status.

    :param rule_id: the rule's id.
    :param rule: the update body for the one rule, as Zoho's Update Workflow Rule page documents it
        (conditions and actions with an id are changed, without one added, with ``"_delete": None`` removed).

    The rule is read first and the update validated against it; only the parts the rule does not
    show yet are sent. Returns ``{"rule_id", "changed", "changed_keys", "message"}``.
    """

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "rule_id", "rule")
    template_fields_renderers: ClassVar[dict[str, str]] = {"rule": "json"}

    def __init__(self, *, rule_id: str, rule: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule_id = rule_id
        self.rule = rule

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.coerce import to_structured

        rules = self.hook.client.workflow_rules
        _, changes, request = rules.plan_update(self.rule_id, to_structured(self.rule, "rule"))
        rule_id = str(self.rule_id)
        plan = [request] if request else []
        changed_keys = sorted(changes)
        result = {"rule_id": rule_id, "changed_keys": changed_keys, "message": None}
        done = self.result_without_write(
            plan, result, f"Workflow rule {rule_id} already has every change asked for: nothing to send"
        )
        if done is not None:
            return done
        answer = (rules.send(plan[0]) or [{}])[0]
        self.log.info("Workflow rule %s: updated %s", rule_id, ", ".join(changed_keys))
        return {**result, "changed": True, "message": answer.get("message")}


class _WorkflowRuleStatusOperator(ZohoCRMBaseOperator):
    """Read the rule's status, then PUT the wanted one only if the rule is not in it."""

    template_fields: Sequence[str] = (*ZohoCRMBaseOperator.template_fields, "rule_id")
    active: ClassVar[bool]

    def __init__(self, *, rule_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule_id = rule_id

    def delete_schedule_action_flag(self) -> bool:
        return False

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_zohocrm.api.workflow_rule_changes import node
        from airflow_provider_zohocrm.api.workflow_rules import status_request

        purge = self.delete_schedule_action_flag()
        rules = self.hook.client.workflow_rules
        current = rules.get(self.rule_id)
        rule_id = str(self.rule_id)
        in_state = node(current.get("status")).get("active") is self.active
        plan = [] if in_state else [status_request(rule_id, self.active, delete_schedule_action=purge)]
        result = {"rule_id": rule_id, "active": self.active}
        state = "active" if self.active else "inactive"
        done = self.result_without_write(plan, result, f"Workflow rule {rule_id} is {state} already: nothing to do")
        if done is not None:
            if in_state and purge and not self.dry_run_enabled:
                self.log.warning("delete_schedule_action had no effect: Zoho applies it only when deactivating")
            return done
        rules.send(plan[0])
        self.log.info("Workflow rule %s is now %s", rule_id, state)
        return {**result, "changed": True}


class ActivateWorkflowRuleOperator(_WorkflowRuleStatusOperator):
    """Activate a workflow rule; already active: success without a write.

    :param rule_id: the rule's id. Returns ``{"rule_id", "active", "changed"}``.
    """

    active = True


class DeactivateWorkflowRuleOperator(_WorkflowRuleStatusOperator):
    """Deactivate a workflow rule; already inactive: success without a write.

    :param rule_id: the rule's id.
    :param delete_schedule_action: also delete the scheduled actions the rule has queued for
        records (default: keep them). Returns ``{"rule_id", "active", "changed"}``.
    """

    template_fields: Sequence[str] = (*_WorkflowRuleStatusOperator.template_fields, "delete_schedule_action")
    active = False

    def __init__(self, *, rule_id: str, delete_schedule_action: bool = False, **kwargs: Any) -> None:
        super().__init__(rule_id=rule_id, **kwargs)
        self.delete_schedule_action = delete_schedule_action

    def delete_schedule_action_flag(self) -> bool:
        from airflow_provider_zohocrm.coerce import to_bool

        return to_bool(self.delete_schedule_action, "delete_schedule_action")

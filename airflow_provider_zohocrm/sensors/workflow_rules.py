"""``WorkflowRuleStatusSensor``: wait until a workflow rule is active (or inactive)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.sensors.base import ZohoCRMStatusSensor
from airflow_provider_zohocrm.validation import validate_id

if TYPE_CHECKING:
    from airflow_provider_zohocrm.triggers.base import ZohoCRMStatusTrigger

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


class WorkflowRuleStatusSensor(ZohoCRMStatusSensor):
    """Wait until a workflow rule's ``status.active`` equals ``active``.

    The XCom value is the rule's current ``status.active`` (a bool). An id that does not exist
    fails the task at the first poke with ``ZohoCRMNotFoundError`` (even with ``soft_fail``,
    which only turns a timeout into a skip).

    :param rule_id: the workflow rule's id (templated).
    :param active: ``True`` (default) to wait until the rule is active, ``False`` until it is
        inactive (templated; ``"true"``/``"false"`` strings from a template are accepted).
    :param zoho_crm_conn_id: the Zoho CRM connection (templated).
    :param deferrable: wait in the triggerer; defaults to ``[operators] default_deferrable``.
    """

    template_fields: Sequence[str] = ("rule_id", "active", "zoho_crm_conn_id")

    def __init__(self, *, rule_id: str, active: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule_id = rule_id
        self.active = active

    def target(self) -> tuple[str, bool]:
        return validate_id(self.rule_id, "rule_id"), _as_bool(self.active, "active")

    def trigger_class(self) -> type[ZohoCRMStatusTrigger]:
        from airflow_provider_zohocrm.triggers.workflow_rules import WorkflowRuleStatusTrigger

        return WorkflowRuleStatusTrigger


def _as_bool(value: Any, param: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ZohoCRMValidationError(
        f"{param} must be True or False; got {value!r}",
        details={"param_name": param},
        hint="Pass active=True to wait for an active rule, active=False for an inactive one",
    )

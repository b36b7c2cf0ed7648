"""``WorkflowRuleStatusSensor``: wait until a workflow rule is active (or inactive)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.sensors.base import ZohoCRMStatusSensor

if TYPE_CHECKING:
    from airflow_provider_zohocrm.triggers.base import ZohoCRMStatusTrigger


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
        from airflow_provider_zohocrm.coerce import to_bool

        # The id is checked by the client on the first poke, before any request and any deferral.
        return self.rule_id, to_bool(self.active, "active")

    def trigger_class(self) -> type[ZohoCRMStatusTrigger]:
        from airflow_provider_zohocrm.triggers.workflow_rules import WorkflowRuleStatusTrigger

        return WorkflowRuleStatusTrigger

"""``WorkflowRuleStatusTrigger``: wait in the triggerer until a workflow rule is (in)active."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.connection import DEFAULT_CONN_ID
from airflow_provider_zohocrm.triggers.base import DEFAULT_POKE_INTERVAL, ZohoCRMStatusTrigger

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient


class WorkflowRuleStatusTrigger(ZohoCRMStatusTrigger):
    """Poll a workflow rule until ``status.active`` equals ``active``; the event's state is that bool.

    :param rule_id: the workflow rule's id.
    :param active: ``True`` to wait for the rule to be active, ``False`` for inactive.
    :param deadline: when to give up, in seconds since the epoch (``None``: never).
    :param poke_interval: seconds between two polls.
    :param zoho_crm_conn_id: the Zoho CRM connection.
    """

    id_kwarg = "rule_id"
    wanted_kwarg = "active"
    object_kind = "workflow rule"

    def __init__(
        self,
        *,
        rule_id: str,
        active: bool = True,
        deadline: float | None = None,
        poke_interval: float = DEFAULT_POKE_INTERVAL,
        zoho_crm_conn_id: str = DEFAULT_CONN_ID,
    ) -> None:
        super().__init__(
            object_id=rule_id,
            wanted=active,
            deadline=deadline,
            poke_interval=poke_interval,
            zoho_crm_conn_id=zoho_crm_conn_id,
        )

    @staticmethod
    def read_state(client: ZohoCRMClient, object_id: str) -> bool:
        """``status.active`` of the rule; ``ZohoCRMNotFoundError`` if the id does not exist."""
        rule = client.workflow_rules.get(object_id)
        status = rule.get("status") if isinstance(rule, dict) else None
        active = status.get("active") if isinstance(status, dict) else None
        if not isinstance(active, bool):
            from airflow_provider_zohocrm.exceptions import ZohoCRMServerError

            raise ZohoCRMServerError(
                f"Zoho CRM returned workflow rule {object_id} without a boolean status.active",
                hint="Check that api_url points at Zoho CRM and the API version is v8",
            )
        return active

    @staticmethod
    def describe(state: Any) -> str:
        if isinstance(state, bool):
            return "active" if state else "inactive"
        return repr(state)

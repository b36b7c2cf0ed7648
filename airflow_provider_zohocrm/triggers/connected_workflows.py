"""``ConnectedWorkflowStatusTrigger``: wait in the triggerer until a connected workflow has a status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_zohocrm.api.connected_workflows import STATUSES
from airflow_provider_zohocrm.connection import DEFAULT_CONN_ID
from airflow_provider_zohocrm.triggers.base import DEFAULT_POKE_INTERVAL, ZohoCRMStatusTrigger

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient

CONNECTED_WORKFLOW_STATUSES = STATUSES


class ConnectedWorkflowStatusTrigger(ZohoCRMStatusTrigger):
    """Poll a connected workflow until its ``status`` equals ``status``; the event's state is that string.

    :param connected_workflow_id: the connected workflow's id.
    :param status: the status to wait for: ``draft``, ``active`` or ``inactive``.
    :param deadline: when to give up, in seconds since the epoch (``None``: never).
    :param poke_interval: seconds between two polls.
    :param zoho_crm_conn_id: the Zoho CRM connection.
    """

    id_kwarg = "connected_workflow_id"
    wanted_kwarg = "status"
    object_kind = "connected workflow"

    def __init__(
        self,
        *,
        connected_workflow_id: str,
        status: str = "active",
        deadline: float | None = None,
        poke_interval: float = DEFAULT_POKE_INTERVAL,
        zoho_crm_conn_id: str = DEFAULT_CONN_ID,
    ) -> None:
        super().__init__(
            object_id=connected_workflow_id,
            wanted=status,
            deadline=deadline,
            poke_interval=poke_interval,
            zoho_crm_conn_id=zoho_crm_conn_id,
        )

    @staticmethod
    def read_state(client: ZohoCRMClient, object_id: str) -> str:
        """The workflow's ``status``; ``ZohoCRMNotFoundError`` if the id does not exist."""
        workflow = client.connected_workflows.get(object_id)
        status = workflow.get("status") if isinstance(workflow, dict) else None
        if not isinstance(status, str):
            from airflow_provider_zohocrm.exceptions import ZohoCRMServerError

            raise ZohoCRMServerError(
                f"Zoho CRM returned connected workflow {object_id} without a status",
                hint="Check that api_url points at Zoho CRM and the API version is v8",
            )
        return status.lower()

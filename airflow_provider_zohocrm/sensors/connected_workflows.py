"""``ConnectedWorkflowStatusSensor``: wait until a connected workflow is draft, active or inactive."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.sensors.base import ZohoCRMStatusSensor

if TYPE_CHECKING:
    from airflow_provider_zohocrm.triggers.base import ZohoCRMStatusTrigger


class ConnectedWorkflowStatusSensor(ZohoCRMStatusSensor):
    """Wait until a connected workflow's ``status`` equals ``status``.

    The XCom value is the workflow's current status (``"draft"``, ``"active"`` or
    ``"inactive"``). An id that does not exist fails the task at the first poke with
    ``ZohoCRMNotFoundError`` (even with ``soft_fail``, which only turns a timeout into a skip).

    :param connected_workflow_id: the connected workflow's id (templated).
    :param status: the status to wait for: ``draft``, ``active`` (default) or ``inactive``
        (templated; checked when the task runs, before any request).
    :param zoho_crm_conn_id: the Zoho CRM connection (templated).
    :param deferrable: wait in the triggerer; defaults to ``[operators] default_deferrable``.
    """

    template_fields: Sequence[str] = ("connected_workflow_id", "status", "zoho_crm_conn_id")

    def __init__(self, *, connected_workflow_id: str, status: str = "active", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.connected_workflow_id = connected_workflow_id
        self.status = status

    def target(self) -> tuple[str, str]:
        from airflow_provider_zohocrm.api.connected_workflows import STATUSES  # not at DAG parse time

        # The id is checked by the client on the first poke, before any request and any deferral.
        workflow_id = self.connected_workflow_id
        status = self.status.strip().lower() if isinstance(self.status, str) else None
        if status not in STATUSES:
            raise ZohoCRMValidationError(
                f"status must be one of {', '.join(STATUSES)}; got {self.status!r}",
                details={"param_name": "status"},
                hint="Connected workflows are draft until published, then active or inactive",
            )
        return workflow_id, status

    def trigger_class(self) -> type[ZohoCRMStatusTrigger]:
        from airflow_provider_zohocrm.triggers.connected_workflows import ConnectedWorkflowStatusTrigger

        return ConnectedWorkflowStatusTrigger

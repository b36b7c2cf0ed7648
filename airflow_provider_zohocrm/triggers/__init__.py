"""Triggers of the Zoho CRM provider: poll automation state in the triggerer for deferrable sensors.

Names resolve lazily (PEP 562): ``from airflow_provider_zohocrm.triggers import X`` imports only
the module that defines X.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_zohocrm._lazy import lazy_exports

_EXPORTS = {
    "ZohoCRMStatusTrigger": "base",
    "WorkflowRuleStatusTrigger": "workflow_rules",
    "ConnectedWorkflowStatusTrigger": "connected_workflows",
}

__all__ = [
    "ConnectedWorkflowStatusTrigger",
    "WorkflowRuleStatusTrigger",
    "ZohoCRMStatusTrigger",
]

if TYPE_CHECKING:
    from airflow_provider_zohocrm.triggers.base import ZohoCRMStatusTrigger
    from airflow_provider_zohocrm.triggers.connected_workflows import ConnectedWorkflowStatusTrigger
    from airflow_provider_zohocrm.triggers.workflow_rules import WorkflowRuleStatusTrigger

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

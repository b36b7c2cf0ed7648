"""Sensors of the Zoho CRM provider: wait for workflow rules, connected workflows and automation files to match.

Names resolve lazily (PEP 562): ``from airflow_provider_zohocrm.sensors import X`` imports only
the module that defines X, which keeps DAG parsing cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_zohocrm._lazy import lazy_exports

_EXPORTS = {
    "ZohoCRMStatusSensor": "base",
    "WorkflowRuleStatusSensor": "workflow_rules",
    "ConnectedWorkflowStatusSensor": "connected_workflows",
    "AutomationVerifySensor": "as_code",
}

__all__ = [
    "AutomationVerifySensor",
    "ConnectedWorkflowStatusSensor",
    "WorkflowRuleStatusSensor",
    "ZohoCRMStatusSensor",
]

if TYPE_CHECKING:
    from airflow_provider_zohocrm.sensors.as_code import AutomationVerifySensor
    from airflow_provider_zohocrm.sensors.base import ZohoCRMStatusSensor
    from airflow_provider_zohocrm.sensors.connected_workflows import ConnectedWorkflowStatusSensor
    from airflow_provider_zohocrm.sensors.workflow_rules import WorkflowRuleStatusSensor

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

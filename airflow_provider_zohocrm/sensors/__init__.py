"""Sensors of the Zoho CRM provider: wait for workflow rules and connected workflows to reach a state.

Names resolve lazily (PEP 562): ``from airflow_provider_zohocrm.sensors import X`` imports only
the module that defines X, which keeps DAG parsing cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ZohoCRMStatusSensor": "base",
    "WorkflowRuleStatusSensor": "workflow_rules",
    "ConnectedWorkflowStatusSensor": "connected_workflows",
}

__all__ = [
    "ConnectedWorkflowStatusSensor",
    "WorkflowRuleStatusSensor",
    "ZohoCRMStatusSensor",
]

if TYPE_CHECKING:
    from airflow_provider_zohocrm.sensors.base import ZohoCRMStatusSensor
    from airflow_provider_zohocrm.sensors.connected_workflows import ConnectedWorkflowStatusSensor
    from airflow_provider_zohocrm.sensors.workflow_rules import WorkflowRuleStatusSensor


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

"""Triggers of the Zoho CRM provider: poll automation state in the triggerer for deferrable sensors.

Names resolve lazily (PEP 562): ``from airflow_provider_zohocrm.triggers import X`` imports only
the module that defines X.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

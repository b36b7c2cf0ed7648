"""Operators of the Zoho CRM provider, one per Zoho action.

Names resolve lazily (PEP 562): ``from airflow_provider_zohocrm.operators import X`` imports only
the module that defines X, which keeps DAG parsing cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_zohocrm._lazy import lazy_exports

_EXPORTS = {
    "ZohoCRMBaseOperator": "base",
    "ReorderWorkflowRulesOperator": "workflow_rules",
    "UpdateWorkflowRuleOperator": "workflow_rules",
    "ActivateWorkflowRuleOperator": "workflow_rules",
    "DeactivateWorkflowRuleOperator": "workflow_rules",
    "CreateConnectedWorkflowOperator": "connected_workflows",
    "ActivateConnectedWorkflowOperator": "connected_workflows",
    "DeactivateConnectedWorkflowOperator": "connected_workflows",
    "UnenrollCadenceOperator": "cadences",
    "SnapshotAutomationOperator": "automation",
    "PauseAutomationOperator": "automation",
    "RestoreAutomationOperator": "automation",
    "AutomationExportOperator": "as_code",
    "AutomationPlanOperator": "as_code",
    "AutomationApplyOperator": "as_code",
    "AutomationVerifyOperator": "as_code",
}

__all__ = [
    "ActivateConnectedWorkflowOperator",
    "ActivateWorkflowRuleOperator",
    "AutomationApplyOperator",
    "AutomationExportOperator",
    "AutomationPlanOperator",
    "AutomationVerifyOperator",
    "CreateConnectedWorkflowOperator",
    "DeactivateConnectedWorkflowOperator",
    "DeactivateWorkflowRuleOperator",
    "PauseAutomationOperator",
    "ReorderWorkflowRulesOperator",
    "RestoreAutomationOperator",
    "SnapshotAutomationOperator",
    "UnenrollCadenceOperator",
    "UpdateWorkflowRuleOperator",
    "ZohoCRMBaseOperator",
]

if TYPE_CHECKING:
    from airflow_provider_zohocrm.operators.as_code import (
        AutomationApplyOperator,
        AutomationExportOperator,
        AutomationPlanOperator,
        AutomationVerifyOperator,
    )
    from airflow_provider_zohocrm.operators.automation import (
        PauseAutomationOperator,
        RestoreAutomationOperator,
        SnapshotAutomationOperator,
    )
    from airflow_provider_zohocrm.operators.base import ZohoCRMBaseOperator
    from airflow_provider_zohocrm.operators.cadences import UnenrollCadenceOperator
    from airflow_provider_zohocrm.operators.connected_workflows import (
        ActivateConnectedWorkflowOperator,
        CreateConnectedWorkflowOperator,
        DeactivateConnectedWorkflowOperator,
    )
    from airflow_provider_zohocrm.operators.workflow_rules import (
        ActivateWorkflowRuleOperator,
        DeactivateWorkflowRuleOperator,
        ReorderWorkflowRulesOperator,
        UpdateWorkflowRuleOperator,
    )

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

"""Everything an API call can read or change; ``reset`` builds a fresh one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow_provider_zohocrm.testing.emulator.cadences import CadenceStore
from airflow_provider_zohocrm.testing.emulator.connected_workflows import ConnectedWorkflowStore
from airflow_provider_zohocrm.testing.emulator.modules import seed_modules
from airflow_provider_zohocrm.testing.emulator.workflow_rules import WorkflowRuleStore


class EmulatorState:
    """The CRM's modules (always present) and the automation stores (seeded or empty)."""

    def __init__(self, seed: bool, clock: Callable[[], float]) -> None:
        self.modules = seed_modules()
        self.workflow_rules = WorkflowRuleStore(self.modules, seed=seed, clock=clock)
        self.connected_workflows = ConnectedWorkflowStore(self.modules, seed, clock)
        self.cadences = CadenceStore(self.modules, seed)

    def snapshot(self) -> dict[str, Any]:
        cadences = self.cadences.snapshot()
        return {
            "modules": [module["api_name"] for module in self.modules],
            "workflow_rules": self.workflow_rules.snapshot(),
            "connected_workflows": self.connected_workflows.snapshot(),
            "cadences": cadences["cadences"],
            "enrollments": cadences["enrollments"],
        }

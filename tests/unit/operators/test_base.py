"""The operators' shared base (operators/base.py): dry_run is a bool, checked when the task is built."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.operators import ActivateWorkflowRuleOperator

RULE_ID = "4876876000010880001"


@pytest.mark.parametrize("dry_run", ["false", "true", None, 0, 1, []])
def test_a_dry_run_that_is_not_a_bool_fails_when_the_dag_is_parsed(dry_run: Any) -> None:
    with pytest.raises(ZohoCRMValidationError) as caught:
        ActivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, dry_run=dry_run)
    assert caught.value.json_path == "dry_run"


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_bool_dry_run_is_kept(dry_run: bool) -> None:
    assert ActivateWorkflowRuleOperator(task_id="t", rule_id=RULE_ID, dry_run=dry_run).dry_run_enabled is dry_run

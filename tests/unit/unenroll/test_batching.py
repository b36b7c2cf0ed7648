"""The un-enroll's one input gate (unenroll/batching.py check_inputs): every bad input is named before any call."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.unenroll.batching import check_inputs
from airflow_provider_zohocrm.unenroll.checkpoint import FileCheckpoint

CADENCE = "4876876000000123001"
RECORD = "4876876000000456001"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"cadence_ids": {CADENCE: 1}}, "cadence_ids"),
        ({"max_workers": 10**5000}, "max_workers"),
        ({"progress": "print"}, "progress"),
        ({"checkpoint": "state.json"}, "checkpoint"),
        ({"checkpoint": object()}, "checkpoint"),
    ],
)
def test_a_bad_input_is_refused_naming_it(changes: dict[str, Any], where: str) -> None:
    args: dict[str, Any] = {"module": "Leads", "record_ids": [RECORD], "cadence_ids": [CADENCE], "max_workers": 2}
    args.update(changes)
    with pytest.raises(ZohoCRMValidationError) as caught:
        check_inputs(**args)
    assert caught.value.json_path == where


def test_a_callable_progress_and_a_checkpoint_pass(tmp_path: Any) -> None:
    inputs = check_inputs(
        "Leads", [RECORD], [CADENCE], 2, progress=lambda update: None, checkpoint=FileCheckpoint(tmp_path / "c.json")
    )
    assert inputs.cadence_ids == [CADENCE]
    assert inputs.total_records == 1

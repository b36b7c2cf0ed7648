"""Each input of an un-enroll is validated once, at the client's gate, whichever way it arrives.

The validators are wrapped in every loaded module of the package that holds them, so a second
check anywhere (an operator, the hook, the engine) would be counted, however it was imported.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import pytest

from airflow_provider_zohocrm import validation
from airflow_provider_zohocrm.operators import UnenrollCadenceOperator
from airflow_provider_zohocrm.unenroll import batching

pytestmark = pytest.mark.integration

MANUAL = "554023000004092008"  # seeded manual-enrollment Contacts cadence
VALIDATORS = {
    "validate_module": validation.validate_module,
    "check_cadence_ids": batching.check_cadence_ids,
    "check_record_ids": batching.check_record_ids,
    "check_max_workers": batching.check_max_workers,
}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counted: Counter[str] = Counter()

    def counting(name: str, original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return original(*args, **kwargs)

        return wrapper

    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("airflow_provider_zohocrm"):
            continue
        for name, original in VALIDATORS.items():
            if getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, counting(name, original))
    return counted


def records(count: int) -> list[str]:
    return [f"554023{1000000000000 + i}" for i in range(count)]


@pytest.mark.parametrize("dry_run", [False, True])
def test_unenroll_operator_validates_each_input_once(zoho_crm_emulator: Any, calls: Counter[str], dry_run: bool):
    operator = UnenrollCadenceOperator(
        task_id="unenroll",
        module="Contacts",
        record_ids=",".join(records(250)),  # rendered template text: converted, then validated once
        cadence_ids=[MANUAL],
        max_workers="4",
        dry_run=dry_run,
    )
    result = operator.execute(context={})
    assert result["records"] == 250
    assert result["calls"] == 3
    assert calls == dict.fromkeys(VALIDATORS, 1)


def test_hook_unenroll_validates_each_input_once(zoho_crm_emulator: Any, calls: Counter[str]):
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    result = ZohoCRMHook().unenroll_from_cadences("Contacts", records(101), [MANUAL], max_workers=2)
    assert result["calls"] == 2
    assert calls == dict.fromkeys(VALIDATORS, 1)

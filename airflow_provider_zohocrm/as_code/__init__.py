"""Zoho CRM automation as code: export, plan, apply and verify workflow rules and connected workflows kept as files.

Airflow-free: it needs only a :class:`~airflow_provider_zohocrm.client.ZohoCRMClient`. The command
line (:mod:`.cli`) and the operators are fronts over these functions:

- :func:`export_state` writes the live state of chosen modules into a directory (:mod:`.files`);
- :func:`make_plan` reads the files and live Zoho and returns a :class:`Plan` of the requests that
  make Zoho equal to the files, with the fingerprint of the live state it was computed from;
- :func:`apply_plan` refuses a plan whose fingerprint no longer matches (``ZohoCRMPlanStaleError``,
  nothing written), else carries it out and verifies the result (:class:`ApplyResult`);
- :func:`verify_state` lists every difference between live Zoho and the files.

The names are imported on first use, so importing the package costs nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_zohocrm.as_code.apply import ApplyResult, apply_plan
    from airflow_provider_zohocrm.as_code.export import export_state
    from airflow_provider_zohocrm.as_code.plan import Plan, make_plan
    from airflow_provider_zohocrm.as_code.verify import verify_state

__all__ = ["ApplyResult", "Plan", "apply_plan", "export_state", "make_plan", "verify_state"]

_WHERE = {
    "ApplyResult": "apply",
    "apply_plan": "apply",
    "export_state": "export",
    "Plan": "plan",
    "make_plan": "plan",
    "verify_state": "verify",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

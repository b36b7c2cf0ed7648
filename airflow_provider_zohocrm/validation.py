"""Checks on anything that goes into a URL, run before any request is sent.

A record or rule id reaches a URL path; a module name reaches a path or query. Allowing only
digits and API-name characters means no user input can change which endpoint is called.
"""

from __future__ import annotations

import re
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

_ID = re.compile(r"^[0-9]{1,30}$")
_MODULE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")


def is_id(value: Any) -> bool:
    """Whether ``value`` is a Zoho id: a string of 1-30 digits, or a positive int.

    No exception on the false path: un-enroll batching checks every record id with it.
    """
    if isinstance(value, str):
        return _ID.fullmatch(value) is not None
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def validate_id(value: Any, param: str) -> str:
    """Return ``value`` as a Zoho id (a string of digits) or raise naming ``param``."""
    if is_id(value):
        return str(value)
    raise ZohoCRMValidationError(
        f"{param} must be a Zoho id, a string of digits; got {_preview(value)}",
        details={"json_path": param},
        hint="Pass the id exactly as Zoho returns it, e.g. '4876876000011150005'",
    )


def validate_module(value: Any, param: str = "module") -> str:
    """Return ``value`` as a module API name (letters, digits, underscores) or raise naming ``param``."""
    if isinstance(value, str) and _MODULE.fullmatch(value):
        return value
    raise ZohoCRMValidationError(
        f"{param} must be a module API name (letters, digits and underscores); got {_preview(value)}",
        details={"json_path": param},
        hint="Use the module's api_name from Zoho (Setup > Developer Hub > APIs), e.g. 'Leads'",
    )


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate_modules(value: Any, param: str = "modules") -> list[str]:
    """At least one module API name (a list or tuple); duplicates dropped, first kept."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ZohoCRMValidationError(
            f"{param} must name at least one module; got {_preview(value)}",
            details={"json_path": param},
            hint="Pass module API names, e.g. ['Leads', 'Contacts']",
        )
    names = [validate_module(name, f"{param}[{index}]") for index, name in enumerate(value)]
    return list(dict.fromkeys(names))

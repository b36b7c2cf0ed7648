"""Operator inputs that may arrive as text: Jinja renders a templated list or dict as a string.

``"{{ ti.xcom_pull('snapshot') }}"`` renders the dict's Python repr unless the DAG sets
``render_template_as_native_obj=True``; ``"{{ params.modules | tojson }}"`` renders JSON. Both are
accepted: JSON first, then a Python literal (``ast.literal_eval`` evaluates literals only).
"""

from __future__ import annotations

import ast
import json
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import validate_module


def is_structured_text(value: Any) -> bool:
    """Text that looks like a rendered list or dict (rather than, say, a path)."""
    return isinstance(value, str) and value.strip()[:1] in ("{", "[")


def parse_structured(value: Any, param: str) -> Any:
    """``value`` itself, or the list/dict its rendered text holds."""
    if not is_structured_text(value):
        return value
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:
        return ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ZohoCRMValidationError(
            f"{param} is text that is neither JSON nor a Python literal",
            details={"json_path": param},
            hint="Pass the value itself (e.g. an XComArg such as task.output), or render it with | tojson",
        ) from None


def module_names(value: Any, param: str = "modules") -> list[str]:
    """A list of module API names from a list, JSON text of one, or ``"Leads, Contacts"``."""
    value = parse_structured(value, param)
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise ZohoCRMValidationError(
            f"{param} must name at least one module; got {value!r}",
            details={"json_path": param},
            hint="Pass module API names, e.g. ['Leads', 'Contacts']",
        )
    names = [validate_module(name, f"{param}[{index}]") for index, name in enumerate(value)]
    return list(dict.fromkeys(names))

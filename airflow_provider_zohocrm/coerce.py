"""Rendered template text into typed values: the one converter every operator and sensor uses.

Jinja renders every templated field as text unless the DAG sets ``render_template_as_native_obj``:
``True`` becomes ``"True"``, ``8`` becomes ``"8"``, a list becomes its Python repr, and
``{{ params.ids | tojson }}`` becomes JSON. These functions turn such text back into the value it
stands for and leave any other value as it is; whether the value is *valid* is decided once, by
the client method (or planner) that receives it, so a bad value is reported in one voice.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import MAX_DEPTH, nesting_depth, preview

_BOOLS = {"true": True, "false": False}
_SEPARATORS = re.compile(r"[,\s]+")
_INT_MAX_DIGITS = 18  # a rendered count or worker number; longer text is left for the receiver to refuse


def to_bool(value: Any, param: str) -> bool:
    """``True``/``False``, or the text ``"true"``/``"false"`` (any case) a rendered bool gives."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLS:
        return _BOOLS[value.strip().lower()]
    raise ZohoCRMValidationError(
        f"{param} must be true or false; got {preview(value)}",
        details={"json_path": param},
        hint="Pass a bool (a template rendering to 'True' or 'False' works too)",
    )


def to_int(value: Any, param: str) -> Any:
    """A rendered whole number (``"8"``) as an int; anything else is left for the receiver's check."""
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdecimal() and len(text) <= _INT_MAX_DIGITS:
        return int(text)
    return value


def is_structured_text(value: Any) -> bool:
    """Text that looks like a rendered list or dict (rather than, say, a path or a name)."""
    return isinstance(value, str) and value.strip()[:1] in ("{", "[")


def to_structured(value: Any, param: str) -> Any:
    """``value`` itself, or the list/dict its rendered text holds: JSON first, then a Python literal.

    Text nested deeper than ``MAX_DEPTH`` (no Zoho value is) is refused whole, so no recursive
    check downstream meets it, and so is a literal that cannot be built (``{[]: 1}``).
    """
    if not is_structured_text(value):
        return value
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        parsed = _literal(value, param)
    if nesting_depth(parsed) > MAX_DEPTH:
        raise ZohoCRMValidationError(
            f"{param} is text of a value nested more than {MAX_DEPTH} levels deep",
            details={"json_path": param},
            hint="Check what renders into this field: no Zoho value nests that deep",
        )
    return parsed


def _literal(text: str, param: str) -> Any:
    try:
        return ast.literal_eval(text.strip())  # literals only: never evaluates code
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        # TypeError: a literal that cannot be built, such as a dict keyed by a list.
        raise ZohoCRMValidationError(
            f"{param} is text that is neither JSON nor a Python literal",
            details={"json_path": param},
            hint="Pass the value itself (e.g. an XComArg such as task.output), or render it with | tojson",
        ) from None


def to_list(value: Any, param: str) -> Any:
    """A rendered list (JSON or literal), or ``"a, b c"`` split on commas and spaces; other values as given.

    Text that names nothing (``""``, ``" , "``) is refused: a template that rendered empty must not
    turn into a task that quietly does nothing. An empty *list* (``[]``, ``"[]"``) is kept as given.
    """
    if not isinstance(value, str):
        return value
    if not is_structured_text(value):
        parts = [part for part in _SEPARATORS.split(value.strip()) if part]
        if not parts:
            raise ZohoCRMValidationError(
                f"{param} is text that names nothing: {preview(value)}",
                details={"json_path": param},
                hint="Check what renders into this field; pass [] (a list) to mean none on purpose",
            )
        return parts
    try:
        parsed = to_structured(value, param)
    except ZohoCRMValidationError:
        parsed = None
    if not isinstance(parsed, list):
        raise ZohoCRMValidationError(
            f"{param} is a string that is not a list: {preview(value)}",
            details={"json_path": param},
            hint="Pass a list (or an XComArg), or set render_template_as_native_obj=True on the DAG",
        )
    return parsed

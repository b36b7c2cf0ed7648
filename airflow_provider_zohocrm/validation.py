"""Checks on anything that goes into a URL or a request body, run before any request is sent.

A record or rule id reaches a URL path; a module name reaches a path or query. Allowing only
digits and API-name characters means no user input can change which endpoint is called. Every
check here raises ``ZohoCRMValidationError`` naming the parameter (its ``json_path``), whatever
it is given: huge integers, NaN, objects nested thousands deep and unhashable values included.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Mapping
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

ID_MAX_DIGITS = 30
_ID = re.compile(rf"^[0-9]{{1,{ID_MAX_DIGITS}}}$")
_ID_LIMIT = 10**ID_MAX_DIGITS
_MODULE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")
PATH_MAX_LENGTH = 1000
_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]+$")
_PARAM_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
PARAM_MAX_LENGTH = 8000
# Deeper than any Zoho body (a criteria tree of nested groups included), far below the recursion limit.
MAX_DEPTH = 100
# A JSON number Zoho can read back: ids have at most 30 digits, counts and positions far fewer.
JSON_INT_LIMIT = _ID_LIMIT

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 50
_REPR.maxother = 50


def preview(value: Any) -> str:
    """A short ``repr`` for messages that never fails: huge ints and deep nesting are summarised."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"
    try:
        return _REPR.repr(value)
    except Exception:  # a repr that raises, or an int too long for str() inside a container
        return f"a {type(value).__name__}"


def invalid(param: str, problem: str, hint: str | None = None, **details: Any) -> ZohoCRMValidationError:
    """The error for the value at ``param`` (a parameter name or JSON path)."""
    return ZohoCRMValidationError(f"{param} {problem}", details={"json_path": param, **details}, hint=hint)


def is_id(value: Any) -> bool:
    """Whether ``value`` is a Zoho id: a string of 1-30 digits, or a positive int of at most 30 digits.

    No exception on the false path: un-enroll batching checks every record id with it.
    """
    if isinstance(value, str):
        return _ID.fullmatch(value) is not None
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < _ID_LIMIT


def validate_id(value: Any, param: str) -> str:
    """Return ``value`` as a Zoho id (a string of digits) or raise naming ``param``."""
    if is_id(value):
        return str(value)
    raise ZohoCRMValidationError(
        f"{param} must be a Zoho id, a string of digits; got {preview(value)}",
        details={"json_path": param},
        hint="Pass the id exactly as Zoho returns it, e.g. '4876876000011150005'",
    )


def validate_module(value: Any, param: str = "module") -> str:
    """Return ``value`` as a module API name (letters, digits, underscores) or raise naming ``param``."""
    if isinstance(value, str) and _MODULE.fullmatch(value):
        return value
    raise ZohoCRMValidationError(
        f"{param} must be a module API name (letters, digits and underscores); got {preview(value)}",
        details={"json_path": param},
        hint="Use the module's api_name from Zoho (Setup > Developer Hub > APIs), e.g. 'Leads'",
    )


def validate_bool(value: Any, param: str) -> bool:
    """``value`` if it is ``True`` or ``False``; text such as ``"false"`` is refused (it is truthy)."""
    if isinstance(value, bool):
        return value
    raise invalid(param, f"must be true or false; got {preview(value)}", "Pass a bool")


def validate_modules(value: Any, param: str = "modules") -> list[str]:
    """At least one module API name (a list or tuple); duplicates dropped, first kept."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ZohoCRMValidationError(
            f"{param} must name at least one module; got {preview(value)}",
            details={"json_path": param},
            hint="Pass module API names, e.g. ['Leads', 'Contacts']",
        )
    names = [validate_module(name, f"{param}[{index}]") for index, name in enumerate(value)]
    return list(dict.fromkeys(names))


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deep lists, tuples and dicts nest in ``value``, counted without recursion up to ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Mapping):
            children: Any = node.values()
        elif isinstance(node, (list, tuple)):
            children = node
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def check_depth(value: Any, param: str, limit: int = MAX_DEPTH) -> None:
    """Refuse lists and objects nested more than ``limit`` deep (no Zoho body is)."""
    if nesting_depth(value, limit) > limit:
        raise invalid(param, f"is nested more than {limit} levels deep", "Zoho bodies are a few levels deep")


def check_json_value(value: Any, param: str = "json") -> None:
    """Refuse what JSON cannot carry to Zoho as given: NaN/infinity, ints past 30 digits, non-text keys,
    objects that are not JSON (sets, bytes, Decimal ...), nesting deeper than ``MAX_DEPTH``.

    Errors name the JSON path of the value, e.g. ``json.workflow_rules[0].lock.message``.
    """
    stack: list[tuple[Any, str, int]] = [(value, param, 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise invalid(param, f"is nested more than {MAX_DEPTH} levels deep", "Zoho bodies are a few levels deep")
        if node is None or isinstance(node, (str, bool)):
            continue
        if isinstance(node, int):
            if not -JSON_INT_LIMIT < node < JSON_INT_LIMIT:
                raise invalid(path, f"is {preview(node)}; numbers must have at most {ID_MAX_DIGITS} digits")
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise invalid(path, f"is {node!r}; JSON has no NaN or infinity", "Pass a finite number or null")
        elif isinstance(node, dict):
            for key, child in node.items():
                if not isinstance(key, str):
                    raise invalid(path, f"has the key {preview(key)}; JSON object keys are text")
                stack.append((child, f"{path}.{key}", depth + 1))
        elif isinstance(node, (list, tuple)):
            stack.extend((child, f"{path}[{index}]", depth + 1) for index, child in enumerate(node))
        else:
            raise invalid(
                path, f"is {preview(node)}, which JSON cannot carry", "Use text, numbers, bools, lists, dicts"
            )


def check_path(path: Any, param: str = "path") -> str:
    """A relative API path of plain segments (no scheme, host, ``..``, query or fragment)."""
    if (
        not isinstance(path, str)
        or not path
        or len(path) > PATH_MAX_LENGTH
        or not all(_SEGMENT.fullmatch(segment) for segment in path.split("/"))
    ):
        raise invalid(
            param,
            f"must be relative to the API root, made of letters, digits, '_' and '-' segments; got {preview(path)}",
            "Pass e.g. 'settings/automation/workflow_rules' and put query values in params",
        )
    return path


def check_params(params: Any, param: str = "params") -> None:
    """Query parameters: ``None`` or a mapping of names to text, whole numbers or lists of them."""
    if params is None:
        return
    if not isinstance(params, Mapping):
        raise invalid(param, f"must be a mapping of query parameters; got {preview(params)}", "Pass e.g. {'page': 1}")
    for key, value in params.items():
        if not isinstance(key, str) or not _PARAM_NAME.fullmatch(key):
            raise invalid(param, f"has the name {preview(key)}; names are letters, digits, '_', '.' and '-'")
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            _check_param_value(item, f"{param}.{key}")


def _check_param_value(value: Any, path: str) -> None:
    if isinstance(value, str):
        if len(value) > PARAM_MAX_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise invalid(path, f"must be printable text of at most {PARAM_MAX_LENGTH} characters")
        return
    if isinstance(value, int) and not isinstance(value, bool) and -JSON_INT_LIMIT < value < JSON_INT_LIMIT:
        return
    raise invalid(
        path,
        f"is {preview(value)}; a query value is text or a whole number (or a list of them)",
        "Pass bools as 'true'/'false', and leave out a parameter rather than passing None",
    )


def check_request_args(method: Any, path: Any, params: Any, json: Any, *, retry: Any = True) -> str:
    """Every argument of ``request(method, path, *, params, json, retry)``; returns the method upper-cased.

    The transport calls it before it sends anything, so a bad argument costs no request (not even a
    token request) and fails naming the argument (``json.a.b`` for a value deep in the body).
    """
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise invalid("method", f"must be one of {', '.join(METHODS)}; got {preview(method)}")
    check_path(path)
    check_params(params)
    if json is not None:
        if not isinstance(json, (dict, list)):
            raise invalid("json", f"must be a JSON object or array (or None); got {preview(json)}")
        check_json_value(json, "json")
    validate_bool(retry, "retry")
    return method.upper()


PLANNED_KEYS = ("method", "path", "params", "json")


def check_planned_request(request: Any, param: str = "request") -> None:
    """A ``PlannedRequest`` as the API modules' builders make it (e.g. from ``plan_create``)."""
    if not isinstance(request, Mapping) or any(key not in request for key in PLANNED_KEYS):
        raise invalid(
            param,
            f"must be a planned request with {', '.join(PLANNED_KEYS)}; got {preview(request)}",
            "Pass a request built by the client's plan_* methods or the API modules' *_request builders",
        )
    try:
        check_request_args(request["method"], request["path"], request["params"], request["json"])
    except ZohoCRMValidationError as exc:
        where = f"{param}.{exc.json_path}" if exc.json_path else param
        raise invalid(where, exc.message.split(" ", 1)[1], exc.hint) from None

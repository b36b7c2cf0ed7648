"""The error shapes and primitive checks every workflow-rule check of the emulator is built from.

Every check raises a per-item ``ZohoError`` whose details carry ``api_name`` and ``json_path`` the way Zoho
does, so a client can point at what it sent. While a write is validated, nodes that came from the request
carry their request path under ``PATH_KEY``; nodes the request did not touch are named by their position in
the rule as it would be after the write (``located``). ``close_conditions`` strips the marks before anything
is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError

Node = dict[str, Any]
IdFactory = Callable[[], str]

ROOT = "$.workflow_rules[0]"
CONDITIONS_PATH = f"{ROOT}.conditions"
TRIGGER_PATH = f"{ROOT}.execute_when"
PATH_KEY = "_json_path"

INVALID_TYPE = "Invalid data type"
INVALID_VALUE = "The value given seems to be invalid."
REQUIRED_MISSING = "Required field is missing"
DEPENDENT_MISSING = "A dependent field is missing"
INVALID_ACTION_ID = "Invalid action ID"
INVALID_CONDITION_ID = "This given conditionid seems to be invalid"
CONFLICTING_CONFIG = "This error may occur due to conflicting configurations in your workflow rule"
NULL_DEPENDENT = "The dependent value should be null for the selected trigger"

NAME_MAX_LENGTH = 100

_LAST_KEY = re.compile(r"([A-Za-z_]+)(?:\[\d+\])?$")


def item_error(code: str, message: str, path: str, **extra: Any) -> ZohoError:
    """A 400 error for one item; ``api_name`` is the last key of ``path`` unless given in ``extra``."""
    return ZohoError(400, code, message, {"api_name": _api_name(path), "json_path": path, **extra})


def ambiguity(message: str, *paths: str) -> ZohoError:
    """The AMBIGUITY_DURING_PROCESSING shape Zoho uses: every conflicting node in ``ambiguity_due_to``."""
    due_to = [{"api_name": _api_name(path), "json_path": path} for path in paths]
    return ZohoError(400, "AMBIGUITY_DURING_PROCESSING", message, {"ambiguity_due_to": due_to})


def limit_error(message: str, path: str, limit: int) -> ZohoError:
    return item_error("LIMIT_EXCEEDED", message, path, limit=limit)


def dependent_error(code: str, message: str, path: str, dependee_path: str) -> ZohoError:
    """DEPENDENT_* errors also name the field the failing one depends on."""
    return item_error(code, message, path, dependee=dependee(dependee_path))


def _api_name(path: str) -> str:
    match = _LAST_KEY.search(path)
    return match.group(1) if match else path


def dependee(path: str) -> Node:
    """The ``dependee`` detail of DEPENDENT_* errors."""
    return {"api_name": _api_name(path), "json_path": path}


def as_object(value: Any, path: str) -> Node:
    """``value`` if it is a JSON object, else the INVALID_DATA Zoho returns for a wrong type."""
    if not isinstance(value, dict):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="jsonobject")
    return value


def as_array(value: Any, path: str) -> list[Any]:
    """``value`` if it is a JSON array."""
    if not isinstance(value, list):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="jsonarray")
    return value


def as_bool(value: Any, path: str) -> bool:
    """``value`` if it is a JSON boolean."""
    if not isinstance(value, bool):
        raise item_error("INVALID_DATA", INVALID_TYPE, path, expected_data_type="boolean")
    return value


def is_int(value: Any) -> bool:
    """True for JSON integers (``bool`` is an ``int`` in Python but not in JSON)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_id(value: Any) -> bool:
    """Zoho ids are strings of digits."""
    return isinstance(value, str) and value.isdigit()


def require(entry: Node, key: str, path: str, message: str = REQUIRED_MISSING) -> Any:
    """``entry[key]``, or MANDATORY_NOT_FOUND when it is absent or null."""
    if entry.get(key) is None:
        raise item_error("MANDATORY_NOT_FOUND", message, f"{path}.{key}")
    return entry[key]


def wants_delete(entry: Node, path: str) -> bool:
    """True when the node asks to be removed: the documented signal is ``"_delete": null``."""
    if "_delete" not in entry:
        return False
    if entry["_delete"] is not None:
        raise item_error("INVALID_DATA", INVALID_VALUE, f"{path}._delete")
    return True


def find_by_id(nodes: list[Node], node_id: Any) -> Node | None:
    return next((node for node in nodes if node_id is not None and node["id"] == node_id), None)


def located(node: Node, fallback: str) -> str:
    """Where ``node`` sits: its request path if the request sent it, else ``fallback`` (its position)."""
    return str(node.get(PATH_KEY, fallback))

"""Pure checks of the documented Create Connected Workflow rules (Create Connected Workflow).

They run before any request, so a bad name or module never costs an API call. Client-side errors
carry the code Zoho would answer with (``MANDATORY_NOT_FOUND``, ``INVALID_DATA``,
``EXPECTED_FIELD_MISSING``) so callers can branch on one code whoever raised it.
"""

from __future__ import annotations

import re
from typing import Any

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import validate_id, validate_module

MAX_NAME_LENGTH = 50
MAX_DESCRIPTION_LENGTH = 500
# The Create Connected Workflow page: [0-9a-zA-Z_\-\\.\|\$\?\,\'\/\!\P{InBasicLatin}\s]+ . Without the `regex` package,
# \P{InBasicLatin} is "any code point above U+007F", and \s is Java's [ \t\n\x0B\f\r] (Python's
# \s would also admit the ASCII separators \x1c-\x1f, which Zoho's Java pattern rejects).
NAME_PATTERN = re.compile(r"[0-9a-zA-Z_\-\\.|$?,'/! \t\n\x0b\f\r\u0080-\U0010ffff]+")
_NAME_PATH = "name"
_JAVA_SPACE = " \t\n\x0b\f\r"
_MODULE_KEYS = ("api_name", "id")


def validate_name(name: Any) -> str:
    """The connected workflow name: required, at most 50 characters, the documented characters only."""
    if name is None or (isinstance(name, str) and not name.strip(_JAVA_SPACE)):
        raise _error("name is required", _NAME_PATH, "MANDATORY_NOT_FOUND", "Give the connected workflow a name")
    if not isinstance(name, str):
        raise _error(f"name must be a string; got {type(name).__name__}", _NAME_PATH)
    if len(name) > MAX_NAME_LENGTH:
        raise _error(
            f"name is {len(name)} characters long; Zoho allows at most {MAX_NAME_LENGTH}",
            _NAME_PATH,
            hint="Shorten the name",
        )
    if not NAME_PATTERN.fullmatch(name):
        bad = sorted({ch for ch in name if not NAME_PATTERN.fullmatch(ch)})
        raise _error(
            f"name contains characters Zoho does not allow: {''.join(bad)!r}",
            _NAME_PATH,
            hint="Use letters, digits, spaces, non-ASCII characters and _ - \\ . | $ ? , ' / ! only",
        )
    return name


def validate_description(description: Any) -> str | None:
    """An optional description of at most 500 characters."""
    if description is None:
        return None
    if not isinstance(description, str):
        raise _error(f"description must be a string; got {type(description).__name__}", "description")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise _error(
            f"description is {len(description)} characters long; Zoho allows at most {MAX_DESCRIPTION_LENGTH}",
            "description",
            hint="Shorten the description",
        )
    return description


def validate_primary_module(primary_module: Any) -> dict[str, str]:
    """``"Leads"`` or ``{"api_name": ..., "id": ...}`` (either key or both) as the request's object."""
    if isinstance(primary_module, str):
        return {"api_name": validate_module(primary_module, "primary_module")}
    if not isinstance(primary_module, dict):
        raise _error(
            f"primary_module must be a module API name or a dict with api_name and/or id; "
            f"got {type(primary_module).__name__}",
            "primary_module",
        )
    unknown = sorted(str(key) for key in primary_module if key not in _MODULE_KEYS)
    if unknown:
        raise _error(f"primary_module has unknown keys {unknown}; only api_name and id", "primary_module")
    module: dict[str, str] = {}
    if primary_module.get("api_name") is not None:
        module["api_name"] = validate_module(primary_module["api_name"], "primary_module.api_name")
    if primary_module.get("id") is not None:
        module["id"] = validate_id(primary_module["id"], "primary_module.id")
    if not module:
        raise _error(
            "primary_module needs api_name or id (or both)",
            "primary_module",
            "EXPECTED_FIELD_MISSING",
            "Give the module's API name, e.g. {'api_name': 'Contacts'}",
        )
    return module


def create_body(name: Any, primary_module: Any, description: Any = None) -> dict[str, Any]:
    """The validated body of ``POST settings/connected_workflows`` (one object, as documented)."""
    item: dict[str, Any] = {"name": validate_name(name)}
    text = validate_description(description)
    if text is not None:
        item["description"] = text
    item["primary_module"] = validate_primary_module(primary_module)
    return {"connected_workflows": [item]}


def same_module(wanted: dict[str, str], existing: Any) -> bool:
    """True when a listed workflow's ``primary_module`` is the module ``wanted`` names."""
    if not isinstance(existing, dict):
        return False
    if "id" in wanted and str(existing.get("id")) == wanted["id"]:
        return True
    return "api_name" in wanted and str(existing.get("api_name") or "").lower() == wanted["api_name"].lower()


def _error(message: str, path: str, code: str = "INVALID_DATA", hint: str | None = None) -> ZohoCRMValidationError:
    return ZohoCRMValidationError(message, code=code, details={"json_path": path}, hint=hint)

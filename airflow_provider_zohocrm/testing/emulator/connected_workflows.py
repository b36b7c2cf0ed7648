"""Connected workflows: create (as draft), list, get, activate and deactivate.

Choices where Zoho's pages are silent:
- Whole-request validation errors of create come back as one top-level error object (HTTP 400),
  not wrapped in the ``connected_workflows`` array: a create takes exactly one object.
- Activating an active workflow and deactivating an inactive one answer SUCCESS again
  (idempotent, so retries are safe). Zoho's sibling cadence API answers such a repeat with 400
  ``ALREADY_ACTIVATED`` / ``ALREADY_DEACTIVATED`` instead; ``answer_already_in_state(True)``
  makes this store answer so too, for clients that must accept either.
- Deactivating a draft is 400 INVALID_DATA ("connected workflow in draft status cannot be
  deactivated", details ``{"status": "draft"}``): a draft was never published, so there is
  nothing to deactivate.
- An empty list answers 204, like Zoho's other settings GETs.
- Names are unique case-insensitively.

Seeds: Leads (active, id 4876876000019209007, the page-000 sample), Accounts (inactive),
Vendors (draft). Contacts, Deals and Projects are free for creation; the first workflow created
gets id 4876876000019340001 (the page-001 sample response).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.org import ADMIN, org_time
from airflow_provider_zohocrm.testing.emulator.paging import paginate

KEY = "connected_workflows"
MAX_NAME = 50
MAX_DESCRIPTION = 500
# Zoho's [0-9a-zA-Z_\-\\.\|\$\?\,\'\/\!\P{InBasicLatin}\s]+ ; \P{InBasicLatin} = any code point above U+007F.
NAME_PATTERN = re.compile(r"[0-9a-zA-Z_\-\\.|$?,'/!\s\u0080-\U0010ffff]+")
_ID_PATH_INDEX = 2  # settings/connected_workflows/{id}
_SEED = [
    ("4876876000019209007", "Lead Qualification Process", "Leads", "active", "Qualify and route new leads"),
    ("4876876000019209021", "Account Onboarding", "Accounts", "inactive", "Onboarding steps for accounts"),
    ("4876876000019209035", "Vendor Review", "Vendors", "draft", None),
]
_SEED_TIME = 1_761_800_000.0  # 2025-10-30


def _invalid(message: str, field: str, index_path: str, **extra: Any) -> ZohoError:
    return ZohoError(400, "INVALID_DATA", message, {"api_name": field, "json_path": index_path, **extra})


class ConnectedWorkflowStore:
    def __init__(self, modules: list[dict[str, Any]], seed: bool, clock: Callable[[], float]) -> None:
        self._modules = modules
        self._clock = clock
        self._workflows: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(4876876000019340001)
        self._sequence = itertools.count(1)
        self.already_in_state_errors = False
        if seed:
            for wf_id, name, module_name, status, description in _SEED:
                module = next(m for m in modules if m["api_name"] == module_name)
                self._workflows[wf_id] = self._new(wf_id, name, description, module, status, _SEED_TIME)

    def list_workflows(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any] | None]:
        return paginate(KEY, sorted(self._workflows.values(), key=lambda w: w["sequence_number"]), params)

    def get(self, workflow_id: str) -> tuple[int, dict[str, Any]]:
        return 200, {KEY: [self._find(workflow_id)]}

    def create(self, body: Any) -> tuple[int, dict[str, Any]]:
        item = self._single_item(body)
        path = f"$.{KEY}[0]"
        name = item.get("name")
        if name is None or name == "":
            raise ZohoError(400, "MANDATORY_NOT_FOUND", "Required field not found", _field("name", path))
        if not isinstance(name, str):
            raise _invalid("invalid data", "name", f"{path}.name", expected_data_type="string")
        if len(name) > MAX_NAME:
            message = "Name field exceeds maximum length of 50 characters"
            raise _invalid(message, "name", f"{path}.name", maximum_length=MAX_NAME)
        if not NAME_PATTERN.fullmatch(name):
            raise _invalid(
                "The value of the name field does not match the allowed regex pattern",
                "name",
                f"{path}.name",
                regex=NAME_PATTERN.pattern,
            )
        description = item.get("description")
        if description is not None and not isinstance(description, str):
            raise _invalid("invalid data", "description", f"{path}.description", expected_data_type="string")
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise _invalid(
                "Description field exceeds maximum length of 500 characters",
                "description",
                f"{path}.description",
                maximum_length=MAX_DESCRIPTION,
            )
        module = self._primary_module(item, path)
        if any(w["name"].casefold() == name.casefold() for w in self._workflows.values()):
            raise ZohoError(400, "DUPLICATE_DATA", "Duplicate connected workflow name", _field("name", path))
        if any(w["primary_module"]["id"] == module["id"] for w in self._workflows.values()):
            raise ZohoError(
                400,
                "LIMIT_EXCEEDED",
                "Cannot create more connected workflows: only one is allowed per primary module",
                {**_field("primary_module", path), "limit": 1},
            )
        workflow_id = str(next(self._ids))
        self._workflows[workflow_id] = self._new(workflow_id, name, description, module, "draft", self._clock())
        return 201, _success(workflow_id, "connected workflow created successfully")

    def answer_already_in_state(self, enabled: bool) -> None:
        """Python control API: answer a repeated activate / deactivate with Zoho's ALREADY_* errors."""
        self.already_in_state_errors = bool(enabled)

    def activate(self, workflow_id: str) -> tuple[int, dict[str, Any]]:
        workflow = self._find(workflow_id)
        if self.already_in_state_errors and workflow["status"] == "active":
            message = "The connected workflow is already activated"
            raise ZohoError(400, "ALREADY_ACTIVATED", message, {"resource_path_index": _ID_PATH_INDEX})
        self._set_status(workflow, "active")
        return 200, _success(workflow["id"], "connected workflow activated successfully")

    def deactivate(self, workflow_id: str) -> tuple[int, dict[str, Any]]:
        workflow = self._find(workflow_id)
        if workflow["status"] == "draft":
            raise ZohoError(
                400,
                "INVALID_DATA",
                "connected workflow in draft status cannot be deactivated",
                {"status": "draft"},
            )
        if self.already_in_state_errors and workflow["status"] == "inactive":
            raise ZohoError(400, "ALREADY_DEACTIVATED", "The connected workflow is already deactivated", {})
        self._set_status(workflow, "inactive")
        return 200, _success(workflow["id"], "connected workflow deactivated successfully")

    def force_status(self, workflow_id: str, status: str) -> dict[str, Any]:
        """Control API: flip a workflow to any status, as a user in the CRM UI could."""
        if status not in ("active", "inactive", "draft"):
            raise ValueError("status must be active, inactive or draft")
        workflow = self._workflows.get(workflow_id)
        if workflow is None:
            raise KeyError(f"no connected workflow {workflow_id}")
        self._set_status(workflow, status)
        return dict(workflow)

    def snapshot(self) -> list[dict[str, Any]]:
        return [dict(w) for w in sorted(self._workflows.values(), key=lambda w: w["sequence_number"])]

    def _find(self, workflow_id: str) -> dict[str, Any]:
        workflow = self._workflows.get(workflow_id) if workflow_id.isdigit() else None
        if workflow is None:
            raise ZohoError(
                400,
                "INVALID_DATA",
                "The given ID seems to be invalid",
                {"resource_path_index": _ID_PATH_INDEX},
            )
        return workflow

    def _set_status(self, workflow: dict[str, Any], status: str) -> None:
        if workflow["status"] != status:
            workflow["status"] = status
            workflow["modified_time"] = org_time(self._clock())
            workflow["modified_by"] = dict(ADMIN)

    def _single_item(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ZohoError(400, "INVALID_DATA", "invalid data", {"expected_data_type": "jsonobject"})
        items = body.get(KEY)
        if items is None:
            raise ZohoError(400, "MANDATORY_NOT_FOUND", "Required field not found", _field(KEY, "$"))
        if not isinstance(items, list):
            raise _invalid("invalid data", KEY, f"$.{KEY}", expected_data_type="jsonarray")
        if len(items) != 1:
            raise _invalid("exactly one connected workflow must be given", KEY, f"$.{KEY}", maximum_length=1)
        if not isinstance(items[0], dict):
            raise _invalid("invalid data", KEY, f"$.{KEY}[0]", expected_data_type="jsonobject")
        return items[0]

    def _primary_module(self, item: dict[str, Any], item_path: str) -> dict[str, Any]:
        raw = item.get("primary_module")
        path = f"{item_path}.primary_module"
        if raw is None:
            raise ZohoError(400, "MANDATORY_NOT_FOUND", "Required field not found", _field("primary_module", item_path))
        if not isinstance(raw, dict):
            raise _invalid("invalid data", "primary_module", path, expected_data_type="jsonobject")
        keys = [key for key in ("api_name", "id") if raw.get(key) is not None]
        if not keys:
            expected = [{"api_name": key, "json_path": f"{path}.{key}"} for key in ("api_name", "id")]
            raise ZohoError(400, "EXPECTED_FIELD_MISSING", "Expected field missing", {"expected_fields": expected})
        found = [self._module_where(key, raw[key], path) for key in keys]
        if found[-1] is not found[0]:
            ambiguous = [{"api_name": key, "json_path": f"{path}.{key}"} for key in keys]
            raise ZohoError(
                400,
                "AMBIGUITY_DURING_PROCESSING",
                "Ambiguity while processing the request",
                {"ambiguity_due_to": ambiguous},
            )
        return found[0]

    def _module_where(self, key: str, value: Any, path: str) -> dict[str, Any]:
        for module in self._modules:
            if str(module[key]) == str(value):
                return module
        raise _invalid("The module is invalid", key, f"{path}.{key}")

    def _new(
        self,
        workflow_id: str,
        name: str,
        description: str | None,
        module: dict[str, Any],
        status: str,
        created: float,
    ) -> dict[str, Any]:
        module_ref = {"api_name": module["api_name"], "id": module["id"]}
        return {
            "id": workflow_id,
            "name": name,
            "description": description,
            "status": status,
            "sequence_number": next(self._sequence),
            "created_time": org_time(created),
            "created_by": dict(ADMIN),
            "modified_time": org_time(created),
            "modified_by": dict(ADMIN),
            "primary_module": module_ref,
            "involved_modules": [dict(module_ref)],
        }


def _field(name: str, item_path: str) -> dict[str, str]:
    return {"api_name": name, "json_path": f"{item_path}.{name}"}


def _success(workflow_id: str, message: str) -> dict[str, Any]:
    return {KEY: [{"code": "SUCCESS", "details": {"id": workflow_id}, "message": message, "status": "success"}]}

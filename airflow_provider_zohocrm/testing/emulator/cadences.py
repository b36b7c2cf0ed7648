"""Cadences: the list, and manual enrol/unenrol of records with the enrollment state they change.

Records are not stored. Any all-digit id of 15-19 digits is a record that exists in every
module, except ids starting with ``999`` (``MISSING_RECORD_PREFIX``), which never exist, so
tests can provoke per-record INVALID_DATA and a 207. Only enrollments are kept, as a set of
record ids per cadence, so unenrolling millions of ids keeps memory flat.

Shapes as Zoho's definitions show them (zoho/crm-oas v8.0, getCadences / getCadence): the list
labels ``type`` for display (``"Manual enrollment"``, ``"Custom view"``), a single cadence
(``GET settings/automation/cadences/{id}``, the control API's answers, the snapshot) uses the key
(``manual_enrollment``, ``custom_view``). Bodies carry Zoho's extra keys (``description``,
``summary.whatsapp_follow_up_count``); ``execution_details.type`` is null for a manual cadence and
``automatic_unenroll`` for a custom-view one, as in Zoho's list example; a manual cadence has no
``custom_view``.

Choices where Zoho's pages are silent:
- Enrol/unenrol with a cadence that is not ``manual_enrollment`` is NOT_ALLOWED for the whole request.
- Unenrolling a record that is not enrolled is SUCCESS (idempotent, so retries are safe);
  enrolling an enrolled record is SUCCESS too.
- Every record ok → 200; some failed → 207; all failed → 400 with the same ``data`` array.
- An empty ``ids``/``cadences_ids`` array counts as missing (MANDATORY_NOT_FOUND).
- When both the 5-cadence and the 100-record limits are exceeded, ``details.limit_due_to`` lists
  both and each entry carries its own ``limit`` (there is no single top-level ``limit``).
- A cadence of another module than the URL's is an unknown id (INVALID_DATA).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.org import ADMIN, org_time
from airflow_provider_zohocrm.testing.emulator.paging import paginate

MAX_CADENCES = 5
MAX_RECORDS = 100
MISSING_RECORD_PREFIX = "999"
STANDARD_MODULES = ("Leads", "Contacts", "Deals", "Vendors")
_RECORD_ID = re.compile(r"[0-9]{15,19}")
_SEED_TIME = 1_761_000_000.0  # 2025-10-21
_END_DATE = "2026-12-31"
_LABELS = {"manual_enrollment": "Manual enrollment", "custom_view": "Custom view"}
_ID_PATH_INDEX = 3  # settings/automation/cadences/{id}
# (id, name, module, manual?, follow-ups (email, task, call), enrolled record ids)
_SEED = [
    ("554023000004092001", "Lead Nurture - Manual", "Leads", True, (3, 1, 1), ["554023000001798101"]),
    ("554023000004092002", "New Lead Welcome", "Leads", False, (2, 0, 1), ["554023000001798102"]),
    (
        "554023000004092008",
        "CadenceTest1",
        "Contacts",
        True,
        (2, 2, 0),
        ["554023000001798647", "554023000001625028"],
    ),
    ("554023000004092009", "Contact Re-engagement", "Contacts", False, (4, 0, 0), []),
    ("554023000004092015", "Deal Follow-up", "Deals", True, (1, 2, 2), ["554023000001799001"]),
    ("554023000004092016", "Stalled Deal Alert", "Deals", False, (0, 1, 1), []),
]


class CadenceStore:
    def __init__(self, modules: list[dict[str, Any]], seed: bool) -> None:
        supported = [m for m in modules if m["api_name"] in STANDARD_MODULES or m["generated_type"] == "custom"]
        self._modules = {m["api_name"].lower(): m for m in supported}
        self._known_modules = {m["api_name"].lower() for m in modules}
        self._cadences: dict[str, dict[str, Any]] = {}
        self._enrolled: dict[str, set[str]] = {}
        if seed:
            for cadence_id, name, module_name, manual, follow_ups, enrolled in _SEED:
                self._cadences[cadence_id] = _cadence(
                    cadence_id, name, self._modules[module_name.lower()], manual, follow_ups
                )
                self._enrolled[cadence_id] = set(enrolled)

    def add(self, cadence_id: Any, name: Any, module_name: Any, manual: Any = True) -> dict[str, Any]:
        """Control API: a new cadence with no enrollments, as an admin would build one in the UI."""
        if not isinstance(cadence_id, str) or not _RECORD_ID.fullmatch(cadence_id):
            raise ValueError("id must be a string of 15-19 digits")
        if cadence_id in self._cadences:
            raise ValueError(f"cadence {cadence_id} exists already")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("name must be a non-empty string")
        module = self._modules.get(module_name.lower()) if isinstance(module_name, str) else None
        if module is None:
            raise ValueError(f"module must be one of {sorted(m['api_name'] for m in self._modules.values())}")
        if not isinstance(manual, bool):
            raise ValueError("manual must be true or false")
        self._cadences[cadence_id] = _cadence(cadence_id, name, module, manual, (1, 0, 0))
        self._enrolled[cadence_id] = set()
        return _copy(self._cadences[cadence_id])

    def list_cadences(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any] | None]:
        cadences = list(self._cadences.values())
        if "module" in params:
            cadences = [c for c in cadences if c["module"]["api_name"].lower() == params["module"].lower()]
        if "active" in params:
            cadences = [c for c in cadences if str(c["active"]).lower() == params["active"].lower()]
        return paginate("cadences", [_listed(c) for c in cadences], params)

    def get_cadence(self, cadence_id: str) -> tuple[int, dict[str, Any]]:
        """One cadence, as Zoho's single GET shows it (``type`` is the key, not the label)."""
        cadence = self._cadences.get(cadence_id) if cadence_id.isdigit() else None
        if cadence is None:
            raise ZohoError(
                400, "INVALID_DATA", "the id given seems to be invalid", {"resource_path_index": _ID_PATH_INDEX}
            )
        return 200, {"cadences": [_copy(cadence)]}

    def enrol(self, module: str, body: Any) -> tuple[int, dict[str, Any]]:
        return self._act(module, body, enrol=True)

    def unenrol(self, module: str, body: Any) -> tuple[int, dict[str, Any]]:
        return self._act(module, body, enrol=False)

    def enrol_records(self, cadence_id: Any, record_ids: Any) -> dict[str, Any]:
        """Control API: enrol any number of existing records in a manual cadence, without the API's limits."""
        cadence = self._cadences.get(cadence_id) if isinstance(cadence_id, str) else None
        if cadence is None:
            raise ValueError(f"no cadence {cadence_id!r}")
        if cadence["type"] != "manual_enrollment":
            raise ValueError(f"cadence {cadence_id} is not a manual-enrollment cadence")
        if not isinstance(record_ids, list) or not all(
            isinstance(record_id, str) and _record_exists(record_id) for record_id in record_ids
        ):
            raise ValueError("ids must be a list of record ids (strings of 15-19 digits, not starting with 999)")
        enrolled = self._enrolled.setdefault(cadence_id, set())
        before = len(enrolled)
        enrolled.update(record_ids)
        return {"cadence_id": cadence_id, "added": len(enrolled) - before, "enrolled": len(enrolled)}

    def is_enrolled(self, cadence_id: str, record_id: str) -> bool:
        return record_id in self._enrolled.get(cadence_id, ())

    def snapshot(self) -> dict[str, Any]:
        return {
            "cadences": [_copy(c) for c in self._cadences.values()],
            "enrollments": {cid: sorted(ids) for cid, ids in self._enrolled.items()},
        }

    def _act(self, module_name: str, body: Any, *, enrol: bool) -> tuple[int, dict[str, Any]]:
        module = self._module(module_name)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ZohoError(400, "INVALID_DATA", "invalid data", {"expected_data_type": "jsonobject"})
        record_ids = _id_list(body, "ids", "Record ids not found")
        cadence_ids = _id_list(body, "cadences_ids", "Cadences ids not found")
        _check_limits(len(cadence_ids), len(record_ids))
        cadences = self._cadences_for(module, cadence_ids)
        refs = [{"name": c["name"], "id": c["id"]} for c in cadences]
        message = "records manually enrolled" if enrol else "records manually unenrolled"
        items = []
        for index, raw in enumerate(record_ids):
            record_id = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
            if not _record_exists(record_id):
                items.append(
                    ZohoError(
                        400,
                        "INVALID_DATA",
                        "given id seems to be invalid",
                        {"api_name": "ids", "json_path": f"$.ids[{index}]"},
                    ).envelope()
                )
                continue
            for cadence in cadences:
                enrolled = self._enrolled.setdefault(cadence["id"], set())
                if enrol:
                    enrolled.add(record_id)
                else:
                    enrolled.discard(record_id)
            details = {"id": record_id, "cadences": [dict(ref) for ref in refs]}
            items.append({"code": "SUCCESS", "details": details, "message": message, "status": "success"})
        succeeded = sum(1 for item in items if item["status"] == "success")
        status = 200 if succeeded == len(items) else 207 if succeeded else 400
        return status, {"data": items}

    def _module(self, name: str) -> dict[str, Any]:
        module = self._modules.get(name.lower())
        if module is None:
            message = (
                "the module is not supported for cadences"
                if name.lower() in self._known_modules
                else "the module name given seems to be invalid"
            )
            raise ZohoError(400, "INVALID_MODULE", message, {"resource_path_index": 0})
        return module

    def _cadences_for(self, module: dict[str, Any], cadence_ids: list[Any]) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(cadence_ids):
            cadence = self._cadences.get(str(raw)) if isinstance(raw, (str, int)) else None
            if cadence is None or cadence["module"]["id"] != module["id"]:
                raise ZohoError(
                    400,
                    "INVALID_DATA",
                    "the given id seems to be invalid",
                    {"api_name": "cadences_ids", "json_path": f"$.cadences_ids[{index}]"},
                )
            if cadence["type"] != "manual_enrollment":
                raise ZohoError(
                    400,
                    "NOT_ALLOWED",
                    "id given is not manual enrollment cadence",
                    {"api_name": "cadences_id", "json_path": f"$.cadences_id[{index}]"},
                )
            found[cadence["id"]] = cadence
        return list(found.values())


def _id_list(body: dict[str, Any], key: str, missing_message: str) -> list[Any]:
    value = body.get(key)
    if value is None or value == []:
        raise ZohoError(400, "MANDATORY_NOT_FOUND", missing_message, {"api_name": key, "json_path": f"$.{key}"})
    if not isinstance(value, list):
        raise ZohoError(
            400,
            "INVALID_DATA",
            "invalid data",
            {"api_name": key, "json_path": f"$.{key}", "expected_data_type": "jsonarray"},
        )
    return value


def _check_limits(cadence_count: int, record_count: int) -> None:
    over = [
        (key, limit, noun)
        for key, limit, noun, count in (
            ("cadences_ids", MAX_CADENCES, "cadences ids", cadence_count),
            ("ids", MAX_RECORDS, "record ids", record_count),
        )
        if count > limit
    ]
    if not over:
        return
    if len(over) == 1:
        key, limit, noun = over[0]
        details: dict[str, Any] = {
            "limit": limit,
            "limit_due_to": [{"api_name": key, "json_path": f"$.{key}"}],
        }
        message = f"Limit Exceeded, You cannot give more than {limit} {noun}"
    else:
        details = {"limit_due_to": [{"api_name": k, "json_path": f"$.{k}", "limit": lim} for k, lim, _ in over]}
        message = "Limit Exceeded, You cannot give more than 5 cadences ids and 100 record ids"
    raise ZohoError(400, "LIMIT_EXCEEDED", message, details)


def _record_exists(record_id: str) -> bool:
    return bool(_RECORD_ID.fullmatch(record_id)) and not record_id.startswith(MISSING_RECORD_PREFIX)


def _listed(cadence: dict[str, Any]) -> dict[str, Any]:
    """The list's form of a cadence: ``type`` as its display label."""
    listed = _copy(cadence)
    listed["type"] = _LABELS[cadence["type"]]
    return listed


def _copy(cadence: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(cadence))  # nested objects too: callers may change what they get


def _cadence(
    cadence_id: str, name: str, module: dict[str, Any], manual: bool, follow_ups: tuple[int, int, int]
) -> dict[str, Any]:
    email, task, call = follow_ups
    execution_details: dict[str, Any] = {
        "unenroll_properties": {"type": None},
        "automatic_unenroll": False,
        "type": None,
        "execute_every": {"unit": 1, "period": "days"},
    }
    if not manual:  # as Zoho's list example shows a custom-view cadence
        execution_details.update(
            unenroll_properties={"end_date": _END_DATE, "type": "date"},
            end_date=_END_DATE,
            type="automatic_unenroll",
        )
    cadence: dict[str, Any] = {
        "summary": {
            "whatsapp_follow_up_count": 0,
            "task_follow_up_count": task,
            "call_follow_up_count": call,
            "email_follow_up_count": email,
        },
        "description": f"{name} ({'manual enrollment' if manual else 'records of a custom view'})",
        "created_time": org_time(_SEED_TIME),
        "module": {"api_name": module["api_name"], "id": module["id"]},
        "active": True,
        "execution_details": execution_details,
        "published": True,
        "type": "manual_enrollment" if manual else "custom_view",
        "created_by": dict(ADMIN),
        "modified_time": org_time(_SEED_TIME),
        "name": name,
        "modified_by": dict(ADMIN),
        "id": cadence_id,
        "status": "active",
    }
    if not manual:
        cadence["custom_view"] = {"name": f"All {module['api_name']}", "id": "554023000000087501"}
    return cadence

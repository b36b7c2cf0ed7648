"""The control API under ``/__emulator__/``: no auth, JSON in and out, for tests in other processes.

The server routes ``PREFIX`` paths here with its core; each endpoint maps onto the Python control
API of ``EmulatorCore``. A bad argument answers 400 ``{"error": ...}``, an unknown endpoint 404.
Nothing here is journaled or counted in the stats: the core never sees these requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from airflow_provider_zohocrm.testing.emulator.core import EmulatorCore
from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.wire import Reply, Request, json_reply

PREFIX = "/__emulator__/"

Body = dict[str, Any]
Endpoint = Callable[[EmulatorCore, Request, Body, tuple[str, ...]], tuple[int, Any]]


def _journal(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    entries = core.journal_entries(int(request.query.get("since", "0")))
    return 200, {"entries": entries, "last_seq": entries[-1]["seq"] if entries else None}


def _reset(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    core.reset(body.get("seed"))
    return 200, {"reset": True}


def _clear_faults(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    core.clear_faults()
    return 200, {"faults": []}


def _rule_status(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    if not isinstance(body.get("active"), bool):
        raise ValueError('body must be {"active": true|false}')
    return 200, core.set_workflow_rule_active(args[0], body["active"])


def _rule_status_lag(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    reads = body.get("reads")
    if isinstance(reads, bool) or not isinstance(reads, int):
        raise ValueError('body must be {"reads": <a whole number from 0 to 1000>}')
    return 200, core.set_workflow_rule_status_lag(args[0], reads)


def _workflow_status(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    return 200, core.set_connected_workflow_status(args[0], str(body.get("status")))


def _enrol(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    return 200, core.enrol_records(args[0], body.get("ids"))


def _add_cadence(core: EmulatorCore, request: Request, body: Body, args: tuple[str, ...]) -> tuple[int, Any]:
    fields: list[Any] = [body.get(key) for key in ("id", "name", "module")]  # the store checks them
    cadence = core.add_cadence(*fields, manual=body.get("manual", True))
    return 201, {"cadence": cadence}


_ENDPOINTS: list[tuple[str, str, Endpoint]] = [
    ("GET", "journal", _journal),
    ("DELETE", "journal", lambda c, r, b, a: (200, {"cleared": c.clear_journal()})),
    ("POST", "reset", _reset),
    ("GET", "state", lambda c, r, b, a: (200, c.snapshot())),
    ("GET", "faults", lambda c, r, b, a: (200, {"faults": c.faults()})),
    ("POST", "faults", lambda c, r, b, a: (201, {"fault": c.add_fault(b)})),
    ("DELETE", "faults", _clear_faults),
    ("POST", "clock", lambda c, r, b, a: (200, {"offset": c.advance_clock(float(b["advance"]))})),
    ("GET", "config", lambda c, r, b, a: (200, c.config.to_dict())),
    ("POST", "config", lambda c, r, b, a: (200, c.set_config(**b))),
    ("GET", "stats", lambda c, r, b, a: (200, c.stats())),
    # A new in-flight peak measurement from now on: answers the peak it ends.
    ("POST", "stats/reset_peak", lambda c, r, b, a: (200, {"peak_in_flight": c.reset_peak()})),
    ("POST", "tokens/expire", lambda c, r, b, a: (200, {"expired": c.expire_tokens()})),
    (
        "POST",
        "tokens/revoke",
        lambda c, r, b, a: (200, {"revoked": c.revoke_refresh_token(b.get("refresh_token"))}),
    ),
    ("POST", "cadences", _add_cadence),
    # {"ids": [...]}: enrol records in a manual cadence, any number at once (set-up for un-enroll runs).
    ("POST", "cadences/([0-9]+)/enrollments", _enrol),
    ("POST", "connected_workflows/([0-9]+)/status", _workflow_status),
    ("POST", "workflow_rules/([^/]+)/status", _rule_status),
    # {"reads": N}: the rule's next status change through the API shows in its GETs N reads late.
    ("POST", "workflow_rules/([^/]+)/status_lag", _rule_status_lag),
    ("POST", "workflow_rules/([^/]+)", lambda c, r, b, a: (200, c.edit_workflow_rule(a[0], **b))),
]
_COMPILED = [(method, re.compile(path), endpoint) for method, path, endpoint in _ENDPOINTS]


def handle(core: EmulatorCore, request: Request) -> Reply:
    """Answer a control call (``request.path`` starts with ``PREFIX``) against ``core``."""
    path = request.path[len(PREFIX) :]
    try:
        body = json.loads(request.body) if request.body.strip() else {}
    except ValueError:
        return json_reply(400, {"error": "the body is not valid JSON"})
    if not isinstance(body, dict):
        return json_reply(400, {"error": "the body must be a JSON object"})
    for method, pattern, endpoint in _COMPILED:
        match = pattern.fullmatch(path)
        if match is None or method != request.method:
            continue
        try:
            status, payload = endpoint(core, request, body, match.groups())
        except ZohoError as exc:
            return json_reply(exc.status, exc.envelope())
        except (ValueError, KeyError, TypeError) as exc:
            return json_reply(400, {"error": str(exc) or type(exc).__name__})
        return json_reply(status, payload)
    return json_reply(404, {"error": f"no control endpoint {request.method} {request.path}"})

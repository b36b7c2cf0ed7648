"""Drift: changes in Zoho since the snapshot that the snapshot -> pause -> restore cycle did not make.

Restore reads the live state of the snapshot's modules (and the connected workflows, if recorded)
and compares it with the snapshot. Pause and restore only ever change the status of objects the
snapshot shows *active* (pause: active -> inactive, restore: back to active) and the execution
order, and Zoho stamps a new ``modified_time`` on every status write. Hence:

Workflow rules of the snapshot's modules:

- **created**: listed now, not in the snapshot.
- **deleted**: in the snapshot, not listed now.
- **edited**, when any of:

  - the name differs from the snapshot's;
  - the snapshot shows the rule inactive (so we never write it) and it is active now, or its
    ``modified_time`` differs.

  A rule the snapshot shows active may be inactive now with a newer ``modified_time``: that is what
  our pause does, so it is not drift, and the same holds after a restore (active again, newer
  ``modified_time``), so a second restore reports nothing. The cost: an edit that keeps the name
  of a rule the snapshot shows active cannot be told from our own status writes, and such a rule
  deactivated by someone else is re-activated like one we paused.

Connected workflows, likewise: created, deleted, or edited when the name differs, or the snapshot
shows it not active and its status or ``modified_time`` differs, or the snapshot shows it active and
it is now a draft.

A changed execution order is not drift: restore puts back the snapshot's order of the rules it knows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow_provider_zohocrm.automation.document import rules_of, workflows_of

CREATED, DELETED, EDITED = "created", "deleted", "edited"
Edits = Callable[[dict[str, Any], dict[str, Any]], list[str]]


def detect_drift(snapshot: dict[str, Any], live: dict[str, Any]) -> list[dict[str, Any]]:
    """Every drifted object: ``{"kind", "change", "id", "name", "module", "reasons"}``, snapshot order."""
    drift: list[dict[str, Any]] = []
    for module in snapshot["modules"]:
        drift += _compare(rules_of(snapshot, module), rules_of(live, module), "workflow_rule", _rule_edits, module)
    if snapshot.get("connected_workflows") is not None:
        drift += _compare(workflows_of(snapshot), workflows_of(live), "connected_workflow", _workflow_edits, None)
    return drift


def _compare(
    saved: list[dict[str, Any]], now: list[dict[str, Any]], kind: str, edits: Edits, module: str | None
) -> list[dict[str, Any]]:
    live = {entry["id"]: entry for entry in now}
    known = {entry["id"] for entry in saved}
    drift = []
    for entry in saved:
        current = live.get(entry["id"])
        if current is None:
            drift.append(_entry(kind, DELETED, entry, module, ["not in Zoho any more"]))
        elif reasons := edits(entry, current):
            drift.append(_entry(kind, EDITED, current, module, reasons))
    drift += [
        _entry(kind, CREATED, entry, module, ["not in the snapshot"]) for entry in now if entry["id"] not in known
    ]
    return drift


def _rule_edits(saved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    reasons = _renamed(saved, now)
    if not saved["active"]:
        if now["active"]:
            reasons.append("activated by someone else (the snapshot shows it inactive)")
        elif now["modified_time"] != saved["modified_time"]:
            reasons.append(_modified(saved, now))
    return reasons


def _workflow_edits(saved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    reasons = _renamed(saved, now)
    if saved["status"] != "active" and now["status"] != saved["status"]:
        reasons.append(f"status {saved['status']} -> {now['status']} by someone else")
    elif saved["status"] != "active" and now["modified_time"] != saved["modified_time"]:
        reasons.append(_modified(saved, now))
    elif saved["status"] == "active" and now["status"] == "draft":
        reasons.append("turned back into a draft")
    return reasons


def _renamed(saved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    return [f"renamed {saved['name']!r} -> {now['name']!r}"] if saved["name"] != now["name"] else []


def _modified(saved: dict[str, Any], now: dict[str, Any]) -> str:
    return f"modified at {now['modified_time']} (snapshot: {saved['modified_time']})"


def _entry(kind: str, change: str, entry: dict[str, Any], module: str | None, reasons: list[str]) -> dict[str, Any]:
    where = module if module is not None else entry.get("primary_module")
    return {
        "kind": kind,
        "change": change,
        "id": entry["id"],
        "name": entry.get("name"),
        "module": where,
        "reasons": reasons,
    }

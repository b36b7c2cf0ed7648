"""Readable task-log tables of a snapshot and of drift (plans render through :func:`~..plan.render_plan`)."""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.automation.document import rules_of, workflows_of
from airflow_provider_zohocrm.plan import render_table


def snapshot_table(document: dict[str, Any]) -> str:
    """One row per rule (execution order within its module) and per connected workflow."""
    rows = [
        (
            "workflow rule",
            module,
            str(rule["position"]),
            rule["id"],
            "active" if rule["active"] else "inactive",
            _text(rule["name"]),
        )
        for module in document["modules"]
        for rule in rules_of(document, module)
    ]
    rows += [
        ("connected workflow", _text(w["primary_module"]), "", w["id"], _text(w["status"]), _text(w["name"]))
        for w in workflows_of(document)
    ]
    recorded = "" if document.get("connected_workflows") is not None else " (connected workflows not recorded)"
    title = f"Snapshot taken at {document['taken_at']}: {len(rows)} object(s){recorded}"
    return render_table(title, ("kind", "module", "position", "id", "status", "name"), rows)


def drift_table(drift: list[dict[str, Any]]) -> str:
    """One row per drifted object; ``blocks`` says whether it kept restore from writing it."""
    if not drift:
        return "Drift since the snapshot: none"
    rows = [
        (
            entry["change"],
            entry["kind"].replace("_", " "),
            _text(entry["module"]),
            entry["id"],
            _text(entry["name"]),
            "yes" if entry.get("blocks_restore") else "no",
            "; ".join(entry["reasons"]),
        )
        for entry in drift
    ]
    header = ("change", "kind", "module", "id", "name", "blocks", "why")
    return render_table(f"Drift since the snapshot: {len(drift)} object(s)", header, rows)


def _text(value: Any) -> str:
    """A cell: Zoho's nulls show empty, anything else as text."""
    return "" if value is None else str(value)

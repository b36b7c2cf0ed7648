"""Which live rule (or connected workflow) each one in the files stands for.

A file rule is the live rule with its ``id`` in the same module; when that id is not live there (an
export of a sandbox promoted to production, a rule recreated by hand), the live rule of the same
exact name in the module not already claimed; otherwise it is a rule to create. Live rules no file
rule claims are *unmanaged*: reported, never deleted, never moved out of their slot in the order.
Connected workflows match the same way, names compared as Zoho does (case aside).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow_provider_zohocrm.as_code.files import (
    CONNECTED_WORKFLOWS_FILE,
    FileRule,
    FileWorkflow,
    file_error,
    rule_error,
)
from airflow_provider_zohocrm.as_code.normalize import live_rule, live_workflow


@dataclass
class ModuleMatch:
    """One module: file rules with their live rule (canonical), rules to create, unmanaged live rules."""

    module: str
    pairs: list[tuple[FileRule, dict[str, Any]]] = field(default_factory=list)
    creations: list[FileRule] = field(default_factory=list)
    unmanaged: list[dict[str, Any]] = field(default_factory=list)
    live_order: list[str] = field(default_factory=list)

    def wanted(self, refs: dict[int, str]) -> list[str]:
        """The file's order of its rules: live ids, and ``refs[index]`` for the rules to create."""
        live = {rule.index: have["id"] for rule, have in self.pairs}
        indices = sorted([*live, *refs])
        return [live[index] if index in live else refs[index] for index in indices]


@dataclass
class WorkflowMatch:
    pairs: list[tuple[FileWorkflow, dict[str, Any]]] = field(default_factory=list)
    creations: list[FileWorkflow] = field(default_factory=list)
    unmanaged: list[dict[str, Any]] = field(default_factory=list)


def match_rules(module: str, file_rules: list[FileRule], raw_live: list[dict[str, Any]]) -> ModuleMatch:
    """Pair ``file_rules`` with the module's live rules (GET answers, in execution order)."""
    live = [live_rule(rule) for rule in raw_live]
    match = ModuleMatch(module, live_order=[rule["id"] for rule in live])
    by_id = {rule["id"]: rule for rule in live}
    claimed: dict[int, dict[str, Any]] = {}
    for rule in file_rules:
        if rule.id is not None and rule.id in by_id:
            claimed[rule.index] = by_id[rule.id]
    taken = {have["id"] for have in claimed.values()}
    for rule in file_rules:
        if rule.index in claimed:
            continue
        same = [have for have in live if have["id"] not in taken and have["name"] == rule.name]
        if len(same) > 1:
            raise rule_error(
                rule,
                f"matches {len(same)} live rules named {rule.name!r} ({', '.join(h['id'] for h in same)})",
                "id",
                "Give the rule the id of the live one it stands for",
            )
        if same:
            claimed[rule.index] = same[0]
            taken.add(same[0]["id"])
    for rule in file_rules:
        if rule.index in claimed:
            match.pairs.append((rule, claimed[rule.index]))
        else:
            match.creations.append(rule)
    match.unmanaged = [
        {
            "kind": "workflow_rule",
            "module": module,
            "id": have["id"],
            "name": have["name"],
            "position": position,
            "active": have["active"],
        }
        for position, have in enumerate(live, start=1)
        if have["id"] not in taken
    ]
    return match


def match_workflows(file_workflows: list[FileWorkflow], raw_live: list[dict[str, Any]]) -> WorkflowMatch:
    """Pair the file's connected workflows with the live ones: by id, else by name (case aside)."""
    live = [live_workflow(workflow) for workflow in raw_live]
    by_id = {workflow["id"]: workflow for workflow in live}
    match = WorkflowMatch()
    taken: set[str] = set()
    claimed: dict[int, dict[str, Any]] = {}
    for entry in file_workflows:
        found = by_id.get(entry.workflow.get("id") or "")
        if found is not None:
            claimed[entry.index] = found
            taken.add(found["id"])
    for entry in file_workflows:
        if entry.index in claimed:
            continue
        name = entry.workflow["name"].casefold()
        found = next((w for w in live if w["id"] not in taken and str(w["name"] or "").casefold() == name), None)
        if found is not None:
            claimed[entry.index] = found
            taken.add(found["id"])
    for entry in file_workflows:
        if entry.index in claimed:
            match.pairs.append((entry, claimed[entry.index]))
        else:
            match.creations.append(entry)
    match.unmanaged = [
        {
            "kind": "connected_workflow",
            "module": workflow["primary_module"],
            "id": workflow["id"],
            "name": workflow["name"],
            "status": workflow["status"],
        }
        for workflow in live
        if workflow["id"] not in taken
    ]
    return match


def workflow_error(entry: FileWorkflow, problem: str, path: str, hint: str) -> Exception:
    return file_error(
        CONNECTED_WORKFLOWS_FILE,
        problem,
        rule=entry.label,
        path=f"connected_workflows[{entry.index}].{path}",
        hint=hint,
    )

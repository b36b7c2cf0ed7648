"""The automation snapshot document: what ``SnapshotAutomationOperator`` records and the others read.

Versioned JSON, small enough for XCom::

    {"version": 1,
     "taken_at": "2026-01-01T06:00:00+00:00",
     "modules": {"Leads": {"workflow_rules": [
         {"id": "...", "name": "...", "active": true, "position": 1, "modified_time": "..."}]}},
     "connected_workflows": [
         {"id": "...", "name": "...", "status": "active", "primary_module": "Leads", "modified_time": "..."}]}

Rules are listed in execution order (``position`` 1 runs first). ``connected_workflows`` is ``null``
when they were not recorded; pause and restore then leave them alone. The live state that pause and
restore read is built into the same shape, so every decision compares two documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from airflow_provider_zohocrm.api.base import listed_id
from airflow_provider_zohocrm.api.connected_workflows import STATUSES
from airflow_provider_zohocrm.api.workflow_rule_changes import node
from airflow_provider_zohocrm.api.workflow_rules import rule_id_of
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import validate_id, validate_module

VERSION = 1
WORKFLOW_STATUSES = STATUSES


def build_document(
    rules_by_module: Mapping[str, list[dict[str, Any]]], workflows: list[dict[str, Any]] | None, taken_at: str
) -> dict[str, Any]:
    """The document for rules as ``get_workflow_rules`` lists them and workflows as Zoho lists them."""
    return {
        "version": VERSION,
        "taken_at": taken_at,
        "modules": {
            module: {"workflow_rules": [_rule_entry(rule, n) for n, rule in enumerate(rules, start=1)]}
            for module, rules in rules_by_module.items()
        },
        "connected_workflows": None if workflows is None else [_workflow_entry(w) for w in workflows],
    }


def _rule_entry(rule: dict[str, Any], position: int) -> dict[str, Any]:
    """What a snapshot keeps of a listed rule; Zoho's nulls and extra keys are read, never trusted to exist."""
    return {
        "id": rule_id_of(rule, "a module's workflow rules"),
        "name": rule.get("name"),
        "active": node(rule.get("status")).get("active") is True,
        "position": position,
        "modified_time": rule.get("modified_time"),
    }


def _workflow_entry(workflow: dict[str, Any]) -> dict[str, Any]:
    module = workflow.get("primary_module")
    return {
        "id": listed_id(workflow, "connected_workflows", "a connected workflow"),
        "name": workflow.get("name"),
        "status": workflow.get("status"),
        "primary_module": module.get("api_name") if isinstance(module, dict) else module,
        "modified_time": workflow.get("modified_time"),
    }


def rules_of(document: dict[str, Any], module: str) -> list[dict[str, Any]]:
    """The module's rules in execution order; ``[]`` for a module the document does not hold."""
    return list((document["modules"].get(module) or {}).get("workflow_rules") or [])


def workflows_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document.get("connected_workflows") or [])


def check_document(document: Any, param: str = "snapshot") -> dict[str, Any]:
    """``document`` if it is a valid version-1 snapshot; otherwise every problem at once, with its path."""
    if not isinstance(document, dict):
        _raise(param, [f"{param} must be a JSON object; got {type(document).__name__}"])
    problems: list[str] = []
    if document.get("version") != VERSION:
        problems.append(f"{param}.version must be {VERSION}; got {document.get('version')!r}")
    if not isinstance(document.get("taken_at"), str):
        problems.append(f"{param}.taken_at must be a timestamp string")
    modules = document.get("modules")
    if not isinstance(modules, dict):
        problems.append(f"{param}.modules must be an object: module -> {{workflow_rules: [...]}}")
    else:
        for module, section in modules.items():
            _check_module(module, section, f"{param}.modules.{module}", problems)
    workflows = document.get("connected_workflows")
    if workflows is not None:
        _check_workflows(workflows, f"{param}.connected_workflows", problems)
    if problems:
        _raise(param, problems)
    return document


def _check_module(module: str, section: Any, path: str, problems: list[str]) -> None:
    try:
        validate_module(module, path)
    except ZohoCRMValidationError as exc:
        problems.append(exc.message)
    rules = section.get("workflow_rules") if isinstance(section, dict) else None
    if not isinstance(rules, list):
        problems.append(f"{path}.workflow_rules must be a list")
        return
    for index, rule in enumerate(rules):
        at = f"{path}.workflow_rules[{index}]"
        _check_entry(rule, at, problems, active=bool)
        if isinstance(rule, dict) and rule.get("position") != index + 1:
            problems.append(f"{at}.position must be {index + 1} (rules are listed in execution order)")


def _check_workflows(workflows: Any, path: str, problems: list[str]) -> None:
    if not isinstance(workflows, list):
        problems.append(f"{path} must be a list or null")
        return
    for index, workflow in enumerate(workflows):
        at = f"{path}[{index}]"
        _check_entry(workflow, at, problems)
        if isinstance(workflow, dict) and workflow.get("status") not in WORKFLOW_STATUSES:
            problems.append(f"{at}.status must be one of {', '.join(WORKFLOW_STATUSES)}")


def _check_entry(entry: Any, path: str, problems: list[str], **typed: type) -> None:
    if not isinstance(entry, dict):
        problems.append(f"{path} must be an object")
        return
    try:
        validate_id(entry.get("id"), f"{path}.id")
    except ZohoCRMValidationError as exc:
        problems.append(exc.message)
    for key, kind in typed.items():
        if not isinstance(entry.get(key), kind):
            problems.append(f"{path}.{key} must be {kind.__name__}")


def _raise(param: str, problems: list[str]) -> NoReturn:
    raise ZohoCRMValidationError(
        f"{param} is not a version-{VERSION} automation snapshot: " + "; ".join(problems[:10]),
        details={"json_path": param, "problems": problems},
        hint="Pass the document SnapshotAutomationOperator returned (or the path/URL it wrote)",
    )

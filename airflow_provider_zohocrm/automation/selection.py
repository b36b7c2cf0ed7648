"""Which objects of a snapshot a pause acts on: ``include`` and ``exclude``.

Each is ``None`` or a mapping with any of these keys:

- ``"modules"``: module API names; every rule of those modules.
- ``"rules"``: rule selectors, each a rule id (digits), a name pattern (a case-insensitive glob such
  as ``"Assign *"``), or a mapping ``{"module": ..., "name": ..., "id": ...}`` whose given keys must
  all match.
- ``"connected_workflows"``: ``True`` (all), ``False`` (none), or ids / name patterns.

``include=None`` selects every rule and connected workflow in the snapshot; an ``include`` mapping
selects only what it names (a kind it does not mention is not selected). ``exclude`` then removes
what it matches. An include selector that matches nothing is an error: a typo must not leave
automation running through a bulk load. An exclude selector that matches nothing is only reported
(it makes the pause wider, the safe direction).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, NoReturn

from airflow_provider_zohocrm.automation.document import rules_of, workflows_of
from airflow_provider_zohocrm.coerce import to_structured
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

KEYS = ("modules", "rules", "connected_workflows")
RULE_SELECTOR_KEYS = ("module", "name", "id")


@dataclass(frozen=True)
class Selection:
    """The selected ids, and the exclude selectors that matched nothing (labelled by their path)."""

    rule_ids: frozenset[str]
    workflow_ids: frozenset[str]
    unmatched_excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Filter:
    """An ``include``/``exclude`` mapping in one form: labelled rule selectors and workflow selectors."""

    rules: tuple[tuple[str, dict[str, str]], ...]
    workflows: tuple[tuple[str, str], ...]
    all_workflows: bool


def select(snapshot: dict[str, Any], include: Any = None, exclude: Any = None) -> Selection:
    """The rules and connected workflows of ``snapshot`` that ``include`` selects and ``exclude`` does not."""
    rules = [(module, rule) for module in snapshot["modules"] for rule in rules_of(snapshot, module)]
    workflows = workflows_of(snapshot)
    included = _parse(include, "include")
    excluded = _parse(exclude, "exclude") or _Filter((), (), False)
    if included is not None:
        unmatched = _unmatched(included, rules, workflows)
        if included.all_workflows and snapshot.get("connected_workflows") is None:
            unmatched.append("include.connected_workflows (the snapshot did not record connected workflows)")
        if unmatched:
            raise ZohoCRMValidationError(
                "include names objects the snapshot does not hold: " + ", ".join(unmatched),
                details={"json_path": "include", "unmatched": unmatched},
                hint="Check the module names, rule ids and name patterns against the snapshot",
            )
    rule_ids = {
        rule["id"]
        for module, rule in rules
        if (included is None or _rule_hit(included, module, rule)) and not _rule_hit(excluded, module, rule)
    }
    workflow_ids = {
        workflow["id"]
        for workflow in workflows
        if (included is None or _workflow_hit(included, workflow)) and not _workflow_hit(excluded, workflow)
    }
    return Selection(frozenset(rule_ids), frozenset(workflow_ids), tuple(_unmatched(excluded, rules, workflows)))


def _parse(value: Any, param: str) -> _Filter | None:
    value = to_structured(value, param)
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(KEYS):
        _invalid(param, f"{param} must be null or a mapping with keys from {', '.join(KEYS)}")
    rules = [(f"{param}.modules[{i}]", {"module": m}) for i, m in enumerate(_strings(value, "modules", param))]
    for index, selector in enumerate(_list(value, "rules", param)):
        rules.append((f"{param}.rules[{index}]", _rule_selector(selector, f"{param}.rules[{index}]")))
    cws = value.get("connected_workflows", False)
    if isinstance(cws, bool):
        return _Filter(tuple(rules), (), cws)
    labelled = [
        (f"{param}.connected_workflows[{i}]", s) for i, s in enumerate(_strings(value, "connected_workflows", param))
    ]
    return _Filter(tuple(rules), tuple(labelled), False)


def _rule_selector(selector: Any, path: str) -> dict[str, str]:
    if isinstance(selector, str) and selector:
        return {"id": selector} if selector.isdigit() else {"name": selector}
    if (
        isinstance(selector, dict)
        and selector
        and not set(selector) - set(RULE_SELECTOR_KEYS)
        and all(isinstance(v, str) and v for v in selector.values())
    ):
        return dict(selector)
    _invalid(path, f"{path} must be a rule id, a name pattern, or a mapping of {', '.join(RULE_SELECTOR_KEYS)}")


def _list(value: dict[str, Any], key: str, param: str) -> list[Any]:
    items = value.get(key, [])
    if not isinstance(items, list):
        _invalid(f"{param}.{key}", f"{param}.{key} must be a list")
    return items


def _strings(value: dict[str, Any], key: str, param: str) -> list[str]:
    items = _list(value, key, param)
    if not all(isinstance(item, str) and item for item in items):
        _invalid(f"{param}.{key}", f"{param}.{key} must be a list of non-empty strings")
    return items


def _rule_hit(selectors: _Filter, module: str, rule: dict[str, Any]) -> bool:
    return any(_rule_matches(selector, module, rule) for _, selector in selectors.rules)


def _rule_matches(selector: dict[str, str], module: str, rule: dict[str, Any]) -> bool:
    return (
        selector.get("module", module) == module
        and selector.get("id", rule["id"]) == rule["id"]
        and ("name" not in selector or _name_matches(selector["name"], rule.get("name")))
    )


def _workflow_hit(selectors: _Filter, workflow: dict[str, Any]) -> bool:
    return selectors.all_workflows or any(_workflow_matches(s, workflow) for _, s in selectors.workflows)


def _workflow_matches(selector: str, workflow: dict[str, Any]) -> bool:
    return selector == workflow["id"] if selector.isdigit() else _name_matches(selector, workflow.get("name"))


def _name_matches(pattern: str, name: Any) -> bool:
    return isinstance(name, str) and fnmatchcase(name.casefold(), pattern.casefold())


def _unmatched(
    selectors: _Filter, rules: Iterable[tuple[str, dict[str, Any]]], workflows: list[dict[str, Any]]
) -> list[str]:
    rules = list(rules)
    missing = [
        f"{label} ({selector})"
        for label, selector in selectors.rules
        if not any(_rule_matches(selector, module, rule) for module, rule in rules)
    ]
    missing += [
        f"{label} ({selector!r})"
        for label, selector in selectors.workflows
        if not any(_workflow_matches(selector, workflow) for workflow in workflows)
    ]
    return missing


def _invalid(path: str, message: str) -> NoReturn:
    raise ZohoCRMValidationError(
        message,
        details={"json_path": path},
        hint='e.g. {"modules": ["Leads"], "rules": ["Assign *", "4876876000010880001"], "connected_workflows": True}',
    )

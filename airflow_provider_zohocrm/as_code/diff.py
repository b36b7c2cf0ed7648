"""Field-level differences between a rule in the files and the live rule, and the update body that removes them.

How a file rule is compared with Zoho's (both canonical, :mod:`.normalize`):

- A top-level key the file leaves out (``description``, ``lock``...) is left as Zoho has it; the
  file's ``conditions`` list is the whole of the rule's conditions.
- Below that, objects compare as in :func:`~airflow_provider_zohocrm.api.workflow_rule_changes.matches`:
  what the file gives must be in Zoho's (Zoho adds ids, names and empty fields of its own); null,
  "" and empty containers match absence, so ``null`` in a file asks for "none".
- Conditions, scheduled-action groups and actions are matched item by item: by id, else conditions
  by ``sequence_number``, groups by their delay (then in order), inline actions by type and name
  (then type); associate actions are their template, ``(type, id)``. What the file lacks is removed
  (``"_delete": null``), what Zoho lacks is added, and an item that differs is patched by id with
  only its differing keys: exactly the merge Update Workflow Rule documents. The order of actions
  and groups within a condition carries no meaning and is not compared.

A reference (an object of ``api_name`` and ``id`` only: a module, a trigger module, a field) that
names the same ``api_name`` as Zoho's at the same place is Zoho's (:func:`align`): ids of modules
and fields are the org's, so files exported from a sandbox plan no change for them in production,
and what is sent carries the target org's ids.

Every difference has a path into the file's rule (``conditions[0].scheduled_actions[0].execute_after.unit``);
an item the file lacks is named by its live id (``conditions[id=4876...]``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_zohocrm.api.workflow_rule_changes import matches, node, nodes
from airflow_provider_zohocrm.api.workflow_rules import ASSOCIATE_ACTIONS

Node = dict[str, Any]
Change = dict[str, Any]
Key = Callable[[Node, int], Hashable | None]

# What Update Workflow Rule takes besides conditions (name apart); ``id`` and ``active`` are not compared here.
UPDATABLE = frozenset({"name", "description", "execute_when", "lock"})
NOT_COMPARED = frozenset({"id", "active"})
# The shape Zoho answers for "no criteria": the rule applies to all records.
NO_CRITERIA: Node = {
    "criteria": None,
    "relational_criteria": {"module_selection": None, "criteria": None, "module": None},
}


@dataclass
class RuleDiff:
    """What differs: field-level ``changes``, the update ``body`` (``{}``: none), keys no update can change."""

    changes: list[Change] = field(default_factory=list)
    body: Node = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)


def change(path: str, before: Any, after: Any) -> Change:
    return {"path": path, "before": before, "after": after}


def differences(want: Any, have: Any, path: str) -> list[Change]:
    """Leaf-level differences where ``have`` does not show ``want`` (as :func:`matches` decides)."""
    if matches(want, have):
        return []
    if isinstance(want, dict) and isinstance(have, dict | None):
        have = have or {}
        found = [d for key, value in want.items() for d in differences(value, have.get(key), _join(path, key))]
        return found or [change(path, have, want)]
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        found = [d for i, (w, h) in enumerate(zip(want, have, strict=True)) for d in differences(w, h, f"{path}[{i}]")]
        return found or [change(path, have, want)]
    return [change(path, have, want)]


def rule_diff(want: Node, have: Node) -> RuleDiff:
    """How the live rule ``have`` differs from the file's ``want`` (both canonical), and the update fixing it."""
    result = RuleDiff()
    for key, value in want.items():
        if key in NOT_COMPARED:
            continue
        if key == "conditions":
            entries, found = conditions_patch(nodes(value), nodes(have.get("conditions")))
            if entries:
                result.body["conditions"] = entries
                result.changes += found
            continue
        value = align(value, have.get(key))
        if matches(value, have.get(key)):
            continue
        result.changes += differences(value, have.get(key), key)
        if key in UPDATABLE:
            result.body[key] = _sendable(key, value)
        else:
            result.unsupported.append(key)
    return result


def _sendable(key: str, value: Any) -> Any:
    if key == "lock" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "locked_by"}
    return copy.deepcopy(value)


# --- matching items ------------------------------------------------------------------------------------


def pair(want: list[Node], have: list[Node], keys: list[Key]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match items of ``want`` and ``have``: each key in turn pairs the items still free that share it.

    Returns ``(pairs (want index, have index), want indices unmatched, have indices unmatched)``.
    """
    pairs: list[tuple[int, int]] = []
    free_want = list(range(len(want)))
    free_have = list(range(len(have)))
    for key in keys:
        waiting: dict[Hashable, list[int]] = {}
        for index in free_have:
            token = key(have[index], index)
            if token is not None:
                waiting.setdefault(token, []).append(index)
        for index in list(free_want):
            token = key(want[index], index)
            if token is not None and waiting.get(token):
                other = waiting[token].pop(0)
                pairs.append((index, other))
                free_want.remove(index)
                free_have.remove(other)
    return sorted(pairs), free_want, free_have


def _by_id(item: Node, _: int) -> Hashable | None:
    return str(item["id"]) if item.get("id") is not None else None


def _by_number(item: Node, _: int) -> Hashable | None:
    number = item.get("sequence_number")
    return number if isinstance(number, int) else None


def _by_delay(item: Node, _: int) -> Hashable | None:
    after = node(item.get("execute_after"))
    return (after.get("period"), after.get("unit")) if after else None


def _any(item: Node, _: int) -> Hashable | None:
    return "any"


def _action_id(item: Node, _: int) -> Hashable | None:
    return (item.get("type"), str(item["id"])) if item.get("id") is not None else None


def _inline_name(item: Node, _: int) -> Hashable | None:
    if item.get("type") in ASSOCIATE_ACTIONS or not isinstance(item.get("name"), str):
        return None
    return (item.get("type"), item["name"])


def _inline_type(item: Node, _: int) -> Hashable | None:
    return None if item.get("type") in ASSOCIATE_ACTIONS else item.get("type")


# --- patches -------------------------------------------------------------------------------------------


def conditions_patch(want: list[Node], have: list[Node]) -> tuple[list[Node], list[Change]]:
    """The ``conditions`` entries of an update turning ``have`` into ``want``, and the changes they make."""
    pairs, added, removed = pair(want, have, [_by_id, _by_number])
    entries: list[Node] = []
    changes: list[Change] = []
    for index in removed:
        entries.append({"id": have[index]["id"], "_delete": None})
        changes.append(change(f"conditions[id={have[index]['id']}]", have[index], None))
    for wi, hi in pairs:
        entry, found = _condition_patch(align(want[wi], have[hi]), have[hi], f"conditions[{wi}]")
        if found:
            entries.append({"id": have[hi]["id"], **entry})
            changes += found
    for index in added:
        entries.append(new_condition(want[index]))
        changes.append(change(f"conditions[{index}]", None, want[index]))
    return entries, changes


def _condition_patch(want: Node, have: Node, path: str) -> tuple[Node, list[Change]]:
    entry: Node = {}
    changes: list[Change] = []
    for key, value in want.items():
        if key in ("id", "criteria_details", "instant_actions", "scheduled_actions"):
            continue
        if not matches(value, have.get(key)):
            entry[key] = copy.deepcopy(value)
            changes += differences(value, have.get(key), f"{path}.{key}")
    criteria = want.get("criteria_details")
    if not matches(criteria, have.get("criteria_details")):
        entry["criteria_details"] = copy.deepcopy(criteria) if criteria is not None else copy.deepcopy(NO_CRITERIA)
        changes += differences(criteria, have.get("criteria_details"), f"{path}.criteria_details")
    box = f"{path}.instant_actions.actions"
    actions, found = actions_patch(_instant(want), _instant(have), box)
    if actions:
        entry["instant_actions"] = {"actions": actions}
        changes += found
    groups, found = groups_patch(nodes(want.get("scheduled_actions")), nodes(have.get("scheduled_actions")), path)
    if groups:
        entry["scheduled_actions"] = groups
        changes += found
    return entry, changes


def _instant(condition: Node) -> list[Node]:
    return nodes(node(condition.get("instant_actions")).get("actions"))


def actions_patch(want: list[Node], have: list[Node], path: str) -> tuple[list[Node], list[Change]]:
    """The ``actions`` entries turning ``have`` into ``want``: removals, patches by id, additions."""
    pairs, added, removed = pair(want, have, [_action_id, _inline_name, _inline_type])
    entries: list[Node] = []
    changes: list[Change] = []
    for index in removed:
        entries.append({"id": have[index]["id"], "type": have[index].get("type"), "_delete": None})
        changes.append(change(f"{path}[id={have[index]['id']}]", have[index], None))
    for wi, hi in pairs:
        aligned = align(want[wi], have[hi])
        patch = {
            key: copy.deepcopy(value)
            for key, value in aligned.items()
            if key not in ("id", "type") and not matches(value, have[hi].get(key))
        }
        if patch:
            entries.append({"id": have[hi]["id"], "type": have[hi].get("type"), **patch})
            for key, value in patch.items():
                changes += differences(value, have[hi].get(key), f"{path}[{wi}].{key}")
    for index in added:
        entries.append(new_action(want[index]))
        changes.append(change(f"{path}[{index}]", None, want[index]))
    return entries, changes


def groups_patch(want: list[Node], have: list[Node], path: str) -> tuple[list[Node], list[Change]]:
    """The ``scheduled_actions`` entries turning ``have`` into ``want``."""
    pairs, added, removed = pair(want, have, [_by_id, _by_delay, _any])
    entries: list[Node] = []
    changes: list[Change] = []
    where = f"{path}.scheduled_actions"
    for index in removed:
        entries.append({"id": have[index]["id"], "_delete": None})
        changes.append(change(f"{where}[id={have[index]['id']}]", have[index], None))
    for wi, hi in pairs:
        entry: Node = {}
        after = align(want[wi].get("execute_after"), have[hi].get("execute_after"))
        if not matches(after, have[hi].get("execute_after")):
            entry["execute_after"] = copy.deepcopy(after)
            changes += differences(after, have[hi].get("execute_after"), f"{where}[{wi}].execute_after")
        actions, found = actions_patch(
            nodes(want[wi].get("actions")), nodes(have[hi].get("actions")), f"{where}[{wi}].actions"
        )
        if actions:
            entry["actions"] = actions
            changes += found
        if entry:
            entries.append({"id": have[hi]["id"], **entry})
    for index in added:
        entries.append(new_group(want[index]))
        changes.append(change(f"{where}[{index}]", None, want[index]))
    return entries, changes


# --- new items (also the conditions of a rule to create) ----------------------------------------------


def new_condition(condition: Node) -> Node:
    """A condition as a new one is sent: no id, no empty action containers (Zoho wants actions non-empty)."""
    entry: Node = {"sequence_number": condition.get("sequence_number")}
    for key, value in condition.items():
        if key in ("id", "sequence_number", "instant_actions", "scheduled_actions"):
            continue
        entry[key] = copy.deepcopy(value)
    instant = _instant(condition)
    if instant:
        entry["instant_actions"] = {"actions": [new_action(action) for action in instant]}
    groups = nodes(condition.get("scheduled_actions"))
    if groups:
        entry["scheduled_actions"] = [new_group(group) for group in groups]
    return entry


def new_group(group: Node) -> Node:
    return {
        **{key: copy.deepcopy(value) for key, value in group.items() if key not in ("id", "actions")},
        "actions": [new_action(action) for action in nodes(group.get("actions"))],
    }


def new_action(action: Node) -> Node:
    """An inline action is new and gets its id from Zoho; an associate action names its template by id."""
    keep_id = action.get("type") in ASSOCIATE_ACTIONS
    return {key: copy.deepcopy(value) for key, value in action.items() if key != "id" or keep_id}


def create_body(want: Node, module: str) -> Node:
    """The Create Workflow Rule body of a file rule: its definition, every condition new.

    A trigger module naming the rule's own module is left out (Zoho defaults to it), so a rule
    exported from another org does not carry that org's module id.
    """
    body: Node = {"name": want["name"], "module": {"api_name": module}}
    for key, value in want.items():
        if key in ("id", "active", "name", "conditions"):
            continue
        body[key] = _sendable(key, value)
    details = node(node(body.get("execute_when")).get("details"))
    if node(details.get("trigger_module")).get("api_name") == module:
        del details["trigger_module"]
    body["conditions"] = [new_condition(condition) for condition in nodes(want.get("conditions"))]
    return body


def align(want: Any, have: Any) -> Any:
    """``want`` with each reference naming the ``api_name`` Zoho's names at the same place replaced by Zoho's."""
    if _is_reference(want):
        same = isinstance(have, dict) and _is_reference(have) and have.get("api_name") == want.get("api_name")
        return copy.deepcopy(have) if same else want
    if isinstance(want, dict) and isinstance(have, dict):
        return {key: align(value, have.get(key)) for key, value in want.items()}
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        return [align(w, h) for w, h in zip(want, have, strict=True)]
    return want


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and "api_name" in value and set(value) <= {"api_name", "id"}


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)

"""Which parts of a workflow-rule update the rule already has: what makes an update safe to re-run.

Pure functions. Update Workflow Rule merges: conditions and actions with an id are patched, those
without one are added, ``"_delete": null`` removes. Re-sending an applied update would add a
condition or action twice or fail on an id already deleted, so only the part the current rule
does not have yet is sent. Matching is by subset: what the request gives must be in the rule
(Zoho adds ids, names and empty fields of its own); null, "" and empty containers match absence.
"""

from __future__ import annotations

from typing import Any

Node = dict[str, Any]

# Not changes: the id travels in the URL and the module cannot change (checked by validation).
_NOT_CHANGES = frozenset({"id", "module"})
# The Update Workflow Rule page's delay names and the published ones Zoho's GET answers list instead.
PERIOD_ALIASES = {"b_days": "business_days", "b_hours": "business_hours", "hrs": "hours"}


def node(value: Any) -> Node:
    """A node of a rule as Zoho returned it, or ``{}``: null (or any other type) reads as absent."""
    return value if isinstance(value, dict) else {}


def nodes(value: Any) -> list[Node]:
    """The objects of a list in a rule as Zoho returned it; null (or any other type) reads as none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def pending_update(rule: Node, current: Node) -> Node:
    """The keys of ``rule`` (conditions: the entries) that ``current`` does not reflect yet.

    ``current`` is read as Zoho may send it: nulls, missing and extra keys are absences, never errors.
    """
    pending: Node = {}
    current = node(current)
    for key, value in rule.items():
        if key in _NOT_CHANGES:
            continue
        if key == "conditions":
            entries = [entry for entry in value if not condition_applied(entry, nodes(current.get("conditions")))]
            if entries:
                pending[key] = entries
        elif key == "status":
            # delete_schedule_action only acts on the transition, so the state alone decides.
            if node(current.get("status")).get("active") is not value.get("active"):
                pending[key] = value
        elif not matches(value, current.get(key)):
            pending[key] = value
    return pending


def condition_applied(entry: Node, conditions: list[Node]) -> bool:
    """True when the rule's ``conditions`` already show the effect of one request entry."""
    conditions = nodes(conditions)
    if "_delete" in entry:
        return not any(cond.get("id") == entry.get("id") for cond in conditions)
    return any(_condition_matches(entry, cond) for cond in conditions)


def matches(given: Any, have: Any) -> bool:
    """``given`` is contained in ``have``: dict keys recursively, lists item by item, else equal."""
    if _is_empty(given):
        return _is_empty(have)
    if isinstance(given, dict):
        if have is None:
            have = {}
        return isinstance(have, dict) and all(matches(value, have.get(key)) for key, value in given.items())
    if isinstance(given, list):
        return isinstance(have, list) and len(given) == len(have) and all(map(matches, given, have))
    return type(given) is type(have) and given == have


def _is_empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_empty(item) for item in value.values())
    return value is None or value == "" or value == []


def _condition_matches(entry: Node, cond: Node) -> bool:
    for key, value in entry.items():
        if key == "criteria":  # Update Workflow Rule's "update criteria" sample puts it beside criteria_details
            ok = matches(value, node(cond.get("criteria_details")).get("criteria"))
        elif key == "instant_actions":
            box = node(cond.get("instant_actions"))
            ok = _actions_applied(None, box.get("actions")) if value is None else _box_applied(value, box)
        elif key == "scheduled_actions":
            ok = _groups_applied(value, cond.get("scheduled_actions"))
        else:
            ok = matches(value, cond.get(key))
        if not ok:
            return False
    return True


def _box_applied(given: Node, box: Node) -> bool:
    return all(
        _actions_applied(value, box.get("actions")) if key == "actions" else matches(value, box.get(key))
        for key, value in given.items()
    )


def _actions_applied(patch: list[Node] | None, actions: list[Node] | None) -> bool:
    """An actions patch (null removes all) is reflected in ``actions``."""
    have = nodes(actions)
    if patch is None:
        return not have
    return all(_removed(entry, have) if "_delete" in entry else _present(entry, have) for entry in patch)


def _groups_applied(patch: list[Node] | None, groups: list[Node] | None) -> bool:
    """A scheduled-actions patch (null removes all) is reflected in ``groups``."""
    have = nodes(groups)
    if patch is None:
        return not have
    return all(
        _removed(entry, have) if "_delete" in entry else any(_group_matches(entry, group) for group in have)
        for entry in patch
    )


def _group_matches(entry: Node, group: Node) -> bool:
    def applied(key: str, value: Any) -> bool:
        if key == "actions":
            return _actions_applied(value, group.get("actions"))
        if key == "execute_after":  # b_days sent may read back as business_days
            return matches(_published(value), _published(group.get(key)))
        return matches(value, group.get(key))

    return all(applied(key, value) for key, value in entry.items())


def _published(delay: Any) -> Any:
    period = delay.get("period") if isinstance(delay, dict) else None
    return (
        {**delay, "period": PERIOD_ALIASES[period]} if isinstance(period, str) and period in PERIOD_ALIASES else delay
    )


def _removed(entry: Node, have: list[Node]) -> bool:
    return not any(item.get("id") == entry.get("id") for item in have)


def _present(entry: Node, have: list[Node]) -> bool:
    return any(matches(entry, item) for item in have)

"""Planning a reorder of workflow rules (Reorder Workflow Rules): the fewest moves that give the wanted order.

Pure functions. Zoho's reorder takes ``{id, module_specific_sequence}`` pairs: each listed rule
goes to its position (1 runs first) and the module's other rules keep their relative order in the
remaining slots. So the rules that need not move are a longest common subsequence of the current
and the wanted order; every other rule is sent once, with its wanted position.

Zoho takes at most 10 pairs per request. More moves go out as successive requests of at most 10
(:func:`reorder_steps`), each planned on the order the previous one leaves, since positions are
absolute: every rule is still sent exactly once.

``order`` comes in one of two forms:

- a list of rule ids: these rules run first, in this order, and the module's other rules follow
  in their current relative order (a full list is the whole execution order);
- a mapping rule id -> position from 1: those rules take those positions and the others keep their
  relative order in the remaining slots, exactly as Zoho applies a reorder.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import preview, validate_id

Order = list[str] | dict[str, int]
Move = dict[str, Any]

MAX_MOVES_PER_REQUEST = 10
"""Zoho's cap on ``reorder.workflow_rules`` items in one request (its definitions' ``maxItems``)."""


@dataclass(frozen=True)
class ReorderPlan:
    """The execution order wanted, the moves giving each moved rule its final position, and the requests.

    ``steps`` holds one list of moves per request, sent in this order; with at most 10 moves it is
    ``[moves]``, else each step's positions are those of the order the previous step leaves.
    """

    order: list[str]
    moves: list[Move]
    steps: list[list[Move]] = field(default_factory=list)


def normalize_order(order: Any, param: str = "order") -> Order:
    """``order`` as a list of ids or an id -> position dict; every shape problem is listed at once."""
    problems: list[str] = []
    wanted: Order
    if isinstance(order, Mapping):
        wanted = _positions(order, param, problems)
    elif isinstance(order, Sequence) and not isinstance(order, (str, bytes)):
        ids = [_id_or_problem(item, f"{param}[{index}]", problems) for index, item in enumerate(order)]
        wanted = [rule_id for rule_id in ids if rule_id is not None]
        _repeats(wanted, "rule id", param, problems)
    else:
        _raise(param, [f"{param} must be a list of rule ids or a mapping rule id -> position"])
    if not order:
        problems.append(f"{param} names no rule")
    if problems:
        _raise(param, problems)
    return wanted


def _positions(order: Mapping[Any, Any], param: str, problems: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for key, position in order.items():
        rule_id = _id_or_problem(key, f"{param}[{preview(key)}]", problems)
        if isinstance(position, bool) or not isinstance(position, int) or position < 1:
            problems.append(f"{param}[{preview(key)}]: position {preview(position)} is not an integer from 1")
        elif rule_id in positions:
            problems.append(f"{param}: rule id {rule_id} given more than once")
        elif rule_id is not None:
            positions[rule_id] = position
    _repeats(list(positions.values()), "position", param, problems)
    return positions


def plan_reorder(current: Sequence[str], order: Any, param: str = "order") -> ReorderPlan:
    """The moves that turn ``current`` (rule ids, first runs first) into the order ``order`` asks for."""
    wanted = normalize_order(order, param)
    unknown = [rule_id for rule_id in wanted if rule_id not in current]
    problems = [f"{param}: no rule {rule_id} in this module" for rule_id in unknown]
    if isinstance(wanted, dict):
        problems += [
            f"{param}[{rule_id!r}]: position {preview(position)} is past the module's {len(current)} rules"
            for rule_id, position in wanted.items()
            if position > len(current)
        ]
    if problems:
        _raise(param, problems, current=list(current))
    if isinstance(wanted, dict):
        target = apply_positions(current, wanted)
    else:
        listed = set(wanted)
        target = list(wanted) + [rule_id for rule_id in current if rule_id not in listed]
    return ReorderPlan(order=target, moves=minimal_moves(current, target), steps=reorder_steps(current, target))


def apply_positions(current: Sequence[str], positions: Mapping[str, int]) -> list[str]:
    """Zoho's reorder: listed rules at their positions, the rest in their relative order around them."""
    slots: list[str | None] = [None] * len(current)
    for rule_id, position in positions.items():
        slots[position - 1] = rule_id
    rest = iter([rule_id for rule_id in current if rule_id not in positions])
    return [slot if slot is not None else next(rest) for slot in slots]


def minimal_moves(current: Sequence[str], target: Sequence[str]) -> list[dict[str, Any]]:
    """The fewest ``{id, module_specific_sequence}`` moves taking ``current`` to ``target`` (a permutation)."""
    index = {rule_id: position for position, rule_id in enumerate(target)}
    stay = set(_longest_increasing([index[rule_id] for rule_id in current]))
    return [
        {"id": rule_id, "module_specific_sequence": position + 1}
        for position, rule_id in enumerate(target)
        if position not in stay
    ]


def reorder_steps(
    current: Sequence[str], target: Sequence[str], limit: int = MAX_MOVES_PER_REQUEST
) -> list[list[Move]]:
    """Requests of at most ``limit`` moves that, sent in order, turn ``current`` into ``target``.

    The rules that stay (see :func:`minimal_moves`) are already in the target's relative order. Each
    step takes the next ``limit`` rules to move (by target position) and puts each right after the
    rule placed so far that precedes it in ``target``; the rules not moved yet keep their relative
    order, as Zoho keeps unlisted rules. So after each step the rules placed so far run in the
    target's relative order, and after the last one every rule does. Each rule is moved once.
    """
    moves = minimal_moves(current, target)
    if len(moves) <= limit:
        return [moves] if moves else []
    moving = [move["id"] for move in moves]
    placed = set(current) - set(moving)
    order = list(current)
    steps: list[list[Move]] = []
    for start in range(0, len(moving), limit):
        batch = set(moving[start : start + limit])
        after: dict[str | None, list[str]] = {}  # placed rule (None: the front) -> batch rules following it
        anchor: str | None = None
        for rule_id in target:
            if rule_id in placed:
                anchor = rule_id
            elif rule_id in batch:
                after.setdefault(anchor, []).append(rule_id)
        order_after = list(after.get(None, []))
        for rule_id in order:
            if rule_id not in batch:
                order_after.append(rule_id)
                if rule_id in placed:
                    order_after.extend(after.get(rule_id, []))
        steps.append(
            [
                {"id": rule_id, "module_specific_sequence": position}
                for position, rule_id in enumerate(order_after, start=1)
                if rule_id in batch
            ]
        )
        placed |= batch
        order = order_after
    return steps


def _longest_increasing(values: list[int]) -> list[int]:
    """One longest strictly increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []  # tails[k]: index of the smallest last value of a run of length k + 1
    tail_values: list[int] = []
    before: list[int | None] = [None] * len(values)
    for i, value in enumerate(values):
        k = bisect_left(tail_values, value)
        before[i] = tails[k - 1] if k else None
        if k == len(tails):
            tails.append(i)
            tail_values.append(value)
        else:
            tails[k] = i
            tail_values[k] = value
    run: list[int] = []
    at = tails[-1] if tails else None
    while at is not None:
        run.append(values[at])
        at = before[at]
    return run[::-1]


def _id_or_problem(value: Any, path: str, problems: list[str]) -> str | None:
    try:
        return validate_id(value, path)
    except ZohoCRMValidationError:
        problems.append(f"{path}: {preview(value)} is not a rule id (a string of digits)")
        return None


def _repeats(values: list[Any], what: str, param: str, problems: list[str]) -> None:
    repeated = sorted(
        value if isinstance(value, str) else preview(value) for value, count in Counter(values).items() if count > 1
    )
    if repeated:
        problems.append(f"{param}: {what}(s) given more than once: {', '.join(repeated)}")


def _raise(param: str, problems: list[str], **details: Any) -> NoReturn:
    raise ZohoCRMValidationError(
        f"{param} is not a valid reorder: " + "; ".join(problems),
        details={"json_path": param, "problems": problems, **details},
        hint="Give rule ids of this module (GET settings/automation/workflow_rules?module=...) in the wanted "
        "order, or a mapping id -> position between 1 and the number of rules",
    )

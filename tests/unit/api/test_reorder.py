"""Reorder planning (page 003): fewest moves, Zoho's slot semantics, every bad input listed at once."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_zohocrm.api.reorder import (
    MAX_MOVES_PER_REQUEST,
    minimal_moves,
    normalize_order,
    plan_reorder,
    reorder_steps,
)
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

CURRENT = ["11", "22", "33", "44", "55"]


def zoho_reorder(current: list[str], moves: list[dict[str, Any]]) -> list[str]:
    """Reference for page 003: moved rules at their positions, the others in order in the free slots."""
    placed = {move["module_specific_sequence"]: move["id"] for move in moves}
    moved = set(placed.values())
    rest = [rule_id for rule_id in current if rule_id not in moved]
    return [placed[p] if p in placed else rest.pop(0) for p in range(1, len(current) + 1)]


def lcs_length(a: list[str], b: list[str]) -> int:
    """Longest common subsequence by dynamic programming (independent of the planner's method)."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


def problems_of(order: Any, current: list[str] = CURRENT) -> list[str]:
    with pytest.raises(ZohoCRMValidationError) as info:
        plan_reorder(current, order)
    assert info.value.json_path == "order"
    assert info.value.hint
    return info.value.details["problems"]


# --- examples ------------------------------------------------------------------------------------------------


def test_already_in_order_needs_no_move():
    assert plan_reorder(CURRENT, CURRENT).moves == []
    assert plan_reorder(CURRENT, ["11", "22"]).moves == []
    assert plan_reorder(CURRENT, {"33": 3}).moves == []


def test_list_puts_listed_rules_first():
    plan = plan_reorder(CURRENT, ["44", "22"])
    assert plan.order == ["44", "22", "11", "33", "55"]
    assert zoho_reorder(CURRENT, plan.moves) == plan.order
    assert len(plan.moves) == 2


def test_one_rule_to_the_front_is_one_move():
    plan = plan_reorder(CURRENT, ["55"])
    assert plan.moves == [{"id": "55", "module_specific_sequence": 1}]


def test_mapping_uses_zohos_semantics():
    plan = plan_reorder(CURRENT, {"11": 5, "55": 1})
    assert plan.order == ["55", "22", "33", "44", "11"]
    assert plan.moves == [{"id": "55", "module_specific_sequence": 1}, {"id": "11", "module_specific_sequence": 5}]


def test_moves_are_sorted_by_position():
    plan = plan_reorder(CURRENT, list(reversed(CURRENT)))
    positions = [move["module_specific_sequence"] for move in plan.moves]
    assert positions == sorted(positions)
    assert len(plan.moves) == 4


def test_page_003_sample_positions():
    current = [f"48768760000{i:08d}" for i in range(8)]
    plan = plan_reorder(current, {current[5]: 1, current[0]: 7})
    assert zoho_reorder(current, plan.moves) == plan.order
    assert plan.order[0] == current[5]
    assert plan.order[6] == current[0]


def test_integer_ids_are_accepted():
    assert plan_reorder(CURRENT, [55]).order[0] == "55"


# --- invalid requests: all problems in one error -------------------------------------------------------------


def test_unknown_ids_are_all_listed():
    problems = problems_of(["99", "22", "77"])
    assert problems == ["order: no rule 99 in this module", "order: no rule 77 in this module"]


def test_positions_past_the_end_and_unknown_ids_together():
    problems = problems_of({"11": 6, "22": 9, "99": 1})
    assert len(problems) == 3
    assert any("99" in p for p in problems)
    assert any("position 6" in p for p in problems)
    assert any("position 9" in p for p in problems)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (["11", "11", "22", "22"], ["rule id(s) given more than once: 11, 22"]),
        ({"11": 1, "22": 1}, ["position(s) given more than once: 1"]),
        ({"11": 0, "22": -3, "33": True, "44": "2"}, ["position 0", "position -3", "position True", "position '2'"]),
        (["1a", "", None, "22"], ["'1a'", "''", "None"]),
        ({"x": 1}, ["'x' is not a rule id"]),
        ([], ["names no rule"]),
        ({}, ["names no rule"]),
    ],
)
def test_shape_problems(order, expected):
    problems = problems_of(order)
    assert len(problems) == len(expected)
    for problem, text in zip(problems, expected, strict=True):
        assert text in problem


@pytest.mark.parametrize("order", ["11,22", 11, None, b"11"])
def test_order_type(order):
    assert problems_of(order) == ["order must be a list of rule ids or a mapping rule id -> position"]


def test_normalize_needs_no_current_order():
    assert normalize_order(["11", 22]) == ["11", "22"]
    assert normalize_order({"11": 2}) == {"11": 2}
    with pytest.raises(ZohoCRMValidationError, match="given more than once"):
        normalize_order({"11": 1, 11: 2})


# --- properties ----------------------------------------------------------------------------------------------


@st.composite
def orders(draw: st.DrawFn) -> tuple[list[str], Any]:
    n = draw(st.integers(min_value=1, max_value=12))
    current = draw(st.permutations([str(4876876000000 + i) for i in range(n)]))
    if draw(st.booleans()):
        return current, draw(st.permutations(current).flatmap(lambda p: st.integers(1, n).map(lambda k: p[:k])))
    ids = draw(st.lists(st.sampled_from(current), min_size=1, max_size=n, unique=True))
    positions = draw(st.lists(st.integers(1, n), min_size=len(ids), max_size=len(ids), unique=True))
    return current, dict(zip(ids, positions, strict=True))


@given(orders())
def test_moves_produce_the_planned_order(case):
    current, order = case
    plan = plan_reorder(current, order)
    assert sorted(plan.order) == sorted(current)
    assert zoho_reorder(current, plan.moves) == plan.order
    if isinstance(order, list):
        assert plan.order[: len(order)] == order
        assert [r for r in plan.order if r not in order] == [r for r in current if r not in order]
    else:
        assert all(plan.order[position - 1] == rule_id for rule_id, position in order.items())


@given(orders())
def test_moves_are_minimal_and_each_rule_moves_once(case):
    current, order = case
    plan = plan_reorder(current, order)
    assert len(plan.moves) == len(current) - lcs_length(current, plan.order)
    assert len({move["id"] for move in plan.moves}) == len(plan.moves)


@given(orders())
def test_replanning_after_the_moves_is_a_no_op(case):
    current, order = case
    plan = plan_reorder(current, order)
    assert plan_reorder(plan.order, order).moves == []


@given(st.permutations([str(i) for i in range(1, 10)]), st.permutations([str(i) for i in range(1, 10)]))
def test_minimal_moves_between_any_two_orders(current, target):
    moves = minimal_moves(current, target)
    assert zoho_reorder(current, moves) == target
    assert len(moves) == len(current) - lcs_length(current, target)


@given(
    st.lists(
        st.one_of(st.text(max_size=4), st.integers(-5, 5), st.none(), st.floats(allow_nan=False)),
        min_size=1,
        max_size=6,
    )
)
def test_invalid_ids_never_pass(items):
    valid = [i for i in items if (isinstance(i, str) and i.isdigit() and i.isascii()) or (type(i) is int and i > 0)]
    if len(valid) == len(items):
        return
    with pytest.raises(ZohoCRMValidationError):
        normalize_order(items)


# --- more than 10 moves: successive requests of at most 10 ------------------------------------------------------


@st.composite
def large_orders(draw: st.DrawFn) -> tuple[list[str], Any]:
    """Up to 60 rules: any current order, and a wanted order as any permutation, a few swaps, a list or a mapping."""
    n = draw(st.integers(min_value=0, max_value=60))
    current = draw(st.permutations([str(4876876000000 + i) for i in range(n)]))
    shape = draw(st.sampled_from(["permutation", "swaps", "list", "mapping"]))
    if n == 0 or shape == "permutation":
        return current, draw(st.permutations(current))
    if shape == "swaps":
        target = list(current)
        for a, b in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=20)):
            target[a], target[b] = target[b], target[a]
        return current, target
    if shape == "list":
        return current, draw(st.permutations(current).flatmap(lambda p: st.integers(1, n).map(lambda k: p[:k])))
    ids = draw(st.lists(st.sampled_from(current), min_size=1, max_size=n, unique=True))
    positions = draw(st.lists(st.integers(1, n), min_size=len(ids), max_size=len(ids), unique=True))
    return current, dict(zip(ids, positions, strict=True))


def assert_valid_request(moves: list[dict[str, Any]], size: int) -> None:
    """What Zoho accepts in one reorder request: 1..10 items, each id and each position once, within the rules."""
    assert 1 <= len(moves) <= MAX_MOVES_PER_REQUEST
    assert len({move["id"] for move in moves}) == len(moves)
    positions = [move["module_specific_sequence"] for move in moves]
    assert len(set(positions)) == len(positions)
    assert all(1 <= position <= size for position in positions)


@settings(max_examples=300, deadline=None)
@given(large_orders())
def test_requests_in_order_reach_the_wanted_order_ten_moves_at_a_time(case):
    current, order = case
    plan = plan_reorder(current, order) if order else None
    target = plan.order if plan else list(order)
    steps = plan.steps if plan else reorder_steps(current, target)
    reached = list(current)
    for moves in steps:
        assert_valid_request(moves, len(current))
        reached = zoho_reorder(reached, moves)  # each request applies to the order the previous one left
    assert reached == target
    moved = len(current) - lcs_length(current, target)
    assert sum(len(moves) for moves in steps) == moved  # every rule that must move is sent exactly once
    assert len(steps) == -(-moved // MAX_MOVES_PER_REQUEST)
    if plan and moved <= MAX_MOVES_PER_REQUEST:
        assert steps == ([plan.moves] if plan.moves else [])


def test_twenty_five_moves_go_out_as_three_requests():
    current = [str(1000 + i) for i in range(30)]
    target = current[:26][::-1] + current[26:]  # reversing 26 rules keeps one in place: 25 move
    steps = reorder_steps(current, target)
    assert [len(moves) for moves in steps] == [10, 10, 5]
    reached = current
    for moves in steps:
        reached = zoho_reorder(reached, moves)
    assert reached == target


def test_a_smaller_cap_splits_the_same_way():
    current = [str(i) for i in range(1, 8)]
    target = current[::-1]
    steps = reorder_steps(current, target, limit=2)
    assert [len(moves) for moves in steps] == [2, 2, 2]
    reached = current
    for moves in steps:
        reached = zoho_reorder(reached, moves)
    assert reached == target


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "order",
    [
        [_nested(3000)],
        {"4876876000000001": _nested(3000)},
        {"4876876000000001": 10**5000, "4876876000000002": 10**5000},
    ],
)
def test_an_unprintable_order_is_refused_naming_it(order: Any) -> None:
    with pytest.raises(ZohoCRMValidationError) as caught:
        plan_reorder(["4876876000000001", "4876876000000002"], order)
    assert caught.value.json_path == "order"

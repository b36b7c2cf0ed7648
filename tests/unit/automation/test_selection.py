"""include / exclude: modules, rule ids, name globs, connected workflows; typos in include fail."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_zohocrm.automation.selection import select
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError

from .model import doc, rule, workflow

SNAPSHOT = doc(
    {
        "Leads": [rule("11", name="Assign web leads"), rule("12", name="Score hot leads"), rule("13", active=False)],
        "Contacts": [rule("21", name="Welcome new contacts"), rule("22", name="Assign contacts")],
    },
    [workflow("91", name="Lead Qualification"), workflow("92", name="Account Onboarding", module="Accounts")],
)
ALL_RULES = {"11", "12", "13", "21", "22"}


def chosen(include: Any = None, exclude: Any = None) -> tuple[set[str], set[str]]:
    selection = select(SNAPSHOT, include, exclude)
    return set(selection.rule_ids), set(selection.workflow_ids)


def test_no_include_selects_everything_in_the_snapshot() -> None:
    assert chosen() == (ALL_RULES, {"91", "92"})


@pytest.mark.parametrize(
    ("include", "rules", "workflows"),
    [
        ({"modules": ["Contacts"]}, {"21", "22"}, set()),
        ({"rules": ["12"]}, {"12"}, set()),
        ({"rules": ["assign *"]}, {"11", "22"}, set()),  # globs ignore case
        ({"rules": [{"module": "Leads", "name": "Assign*"}]}, {"11"}, set()),
        ({"rules": [{"id": "21", "module": "Contacts"}]}, {"21"}, set()),
        ({"modules": ["Leads"], "rules": ["21"]}, {"11", "12", "13", "21"}, set()),
        ({"connected_workflows": True}, set(), {"91", "92"}),
        ({"connected_workflows": ["92"]}, set(), {"92"}),
        ({"connected_workflows": ["lead *"]}, set(), {"91"}),
    ],
)
def test_include_selects_only_what_it_names(include: Any, rules: set[str], workflows: set[str]) -> None:
    assert chosen(include) == (rules, workflows)


def test_exclude_removes_what_it_matches() -> None:
    assert chosen(exclude={"modules": ["Leads"], "connected_workflows": True}) == ({"21", "22"}, set())
    assert chosen(exclude={"rules": ["welcome*"], "connected_workflows": ["91"]}) == ({"11", "12", "13", "22"}, {"92"})
    assert chosen({"modules": ["Leads"]}, {"rules": ["12"]}) == ({"11", "13"}, set())


def test_include_and_exclude_may_arrive_as_rendered_text() -> None:
    assert chosen(json.dumps({"rules": ["12"]}), str({"rules": ["12"]})) == (set(), set())
    assert chosen("{'modules': ['Contacts']}") == ({"21", "22"}, set())


def test_an_include_selector_that_matches_nothing_fails_listing_it() -> None:
    with pytest.raises(ZohoCRMValidationError, match=r"include\.rules\[1\]") as info:
        chosen({"rules": ["11", "Asign*"], "modules": ["Deals"], "connected_workflows": ["99"]})
    assert info.value.details["unmatched"] == [
        "include.modules[0] ({'module': 'Deals'})",
        "include.rules[1] ({'name': 'Asign*'})",
        "include.connected_workflows[0] ('99')",
    ]


def test_including_connected_workflows_the_snapshot_did_not_record_fails() -> None:
    with pytest.raises(ZohoCRMValidationError, match="did not record connected workflows"):
        select(doc({"Leads": [rule("11")]}), {"connected_workflows": True})


def test_an_exclude_selector_that_matches_nothing_is_only_reported() -> None:
    selection = select(SNAPSHOT, None, {"rules": ["99"], "modules": ["Leads"]})
    assert selection.unmatched_excludes == ("exclude.rules[0] ({'id': '99'})",)
    assert set(selection.rule_ids) == {"21", "22"}


@pytest.mark.parametrize(
    ("include", "where"),
    [
        (["Leads"], "include"),
        ({"module": ["Leads"]}, "include"),
        ({"modules": "Leads"}, "include.modules"),
        ({"modules": [""]}, "include.modules"),
        ({"rules": [{"module": "Leads", "status": "active"}]}, "include.rules[0]"),
        ({"rules": [{}]}, "include.rules[0]"),
        ({"rules": [12]}, "include.rules[0]"),
        ({"connected_workflows": "all"}, "include.connected_workflows"),
        ("{not json", "include"),
    ],
)
def test_a_malformed_selection_is_refused_naming_where(include: Any, where: str) -> None:
    with pytest.raises(ZohoCRMValidationError) as info:
        chosen(include)
    assert info.value.json_path == where

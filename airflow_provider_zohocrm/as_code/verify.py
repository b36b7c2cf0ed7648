"""Verify: every difference between live Zoho and the files, each naming the object, its id and the field path.

A difference is ``{"kind", "module", "id", "name", "path", "expected", "actual"}``: ``expected`` is
what the files say, ``actual`` what Zoho has. ``path`` is a field of the file's rule
(``conditions[0].scheduled_actions[0].execute_after.unit``, ``active``), ``position`` for a rule
out of the file's order (positions count the file's rules, 1 runs first; unmanaged rules are not
counted), or ``""`` for an object of the files that Zoho does not hold (``expected`` "exists",
``actual`` "missing"). Rules live in Zoho but not in the files are not differences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.reorder import minimal_moves
from airflow_provider_zohocrm.api.workflow_rule_changes import matches
from airflow_provider_zohocrm.as_code.diff import rule_diff
from airflow_provider_zohocrm.as_code.files import AutomationFiles, read_files
from airflow_provider_zohocrm.as_code.live import LiveState, Progress, Session, read_live
from airflow_provider_zohocrm.as_code.match import match_rules, match_workflows
from airflow_provider_zohocrm.as_code.normalize import file_rule

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient

Difference = dict[str, Any]
RULE, WORKFLOW = "workflow_rule", "connected_workflow"
WORKFLOW_FIELDS = ("name", "primary_module", "status", "description")


def verify_state(client: ZohoCRMClient, directory: str, *, progress: Progress | None = None) -> list[Difference]:
    """Every difference between live Zoho and the files in ``directory``; ``[]`` when they are equal."""
    files = read_files(directory)
    session = Session(client, progress)
    live = read_live(session, files.modules, workflows=files.workflows is not None)
    found = state_differences(files, live)
    session.progress(f"{len(found)} difference(s) found in {session.calls} call(s)")
    return found


def state_differences(files: AutomationFiles, live: LiveState) -> list[Difference]:
    """The differences between ``files`` and ``live`` (pure)."""
    found: list[Difference] = []
    for module in files.modules:
        match = match_rules(module, files.rules[module], live.rules.get(module, []))
        for rule, have in match.pairs:
            found += rule_differences(module, have["id"], file_rule(rule.rule), have)
        for rule in match.creations:
            found.append(missing(RULE, module, rule.id, rule.name))
        names = {have["id"]: rule.name for rule, have in match.pairs}
        found += order_differences(module, [have["id"] for _, have in match.pairs], match.live_order, names)
    if files.workflows is not None:
        workflows = match_workflows(files.workflows, live.workflows)
        for entry, have in workflows.pairs:
            found += workflow_differences(entry.workflow, have)
        for entry in workflows.creations:
            want = entry.workflow
            found.append(missing(WORKFLOW, want["primary_module"], want.get("id"), want["name"]))
    return found


def difference(kind: str, module: Any, item_id: Any, name: Any, path: str, expected: Any, actual: Any) -> Difference:
    return {
        "kind": kind,
        "module": module,
        "id": item_id,
        "name": name,
        "path": path,
        "expected": expected,
        "actual": actual,
    }


def missing(kind: str, module: Any, item_id: Any, name: Any) -> Difference:
    return difference(kind, module, item_id, name, "", "exists", "missing")


def rule_differences(module: str, rule_id: str, want: dict[str, Any], have: dict[str, Any]) -> list[Difference]:
    """A rule's field-level differences (canonical ``want`` from the files, ``have`` from Zoho)."""
    found = []
    if want["active"] != have["active"]:
        found.append(difference(RULE, module, rule_id, want["name"], "active", want["active"], have["active"]))
    found += [
        difference(RULE, module, rule_id, want["name"], item["path"], item["after"], item["before"])
        for item in rule_diff(want, have).changes
    ]
    return found


def order_differences(module: str, wanted: list[str], live_order: list[str], names: dict[str, str]) -> list[Difference]:
    """The managed rules out of the wanted order: the fewest that would have to move, with both positions."""
    present = set(live_order)
    expected = [rule_id for rule_id in wanted if rule_id in present]
    chosen = set(expected)
    actual = [rule_id for rule_id in live_order if rule_id in chosen]
    return [
        difference(
            RULE,
            module,
            move["id"],
            names.get(move["id"]),
            "position",
            move["module_specific_sequence"],
            actual.index(move["id"]) + 1,
        )
        for move in minimal_moves(actual, expected)
    ]


def workflow_differences(want: dict[str, Any], have: dict[str, Any]) -> list[Difference]:
    return [
        difference(WORKFLOW, have["primary_module"], have["id"], want["name"], key, want[key], have[key])
        for key in WORKFLOW_FIELDS
        if key in want and not matches(want[key], have[key])
    ]


def expected_differences(expected: dict[str, Any], refs: dict[str, str], live: LiveState) -> list[Difference]:
    """The differences between what a plan expects of the objects it changed and ``live`` (read after applying).

    ``refs``: the ids the apply's creations got, by their step's ``ref``.
    """
    found: list[Difference] = []
    for module, section in (expected.get("workflow_rules") or {}).items():
        rules = {rule["id"]: rule for rule in live.canonical_rules(module)}
        for want in section.get("rules") or []:
            rule_id = want.get("id") or refs.get(want.get("ref", ""))
            clean = {key: value for key, value in want.items() if key not in ("id", "ref")}
            have = rules.get(rule_id or "")
            if have is None:
                found.append(missing(RULE, module, rule_id, want.get("name")))
            else:
                found += rule_differences(module, have["id"], clean, have)
        wanted = [refs.get(item, item) for item in section.get("order") or []]
        names = {rule_id: rule["name"] for rule_id, rule in rules.items()}
        found += order_differences(module, wanted, [rule["id"] for rule in live.canonical_rules(module)], names)
    workflows = {workflow["id"]: workflow for workflow in live.canonical_workflows()}
    for want in expected.get("connected_workflows") or []:
        workflow_id = want.get("id") or refs.get(want.get("ref", ""))
        have = workflows.get(workflow_id or "")
        if have is None:
            found.append(missing(WORKFLOW, want.get("primary_module"), workflow_id, want.get("name")))
        else:
            found += workflow_differences({k: v for k, v in want.items() if k != "ref"}, have)
    return found

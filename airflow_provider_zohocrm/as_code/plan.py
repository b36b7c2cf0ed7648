"""The plan: the ordered requests that make live Zoho equal to the files, and the fingerprint they assume.

Steps, in the order they are sent:

1. deactivations (rules, connected workflows): turning automation off first is the safe direction,
   and frees room under Zoho's active-rules limit;
2. ``update_rule``: each rule's field-level changes in one update carrying only what differs (:mod:`.diff`);
3. ``create_rule``: a new rule arrives active and last in its module's order; one the files want
   inactive is deactivated right after it is created;
4. ``reorder_rules``: the module's order, by the fewest moves (:mod:`~airflow_provider_zohocrm.api.reorder`),
   in requests of at most 10;
5. activations of existing rules, in their final place and definition;
6. connected workflows: creations (as drafts, published when the files say ``active``) and activations.

Order of a module: the rules of the file run in the file's order; unmanaged rules (live, not in
the file) keep their slots and the managed rules fill the others (as restore does with drift,
:func:`~airflow_provider_zohocrm.automation.restore.restored_order`). A step that depends on a
rule still to be created (its status, a reorder moving it) has ``request: null`` and is built when
applied, from the new rule's real id: such steps refer to it by the ``ref`` of its ``create_rule``
step, and a deferred reorder carries the wanted ``order``.

The plan records the fingerprint of the live state it was computed from (only the modules of the
files, and the connected workflows) and, under ``expected``, what the changed objects must look
like afterwards, so an apply can refuse a stale plan and verify its own result without the files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.connected_workflows import PATH as WORKFLOWS_PATH
from airflow_provider_zohocrm.api.connected_workflows import check_module_free, state_request
from airflow_provider_zohocrm.api.connected_workflows import create_request as workflow_create_request
from airflow_provider_zohocrm.api.reorder import apply_positions, minimal_moves, reorder_steps
from airflow_provider_zohocrm.api.workflow_rule_changes import matches
from airflow_provider_zohocrm.api.workflow_rules import (
    RULES_PATH,
    create_request,
    reorder_request,
    status_request,
    update_request,
)
from airflow_provider_zohocrm.api.workflow_rules_validation import validate_rule_update
from airflow_provider_zohocrm.as_code.diff import change, create_body, rule_diff
from airflow_provider_zohocrm.as_code.files import DEFINITION_KEYS, AutomationFiles, FileRule, read_files, rule_error
from airflow_provider_zohocrm.as_code.live import LiveState, Progress, Session, read_live
from airflow_provider_zohocrm.as_code.match import match_rules, match_workflows, workflow_error
from airflow_provider_zohocrm.as_code.normalize import file_rule
from airflow_provider_zohocrm.automation.restore import restored_order
from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.validation import check_planned_request, is_id, preview, validate_module

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.plan import PlannedRequest

FORMAT = 1
RULE_ACTIONS = ("create_rule", "update_rule", "set_rule_status", "reorder_rules")
WORKFLOW_ACTIONS = ("set_workflow_status", "create_workflow")
ACTIONS = RULE_ACTIONS + WORKFLOW_ACTIONS
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
Step = dict[str, Any]


@dataclass
class Plan:
    """What an apply would do, computed against the live state whose digest is ``fingerprint``."""

    fingerprint: str
    steps: list[Step]
    unmanaged: list[dict[str, Any]]
    modules: list[str]
    directory: str
    expected: dict[str, Any] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return bool(self.steps)

    def modules_changed(self) -> list[str]:
        """The modules a step changes (a connected workflow's: its primary module), in step order."""
        return list(dict.fromkeys(step["module"] for step in self.steps if step.get("module")))

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-serialisable data; :meth:`from_dict` reads it back."""
        return {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "directory": self.directory,
            "modules": list(self.modules),
            "steps": self.steps,
            "unmanaged": self.unmanaged,
            "expected": self.expected,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Plan:
        """A plan from :meth:`to_dict`'s data, checked; a typed error naming the key otherwise."""
        return _plan_from(data)

    def render(self) -> str:
        """A readable diff: per module, each step with rule names and field paths (before -> after)."""
        return render(self)


def make_plan(client: ZohoCRMClient, directory: str, *, progress: Progress | None = None) -> Plan:
    """Read the files in ``directory`` and live Zoho, and plan the requests that make Zoho equal to the files."""
    files = read_files(directory)
    session = Session(client, progress)
    live = read_live(session, files.modules)
    plan = build_plan(files, live)
    session.progress(f"Planned {len(plan.steps)} step(s) from {session.calls} call(s)")
    return plan


def build_plan(files: AutomationFiles, live: LiveState) -> Plan:
    """The plan for ``files`` against ``live`` (pure: no request)."""
    builder = _Builder()
    for module in files.modules:
        builder.module(module, files.rules[module], live.rules.get(module, []))
    if files.workflows is not None:
        builder.workflows(files, live.workflows)
    steps = builder.off + builder.updates + builder.creates + builder.reorders + builder.on + builder.flows
    return Plan(
        fingerprint=live.fingerprint,
        steps=steps,
        unmanaged=builder.unmanaged,
        modules=files.modules,
        directory=files.directory,
        expected=builder.expected if steps else {},
    )


def make_step(
    action: str,
    module: str | None,
    item_id: str | None,
    name: str | None,
    changes: list[dict[str, Any]],
    request: PlannedRequest | None,
    **extra: Any,
) -> Step:
    return {
        "action": action,
        "module": module,
        "id": item_id,
        "name": name,
        "changes": changes,
        "request": dict(request) if request is not None else None,
        **extra,
    }


class _Builder:
    def __init__(self) -> None:
        self.off: list[Step] = []
        self.updates: list[Step] = []
        self.creates: list[Step] = []
        self.reorders: list[Step] = []
        self.on: list[Step] = []
        self.flows: list[Step] = []
        self.unmanaged: list[dict[str, Any]] = []
        self.expected: dict[str, Any] = {"workflow_rules": {}, "connected_workflows": []}

    def module(self, module: str, rules: list[FileRule], raw_live: list[dict[str, Any]]) -> None:
        match = match_rules(module, rules, raw_live)
        self.unmanaged += match.unmanaged
        raw_by_id = {str(raw.get("id")): raw for raw in raw_live}
        touched: list[dict[str, Any]] = []
        names: dict[str, str] = {}
        for rule, have in match.pairs:
            want = file_rule(rule.rule)
            rule_id = have["id"]
            names[rule_id] = want["name"]
            diff = rule_diff(want, have)
            if diff.unsupported:
                key = diff.unsupported[0]
                raise rule_error(
                    rule,
                    f"differs from Zoho's {key!r}, which no API call can change",
                    key,
                    "Make it say what Zoho has (export again), or remove the key from the file",
                )
            if diff.body:
                _check_update(rule, diff.body, raw_by_id[rule_id])
                self.updates.append(
                    make_step(
                        "update_rule", module, rule_id, want["name"], diff.changes, update_request(rule_id, diff.body)
                    )
                )
            if want["active"] != have["active"]:
                step = make_step(
                    "set_rule_status",
                    module,
                    rule_id,
                    want["name"],
                    [change("active", have["active"], want["active"])],
                    status_request(rule_id, want["active"]),
                )
                (self.on if want["active"] else self.off).append(step)
            if diff.body or want["active"] != have["active"]:
                touched.append({**want, "id": rule_id})
        refs: dict[int, str] = {}
        for number, rule in enumerate(match.creations, start=1):
            ref = f"new:{module}:{number}"
            refs[rule.index] = ref
            want = file_rule(rule.rule)
            want.pop("id", None)
            names[ref] = want["name"]
            request = _create(rule, want, module)
            after = {"name": want["name"], "active": want["active"], "position": rule.index + 1}
            self.creates.append(
                make_step("create_rule", module, None, want["name"], [change("", None, after)], request, ref=ref)
            )
            if not want["active"]:
                self.creates.append(
                    make_step(
                        "set_rule_status", module, None, want["name"], [change("active", True, False)], None, ref=ref
                    )
                )
            touched.append({**want, "ref": ref})
        wanted = match.wanted(refs)
        reorders = self._reorder(module, match.live_order + list(refs.values()), wanted, names, set(refs.values()))
        if touched or reorders:
            self.expected["workflow_rules"][module] = {"order": wanted, "rules": touched}

    def _reorder(
        self, module: str, current: list[str], wanted: list[str], names: dict[str, str], new: set[str]
    ) -> list[Step]:
        target = restored_order(current, wanted, ())
        batches = reorder_steps(current, target)
        if not batches:
            return []
        if any(move["id"] in new for moves in batches for move in moves):
            # Positions need the new rules' ids: built when applied, from the order then.
            changes = [
                {
                    "path": "position",
                    "id": None if move["id"] in new else move["id"],
                    "name": names.get(move["id"]),
                    "before": current.index(move["id"]) + 1,
                    "after": move["module_specific_sequence"],
                }
                for move in minimal_moves(current, target)
            ]
            steps = [make_step("reorder_rules", module, None, None, changes, None, order=wanted)]
        else:
            steps = []
            before = list(current)
            for number, moves in enumerate(batches, start=1):
                changes = [
                    {
                        "path": "position",
                        "id": move["id"],
                        "name": names.get(move["id"]),
                        "before": before.index(move["id"]) + 1,
                        "after": move["module_specific_sequence"],
                    }
                    for move in moves
                ]
                request = reorder_request(module, moves, step=(number, len(batches)))
                steps.append(make_step("reorder_rules", module, None, None, changes, request))
                before = apply_positions(before, {move["id"]: move["module_specific_sequence"] for move in moves})
        self.reorders += steps
        return steps

    def workflows(self, files: AutomationFiles, raw_live: list[dict[str, Any]]) -> None:
        match = match_workflows(files.workflows or [], raw_live)
        self.unmanaged += match.unmanaged
        for entry, have in match.pairs:
            want = entry.workflow
            for key in ("name", "primary_module", "description"):
                if key in want and not matches(want[key], have[key]):
                    raise workflow_error(
                        entry,
                        f"is {want[key]!r} but {have[key]!r} in Zoho, and no API call changes a connected "
                        f"workflow's {key}",
                        key,
                        "Change it in Zoho, or make the file say what Zoho has",
                    )
            step = self._workflow_status(entry, want, have["status"], have["id"], have["primary_module"])
            if step is not None:
                (self.off if want["status"] == "inactive" else self.flows).append(step)
                self.expected["connected_workflows"].append({**want, "id": have["id"]})
        modules = [w["primary_module"] for _, w in match.pairs]
        for number, entry in enumerate(match.creations, start=1):
            want = entry.workflow
            module = want["primary_module"]
            if want["status"] == "inactive":
                raise workflow_error(
                    entry,
                    "is inactive, but a new connected workflow is created as a draft, and a draft cannot be "
                    "deactivated",
                    "status",
                    "Set status to draft (created, not published) or active (published)",
                )
            try:
                check_module_free(raw_live, {"api_name": module})
                if module in modules:
                    raise ZohoCRMValidationError(f"module {module} gets two connected workflows in the file")
                request = workflow_create_request(want["name"], module, want.get("description"))
            except ZohoCRMValidationError as exc:
                raise workflow_error(
                    entry, exc.message, "primary_module", "Zoho allows one connected workflow per primary module"
                ) from None
            modules.append(module)
            ref = f"new:connected_workflow:{number}"
            self.flows.append(
                make_step("create_workflow", module, None, want["name"], [change("", None, want)], request, ref=ref)
            )
            if want["status"] == "active":
                self.flows.append(
                    make_step(
                        "set_workflow_status",
                        module,
                        None,
                        want["name"],
                        [change("status", "draft", "active")],
                        None,
                        ref=ref,
                    )
                )
            self.expected["connected_workflows"].append({**want, "ref": ref})

    @staticmethod
    def _workflow_status(entry: Any, want: dict[str, Any], status: str, workflow_id: str, module: str) -> Step | None:
        wanted = want["status"]
        if wanted == status:
            return None
        if wanted == "draft":
            raise workflow_error(
                entry,
                f"is draft but {status} in Zoho, and a published workflow cannot become a draft again",
                "status",
                "Set status to active or inactive",
            )
        if wanted == "inactive" and status == "draft":
            raise workflow_error(
                entry,
                "is inactive but a draft in Zoho, and a draft cannot be deactivated (it was never published)",
                "status",
                "Set status to draft, or to active to publish it",
            )
        verb = "activate" if wanted == "active" else "deactivate"
        summary = f"{verb} connected workflow {want['name']!r} (now {status})"
        return make_step(
            "set_workflow_status",
            module,
            workflow_id,
            want["name"],
            [change("status", status, wanted)],
            state_request(workflow_id, verb, summary),
        )


def _check_update(rule: FileRule, body: dict[str, Any], current: dict[str, Any]) -> None:
    """The update as Update Workflow Rule would judge it against the rule as it is now."""
    try:
        validate_rule_update(body, current)
    except ZohoCRMValidationError as exc:
        raise rule_error(rule, f"cannot be updated as the file asks: {exc.message}", hint=exc.hint) from None


def _create(rule: FileRule, want: dict[str, Any], module: str) -> PlannedRequest:
    extra = sorted(set(want) - set(DEFINITION_KEYS) - {"active"})
    if extra:
        raise rule_error(
            rule,
            f"cannot be created with {', '.join(extra)}: Create Workflow Rule takes only {', '.join(DEFINITION_KEYS)}",
            extra[0],
            "Remove the key from the new rule",
        )
    try:
        return create_request(create_body(want, module))
    except ZohoCRMValidationError as exc:
        raise rule_error(rule, f"cannot be created as the file gives it: {exc.message}", hint=exc.hint) from None


# --- rendering -----------------------------------------------------------------------------------------

_SYMBOL = {
    "create_rule": "+",
    "update_rule": "~",
    "reorder_rules": ">",
    "create_workflow": "+",
}


def render(plan: Plan) -> str:
    head = f"Plan for {plan.directory} (live state {plan.fingerprint[:12]})"
    lines = [f"{head}: {len(plan.steps)} step(s)" if plan.steps else f"{head}: nothing to change"]
    sections: dict[str, list[Step]] = {}
    for step in plan.steps:
        section = step["module"] if step["action"] in RULE_ACTIONS else "Connected workflows"
        sections.setdefault(section, []).append(step)
    for section, steps in sections.items():
        lines.append(f"{section}:")
        for step in steps:
            lines += _render_step(step)
    if plan.unmanaged:
        lines.append("Unmanaged (live in Zoho, not in the files; left alone, never deleted):")
        for item in plan.unmanaged:
            kind = "rule" if item["kind"] == "workflow_rule" else "connected workflow"
            lines.append(f"  {item.get('module')}: {kind} {item.get('name')!r} ({item.get('id')})")
    return "\n".join(lines)


def _render_step(step: Step) -> list[str]:
    action = step["action"]
    who = f"{step.get('name')!r} ({step.get('id') or 'new'})"
    pending = "" if step.get("request") is not None else " [request built when applied]"
    if action == "reorder_rules":
        summary = (step.get("request") or {}).get("summary") or "reorder"
        lines = [f"  > {summary.split(':')[0]}{pending}"]
        lines += [
            f"      {moved['name']!r}: position {moved['before']} -> {moved['after']}" for moved in step["changes"]
        ]
        return lines
    if action in ("set_rule_status", "set_workflow_status"):
        first = step["changes"][0]
        turning_off = first["after"] in (False, "inactive")
        verb = "deactivate" if turning_off else "activate"
        shift = f"{first['path']} {_show(first['before'])} -> {_show(first['after'])}"
        return [f"  {'-' if turning_off else '+'} {verb} {who}: {shift}{pending}"]
    if action in ("create_rule", "create_workflow"):
        return [f"  + create {who}: {_show(step['changes'][0]['after'])}"]
    lines = [f"  ~ update {who}:"]
    lines += [f"      {c['path']}: {_show(c['before'])} -> {_show(c['after'])}" for c in step["changes"]]
    return lines


def _show(value: Any, width: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."


# --- reading a plan back --------------------------------------------------------------------------------


def _plan_from(data: Any) -> Plan:
    if not isinstance(data, dict):
        raise _bad("plan", f"must be a plan (the dict Plan.to_dict returns); got {preview(data)}")
    if data.get("format") != FORMAT:
        raise _bad("plan.format", f"must be {FORMAT}; got {preview(data.get('format'))}")
    fingerprint = data.get("fingerprint")
    if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
        raise _bad("plan.fingerprint", f"must be the 64-digit hex digest a plan records; got {preview(fingerprint)}")
    directory = data.get("directory")
    if not isinstance(directory, str):
        raise _bad("plan.directory", f"must be text; got {preview(directory)}")
    modules = data.get("modules")
    if not isinstance(modules, list):
        raise _bad("plan.modules", f"must be a list of module API names; got {preview(modules)}")
    modules = [validate_module(module, f"plan.modules[{index}]") for index, module in enumerate(modules)]
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise _bad("plan.steps", f"must be a list; got {preview(steps)}")
    refs: set[str] = set()
    for index, step in enumerate(steps):
        _check_step(step, f"plan.steps[{index}]", refs)
    unmanaged = data.get("unmanaged", [])
    if not isinstance(unmanaged, list) or not all(isinstance(item, dict) for item in unmanaged):
        raise _bad("plan.unmanaged", f"must be a list of objects; got {preview(unmanaged)}")
    expected = data.get("expected", {})
    if not isinstance(expected, dict):
        raise _bad("plan.expected", f"must be an object; got {preview(expected)}")
    unknown = sorted(
        map(str, set(data) - {"format", "fingerprint", "directory", "modules", "steps", "unmanaged", "expected"})
    )
    if unknown:
        raise _bad(f"plan.{unknown[0]}", "is not a key of a plan")
    return Plan(fingerprint, list(steps), list(unmanaged), modules, directory, dict(expected))


def _check_step(step: Any, path: str, refs: set[str]) -> None:
    if not isinstance(step, dict):
        raise _bad(path, f"must be an object; got {preview(step)}")
    action = step.get("action")
    if action not in ACTIONS:
        raise _bad(f"{path}.action", f"must be one of {', '.join(ACTIONS)}; got {preview(action)}")
    for key in ("module", "name"):
        if step.get(key) is not None and not isinstance(step[key], str):
            raise _bad(f"{path}.{key}", f"must be text or null; got {preview(step[key])}")
    if action in RULE_ACTIONS:
        validate_module(step.get("module"), f"{path}.module")
    if step.get("id") is not None and not is_id(step["id"]):
        raise _bad(f"{path}.id", f"must be a Zoho id or null; got {preview(step['id'])}")
    changes = step.get("changes")
    if not isinstance(changes, list) or not all(isinstance(c, dict) and "path" in c for c in changes):
        raise _bad(f"{path}.changes", "must be a list of {path, before, after} objects")
    request = step.get("request")
    ref = step.get("ref")
    if action in ("create_rule", "create_workflow"):
        if not isinstance(ref, str) or not ref:
            raise _bad(f"{path}.ref", "must name the object this step creates")
        refs.add(ref)
    if request is None:
        _check_deferred(step, path, refs)
        return
    check_planned_request(request, f"{path}.request")
    family = WORKFLOWS_PATH if action in WORKFLOW_ACTIONS else RULES_PATH
    if request["method"] not in ("POST", "PUT") or not str(request["path"]).startswith(family):
        raise _bad(f"{path}.request", f"must be a POST or PUT under {family} for {action}; got {preview(request)}")


def _check_deferred(step: dict[str, Any], path: str, refs: set[str]) -> None:
    """A step without a request is built when applied: it must say from what."""
    action = step["action"]
    if action in ("create_rule", "create_workflow", "update_rule"):
        raise _bad(f"{path}.request", f"must be the request of this {action} step")
    if action == "reorder_rules":
        order = step.get("order")
        if not isinstance(order, list) or not all(isinstance(x, str) and (is_id(x) or x in refs) for x in order):
            raise _bad(f"{path}.order", "must list rule ids and refs of earlier create_rule steps")
        return
    if step.get("ref") not in refs:
        raise _bad(f"{path}.ref", "must be the ref of an earlier step that creates the object")
    changes = step["changes"]
    if not changes or changes[0].get("path") not in ("active", "status"):
        raise _bad(f"{path}.changes", "must start with the status change to make")


def _bad(path: str, problem: str) -> ZohoCRMValidationError:
    return ZohoCRMValidationError(
        f"{path} {problem}",
        details={"json_path": path},
        hint="Pass a plan written by make_plan (Plan.to_dict, or 'zohocrm-automation plan --out'), unedited",
    )

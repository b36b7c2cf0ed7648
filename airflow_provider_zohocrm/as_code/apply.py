"""Apply: carry out a reviewed plan, only if Zoho is still as it was planned against, then verify.

The live state is read again first and its fingerprint compared with the plan's: any difference
(a rule edited, moved, switched, created or deleted in the plan's modules, a connected workflow
changed) refuses the plan with ``ZohoCRMPlanStaleError`` before anything is written. Then each
step's request is sent as planned; the steps that needed a new object's id (its status, a reorder
moving it) are built from the ids the creations returned. The first failed step stops the apply:
the error is raised with ``details["applied"]`` (each step's outcome so far, the rest "skipped"),
and a new plan picks up from what Zoho then holds. Finally the changed modules and connected
workflows are read again and compared with what the plan expects of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.connected_workflows import state_request
from airflow_provider_zohocrm.api.reorder import reorder_steps
from airflow_provider_zohocrm.api.workflow_rules import reorder_requests, status_request
from airflow_provider_zohocrm.as_code.live import LiveState, Progress, Session, read_live
from airflow_provider_zohocrm.as_code.plan import RULE_ACTIONS, WORKFLOW_ACTIONS, Plan, Step
from airflow_provider_zohocrm.as_code.verify import expected_differences
from airflow_provider_zohocrm.automation.restore import restored_order
from airflow_provider_zohocrm.exceptions import ZohoCRMDriftError, ZohoCRMError, ZohoCRMPlanStaleError

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.plan import PlannedRequest


@dataclass
class ApplyResult:
    """The steps with their outcome, the modules changed, and whether Zoho now shows what the plan expects."""

    applied: list[dict[str, Any]]
    modules_changed: list[str]
    verified: bool
    differences: list[dict[str, Any]]
    calls: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "modules_changed": self.modules_changed,
            "verified": self.verified,
            "differences": self.differences,
            "calls": self.calls,
        }


def apply_plan(client: ZohoCRMClient, plan: Plan, *, progress: Progress | None = None) -> ApplyResult:
    """Carry out ``plan`` (a :class:`Plan` or its ``to_dict`` data) if Zoho still matches its fingerprint."""
    if not isinstance(plan, Plan):
        plan = Plan.from_dict(plan)
    session = Session(client, progress)
    live = read_live(session, plan.modules)
    check_fresh(plan, live)
    refs: dict[str, str] = {}
    applied: list[dict[str, Any]] = []
    for number, step in enumerate(plan.steps, start=1):
        session.progress(f"Step {number} of {len(plan.steps)}: {describe(step)}")
        try:
            outcome = run_step(session, step, refs)
        except ZohoCRMError as exc:
            applied.append({**step, "outcome": "failed", "error": exc.to_dict()})
            applied += [{**later, "outcome": "skipped"} for later in plan.steps[number:]]
            exc.details["applied"] = applied
            session.progress(f"Step {number} failed; {len(plan.steps) - number} step(s) not sent")
            raise
        applied.append({**step, **outcome, "outcome": "applied"})
    differences = verify_applied(session, plan, refs, live) if plan.steps else []
    return ApplyResult(applied, plan.modules_changed(), not differences, differences, session.calls)


def check_fresh(plan: Plan, live: LiveState) -> None:
    """Refuse ``plan`` when the live state it was computed from changed since."""
    now = live.fingerprint
    if now != plan.fingerprint:
        raise ZohoCRMPlanStaleError(
            "Zoho changed since the plan was made (the automation of "
            f"{', '.join(plan.modules) or 'no module'} or the connected workflows differ): nothing was written",
            code="PLAN_STALE",
            details={"plan_fingerprint": plan.fingerprint, "live_fingerprint": now},
            hint="Make a new plan, review it, and apply that one",
        )


def describe(step: Step) -> str:
    request = step.get("request")
    if request is not None:
        return str(request.get("summary") or f"{request['method']} {request['path']}")
    return f"{step['action']} {step.get('module')} {step.get('name') or ''}".strip()


def run_step(session: Session, step: Step, refs: dict[str, str]) -> dict[str, Any]:
    """Send one step (building it first if it waited for a new object's id); its outcome."""
    action = step["action"]
    if action == "create_rule":
        rule_id = session.rules.create(step["request"]["json"]["workflow_rules"][0])
        refs[step["ref"]] = rule_id
        return {"id": rule_id, "sent": [step["request"]]}
    if action == "create_workflow":
        created = session.workflows.create_or_adopt(step["request"], if_exists="reuse")
        refs[step["ref"]] = created["id"]
        return {"id": created["id"], "sent": [step["request"]]}
    requests = [step["request"]] if step.get("request") is not None else deferred_requests(session, step, refs)
    for request in requests:
        session.rules.send(request)
    outcome: dict[str, Any] = {"sent": requests}
    if step.get("ref") in refs:
        outcome["id"] = refs[step["ref"]]
    return outcome


def deferred_requests(session: Session, step: Step, refs: dict[str, str]) -> list[PlannedRequest]:
    """The requests of a step that needed the id of an object created earlier in the apply."""
    action = step["action"]
    if action == "set_rule_status":
        return [status_request(refs[step["ref"]], bool(step["changes"][0]["after"]))]
    if action == "set_workflow_status":
        verb = "activate" if step["changes"][0]["after"] == "active" else "deactivate"
        return [state_request(refs[step["ref"]], verb)]
    module = step["module"]
    current = session.rules.current_order(module)
    wanted = [refs.get(item, item) for item in step["order"]]
    gone = [rule_id for rule_id in wanted if rule_id not in current]
    if gone:
        raise ZohoCRMDriftError(
            f"the rules {', '.join(gone)} of {module} are gone from Zoho during the apply; the order was not changed",
            details={"module": module, "missing": gone},
            hint="Make a new plan",
        )
    return reorder_requests(module, reorder_steps(current, restored_order(current, wanted, ())))


def verify_applied(session: Session, plan: Plan, refs: dict[str, str], before: LiveState) -> list[dict[str, Any]]:
    """Read the changed modules (and connected workflows) again and compare them with the plan's expectations."""
    modules = list(dict.fromkeys(s["module"] for s in plan.steps if s["action"] in RULE_ACTIONS))
    workflows = any(step["action"] in WORKFLOW_ACTIONS for step in plan.steps)
    session.progress("Verifying the result")
    after = read_live(session, modules, workflows=workflows)
    if not workflows:
        after.workflows = before.workflows
    return expected_differences(plan.expected, refs, after)

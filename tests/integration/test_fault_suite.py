"""Fault suite: 1,000 mixed operations against the emulator while 20 % of API requests fail.

The faults are the emulator's seeded probability faults (429 with and without Retry-After,
500/502/503, connection resets, hangs past the client's 0.5 s timeout, responses lost after the
write happened, and 502/503 after it happened) plus a token invalidated every ``INVALIDATE_EVERY``
operations, while other calls are in flight with it (un-enroll runs 4 at once). A one-shot fault
is used for that: the hook renews the token once per call on a dead-token 401 (each renewal spends
one of Zoho's 10 mints per 10 minutes), so a random second invalidation of the fresh token would
test the mint budget, not the retries. Each round answers dead tokens with another of the codes
Zoho is seen to use (``DEAD_TOKEN_CODES``). Every operation must complete within
the hook's retry budget (``max_attempts`` 12 on the connection), no record may be lost, and no
connected workflow may be created twice. Four rounds of 250 operations each start from a reset
emulator, so that each round creates its own connected workflows (one per free module). Run
with ``-s`` (or ``-rP``) to see the summary: operations, faults fired by kind, retries.
"""

from __future__ import annotations

import collections
import json
import os
import random
import time
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import (
    ActivateConnectedWorkflowOperator,
    ActivateWorkflowRuleOperator,
    CreateConnectedWorkflowOperator,
    DeactivateConnectedWorkflowOperator,
    DeactivateWorkflowRuleOperator,
    ReorderWorkflowRulesOperator,
    UnenrollCadenceOperator,
)

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("ZOHO_CRM_FAULT_SUITE_SEED", "20251101"))  # set it to try other fault sequences
ROUNDS = 4
OPS_PER_ROUND = 250
INVALIDATE_EVERY = 40
DEAD_TOKEN_CODES = ("INVALID_TOKEN", "INVALID_OAUTHTOKEN", "AUTHENTICATION_FAILURE")
POOL = 2000  # enrolled records per round; unenroll operations take slices of it
MANUAL = "554023000004092008"  # seeded manual-enrollment Contacts cadence
FREE_MODULES = ("Contacts", "Deals", "Projects")  # no connected workflow yet (one allowed per module)
SEEDED_WORKFLOWS = ("4876876000019209007", "4876876000019209021", "4876876000019209035")
# label, fault spec, share of all API requests (the faults are consulted in this order)
FAULT_MIX: list[tuple[str, dict[str, Any], float]] = [
    ("429 with Retry-After", {"status": 429, "retry_after": 1}, 0.02),
    ("429 without Retry-After", {"status": 429}, 0.02),
    ("500", {"status": 500}, 0.025),
    ("502", {"status": 502}, 0.025),
    ("503", {"status": 503}, 0.025),
    ("connection reset", {"kind": "reset"}, 0.035),
    ("processed, response lost", {"kind": "drop_after"}, 0.02),
    ("processed, then 502", {"kind": "fail_after", "status": 502}, 0.01),
    ("processed, then 503", {"kind": "fail_after", "status": 503}, 0.01),
    ("hang past the timeout", {"kind": "hang", "hang_seconds": 1.0, "count": 3}, 0.005),
]
WEIGHTS = {
    "get_rules": 12,
    "activate_rule": 12,
    "deactivate_rule": 12,
    "activate_cw": 10,
    "deactivate_cw": 10,
    "reorder": 12,
    "create_cw": 6,
    "unenroll": 16,
}


def conditional_probabilities(shares: list[float]) -> list[float]:
    """Each fault sees only the requests the earlier ones let through: p_k = s_k / (1 - s_1 - ... - s_k-1)."""
    probabilities, left = [], 1.0
    for share in shares:
        probabilities.append(share / left)
        left -= share
    return probabilities


class Round:
    """One reset emulator, ``OPS_PER_ROUND`` operations, and what their results must add up to."""

    def __init__(self, emulator: Any, rng: random.Random, number: int) -> None:
        self.emulator = emulator
        self.rng = rng
        self.number = number
        rules = emulator.snapshot()["workflow_rules"]["workflow_rules"]
        self.rules_by_module: dict[str, list[str]] = collections.defaultdict(list)
        for rule in rules:
            self.rules_by_module[rule["module"]["api_name"]].append(rule["id"])
        self.rule_ids = [rule["id"] for rule in rules]
        self.workflows = list(SEEDED_WORKFLOWS)
        self.records = [str(554023000002000000 + number * POOL + i) for i in range(POOL)]
        self.cursor = 0
        self.expected_rules: dict[str, bool] = {}
        self.expected_workflows: dict[str, str] = {}
        self.created: dict[str, str] = {}  # name -> id
        self.unenrolled: set[str] = set()
        self.records_sent = 0

    def enrol_pool(self) -> None:
        hook = ZohoCRMHook()
        for start in range(0, POOL, 100):
            body = {"cadences_ids": [MANUAL], "ids": self.records[start : start + 100]}
            hook.request("POST", "Contacts/actions/enrol_in_cadences", json=body)

    def add_faults(self) -> dict[int, str]:
        labels = {}
        shares = [share for _, _, share in FAULT_MIX]
        for index, ((label, spec, _), probability) in enumerate(
            zip(FAULT_MIX, conditional_probabilities(shares), strict=True)
        ):
            fault = self.emulator.add_fault(
                {"count": None, **spec}, path="/crm/", probability=probability, seed=SEED + 100 * self.number + index
            )
            labels[fault["id"]] = label
        return labels

    # --------------------------------------------------------------------------------- operations

    def get_rules(self) -> None:
        module = self.rng.choice(sorted(self.rules_by_module))
        assert len(ZohoCRMHook().get_workflow_rules(module)) == len(self.rules_by_module[module])

    def activate_rule(self) -> None:
        self._rule_status(ActivateWorkflowRuleOperator, True)

    def deactivate_rule(self) -> None:
        self._rule_status(DeactivateWorkflowRuleOperator, False)

    def _rule_status(self, operator: type, active: bool) -> None:
        rule_id = self.rng.choice(self.rule_ids)
        result = operator(task_id="rule", rule_id=rule_id).execute(context={})
        assert result["active"] is active
        self.expected_rules[rule_id] = active

    def activate_cw(self) -> None:
        self._workflow_status(ActivateConnectedWorkflowOperator)

    def deactivate_cw(self) -> None:
        self._workflow_status(DeactivateConnectedWorkflowOperator)

    def _workflow_status(self, operator: type) -> None:
        workflow_id = self.rng.choice(self.workflows)
        result = operator(task_id="cw", connected_workflow_id=workflow_id).execute(context={})
        self.expected_workflows[workflow_id] = result["status"]

    def reorder(self) -> None:
        module = self.rng.choice(["Leads", "Contacts", "Deals", "Projects"])
        order = self.rng.sample(self.rules_by_module[module], k=min(3, len(self.rules_by_module[module])))
        result = ReorderWorkflowRulesOperator(task_id="reorder", module=module, order=order).execute(context={})
        assert result["order"][: len(order)] == order

    def create_cw(self) -> None:
        module = self.rng.choice(FREE_MODULES)
        name = f"fault-suite {module} {self.number}"
        result = CreateConnectedWorkflowOperator(task_id="create", name=name, primary_module=module).execute(context={})
        assert self.created.setdefault(name, result["id"]) == result["id"]
        if result["id"] not in self.workflows:
            self.workflows.append(result["id"])

    def unenroll(self) -> None:
        size = self.rng.randint(1, 250)
        batch = [self.records[(self.cursor + i) % POOL] for i in range(size)]
        self.cursor = (self.cursor + size) % POOL
        result = UnenrollCadenceOperator(
            task_id="unenroll", module="Contacts", record_ids=batch, cadence_ids=[MANUAL], max_workers=4
        ).execute(context={})
        assert (result["records"], result["succeeded"], result["failed"]) == (size, size, 0), result
        self.unenrolled.update(batch)
        self.records_sent += size

    # ------------------------------------------------------------------------------------- checks

    def check_state(self) -> None:
        """The emulator's final state is what the operations' results said."""
        snapshot = self.emulator.snapshot()
        rules = {rule["id"]: rule for rule in snapshot["workflow_rules"]["workflow_rules"]}
        for rule_id, active in self.expected_rules.items():
            assert rules[rule_id]["status"]["active"] is active, rule_id
        workflows = snapshot["connected_workflows"]
        by_id = {workflow["id"]: workflow for workflow in workflows}
        for workflow_id, status in self.expected_workflows.items():
            assert by_id[workflow_id]["status"] == status, workflow_id
        names = collections.Counter(workflow["name"].casefold() for workflow in workflows)
        assert all(names[name.casefold()] == 1 for name in self.created), names  # never created twice
        assert len(workflows) == len(SEEDED_WORKFLOWS) + len(self.created)
        still_enrolled = set(snapshot["enrollments"][MANUAL])
        assert not still_enrolled & self.unenrolled  # no record lost


def fault_counts(emulator: Any, labels: dict[int, str]) -> collections.Counter[str]:
    """Fired faults by label; spent ones (count reached) are no longer listed, the journal has them."""
    counts = collections.Counter(dict.fromkeys(labels.values(), 0))
    pending = {fault["id"]: fault["fired"] for fault in emulator.faults()}
    for fault_id, label in labels.items():
        counts[label] += pending.get(fault_id, 0)
    journal = collections.Counter(entry["fault"] for entry in emulator.journal)
    counts["hang past the timeout"] = journal["hang"]
    counts["token invalidated"] = journal["invalidate_token"]
    return counts


def test_a_thousand_operations_with_a_fifth_of_requests_faulted(
    zoho_crm_emulator: Any, monkeypatch: pytest.MonkeyPatch, recorded_sleeps: list[float]
) -> None:
    emulator = zoho_crm_emulator
    connection = json.loads(emulator.connection_json())
    connection["extra"].update({"timeout": 0.5, "max_attempts": 12})
    monkeypatch.setenv("AIRFLOW_CONN_ZOHO_CRM_DEFAULT", json.dumps(connection))
    rng = random.Random(SEED)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    operations: collections.Counter[str] = collections.Counter()
    faults: collections.Counter[str] = collections.Counter()
    creates: collections.Counter[str] = collections.Counter()
    requests = faulted = tokens = records = 0
    started = time.monotonic()

    for number in range(ROUNDS):
        emulator.reset()
        emulator.set_config(dead_token_code=DEAD_TOKEN_CODES[number % len(DEAD_TOKEN_CODES)])
        current = Round(emulator, rng, number)
        current.enrol_pool()
        emulator.clear_journal()
        labels = current.add_faults()
        for index in range(OPS_PER_ROUND):
            if index % INVALIDATE_EVERY == INVALIDATE_EVERY - 1:
                emulator.add_fault(kind="invalidate_token", path="/crm/", count=1)
            kind = rng.choices(kinds, weights)[0]
            operation: Callable[[], None] = getattr(current, kind)
            operation()
            operations[kind] += 1
        faults.update(fault_counts(emulator, labels))
        emulator.clear_faults()
        current.check_state()
        api_calls = [entry for entry in emulator.journal if entry["path"].startswith("/crm/")]
        requests += len(api_calls)
        faulted += sum(1 for entry in api_calls if entry["fault"])
        tokens += emulator.stats()["token_grants"]
        posts = [
            entry for entry in api_calls if entry["method"] == "POST" and entry["path"].endswith("/connected_workflows")
        ]
        creates["workflows"] += len(current.created)
        creates["POSTs"] += len(posts)
        creates["POSTs faulted"] += sum(1 for entry in posts if entry["fault"])
        records += current.records_sent

    elapsed = time.monotonic() - started
    print(f"\nFault suite: {sum(operations.values())} operations in {elapsed:.1f} s ({dict(operations)})")
    print(f"  API requests {requests}, faulted {faulted} ({100 * faulted / requests:.1f} %)")
    print("  faults fired: " + ", ".join(f"{label} {count}" for label, count in faults.most_common()))
    print("  connected workflows: " + ", ".join(f"{key} {count}" for key, count in creates.items()))
    print(
        f"  retries after a backoff wait {len(recorded_sleeps)}, token grants {tokens}, records un-enrolled {records}"
    )
    assert sum(operations.values()) == ROUNDS * OPS_PER_ROUND
    assert 0.15 <= faulted / requests <= 0.25
    assert all(count > 0 for label, count in faults.items() if not label.startswith("hang")), faults

"""Reading live Zoho: each module's rule list (its pages), then one GET per rule, in parallel.

The list gives the execution order but only a summary of each rule, so every rule is read once
more for its conditions and actions: calls = list pages + one GET per rule (+ the connected
workflows' pages). The calls run on ``max_concurrency`` threads of the connection; the transport's
slots (:func:`~airflow_provider_zohocrm.transport.concurrency_slots`) keep the calls in flight for
the credential within that cap whoever else in the process uses it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from airflow_provider_zohocrm.api.connected_workflows import ConnectedWorkflowsAPI
from airflow_provider_zohocrm.api.workflow_rules import WorkflowRulesAPI, rule_id_of
from airflow_provider_zohocrm.as_code.normalize import fingerprint, live_rule, live_workflow
from airflow_provider_zohocrm.exceptions import ZohoCRMNotFoundError

if TYPE_CHECKING:
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.transport import ZohoTransport

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
T = TypeVar("T")
R = TypeVar("R")


class CountingTransport:
    """The client's transport, counting the calls made through it (thread-safe); the rest passes through."""

    def __init__(self, transport: ZohoTransport) -> None:
        self._transport = transport
        self._lock = threading.Lock()
        self.calls = 0

    def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
        return self._transport.request(method, path, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class Session:
    """One export, plan, apply or verify: the API families over a counting transport, and progress."""

    def __init__(self, client: ZohoCRMClient, progress: Progress | None = None) -> None:
        self.client = client
        self.transport = CountingTransport(client.transport)
        self.rules = WorkflowRulesAPI(cast("ZohoTransport", self.transport))
        self.workflows = ConnectedWorkflowsAPI(cast("ZohoTransport", self.transport))
        self.workers = max(1, int(client.settings.max_concurrency))
        self._progress = progress

    @property
    def calls(self) -> int:
        return self.transport.calls

    def progress(self, message: str) -> None:
        """Report a long read or write: to ``progress`` when given (the CLI's stderr, a task's log), else the log."""
        if self._progress is not None:
            self._progress(message)
        else:
            log.info("%s", message)

    def parallel(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``function`` of each item, on up to ``workers`` threads; results in ``items``' order.

        The first failure is raised once the calls in flight end; the calls not started are dropped.
        """
        if len(items) <= 1 or self.workers == 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(
            max_workers=min(self.workers, len(items)), thread_name_prefix="zohocrm-as-code"
        ) as pool:
            futures = [pool.submit(function, item) for item in items]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


@dataclass
class LiveState:
    """Zoho as read: each module's rules (full GET answers) in execution order, and the connected workflows."""

    rules: dict[str, list[dict[str, Any]]]
    workflows: list[dict[str, Any]]

    def canonical_rules(self, module: str) -> list[dict[str, Any]]:
        return [live_rule(rule) for rule in self.rules.get(module, [])]

    def canonical_workflows(self) -> list[dict[str, Any]]:
        return [live_workflow(workflow) for workflow in self.workflows]

    @property
    def fingerprint(self) -> str:
        """The digest a plan carries: only the modules read and the connected workflows count."""
        return fingerprint({m: self.canonical_rules(m) for m in self.rules}, self.canonical_workflows())


def read_live(session: Session, modules: Sequence[str], *, workflows: bool = True) -> LiveState:
    """The live state of ``modules`` (and the org's connected workflows, unless ``workflows`` is false)."""
    lists: list[tuple[str, str | None]] = [("rules", module) for module in modules]
    if workflows:
        lists.append(("workflows", None))
    session.progress(
        f"Listing the workflow rules of {len(modules)} module(s)"
        + (" and the connected workflows" if workflows else "")
    )

    def listed(item: tuple[str, str | None]) -> list[dict[str, Any]]:
        kind, module = item
        return session.rules.list_all(module) if kind == "rules" else session.workflows.list_all()

    answers = session.parallel(listed, lists)
    summaries = dict(zip(modules, answers[: len(modules)], strict=True))
    rule_ids = [
        (module, rule_id_of(rule, f"workflow rules of {module}")) for module in modules for rule in summaries[module]
    ]
    total = len(rule_ids)
    session.progress(f"Reading {total} workflow rule(s)")
    done = [0]
    lock = threading.Lock()
    step = max(50, total // 10)  # about ten progress lines for a large org, none for a small one

    def read(item: tuple[str, str]) -> dict[str, Any] | None:
        module, rule_id = item
        try:
            rule = session.rules.get(rule_id)
        except ZohoCRMNotFoundError:
            log.info("Workflow rule %s of %s was deleted while it was being read; left out", rule_id, module)
            rule = None
        with lock:
            done[0] += 1
            count = done[0]
        if count % step == 0 and count < total:
            session.progress(f"Read {count} of {total} workflow rule(s)")
        return rule

    full = session.parallel(read, rule_ids)
    rules: dict[str, list[dict[str, Any]]] = {module: [] for module in modules}
    for (module, _), rule in zip(rule_ids, full, strict=True):
        if rule is not None:
            rules[module].append(rule)
    return LiveState(rules=rules, workflows=answers[len(modules)] if workflows else [])

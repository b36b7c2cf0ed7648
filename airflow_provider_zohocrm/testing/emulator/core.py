"""The emulator without its HTTP server: request pipeline, limits, faults and the Python control API.

The server (``server.py``) holds one ``EmulatorCore``, hands it every ``/crm/`` and token request and
sends ``/__emulator__/`` calls to ``control.py``, whose endpoints call this class's control API; the
core itself knows nothing of either.

Pipeline of a ``/crm/`` call: fault script → authentication (401; an expired or killed token gets
``config.dead_token_code``) → concurrency limit and
credits (429) → route (404 / 400 method) → scope (401) → edition (400 FEATURE_NOT_SUPPORTED)
→ permission (403) → store → latency: the answer leaves ``latency_ms`` after the request line
arrived (a response time, the emulator's own work included). A ``drop_after``/``fail_after``
fault lets the whole pipeline run and only replaces the reply (the "lost response" of a write
that happened).
One lock guards all state; latency and hangs sleep outside it, and both wake up when the
emulator stops.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from airflow_provider_zohocrm.testing.emulator.clock import Clock
from airflow_provider_zohocrm.testing.emulator.config import EmulatorConfig
from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.faults import AFTER_KINDS, Fault, FaultPlan
from airflow_provider_zohocrm.testing.emulator.journal import Journal
from airflow_provider_zohocrm.testing.emulator.limits import ConcurrencyGate, CreditMeter
from airflow_provider_zohocrm.testing.emulator.oauth import AccessToken, TokenAuthority, dead_token_error
from airflow_provider_zohocrm.testing.emulator.routes import Call, resolve
from airflow_provider_zohocrm.testing.emulator.scopes import covers
from airflow_provider_zohocrm.testing.emulator.state import EmulatorState
from airflow_provider_zohocrm.testing.emulator.wire import Reply, Request, json_reply

TOKEN_PATH = "/oauth/v2/token"
_API_PATH = re.compile(r"/crm/(v[0-9]+)/(.+)")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_NOT_JSON = object()


class EmulatorCore:
    # Rebuilt by reset(); read by handler threads without the lock (each is swapped atomically).
    config: EmulatorConfig
    tokens: TokenAuthority
    state: EmulatorState

    def __init__(
        self, *, client_id: str, client_secret: str, refresh_token: str, config: EmulatorConfig, seed: bool
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self._defaults = config
        self._seed = seed
        self.base_url = ""  # known once the server has bound its port
        self.clock = Clock()
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._journal = Journal(secrets=(client_secret, refresh_token))
        self._fresh_state(seed)

    # ----------------------------------------------------------------- pipeline

    def handle(self, request: Request) -> Reply:
        """Answer one API or token request (called from the server's handler threads)."""
        started, perf = self.clock.now(), time.perf_counter()
        is_token_call = request.path == TOKEN_PATH
        form = _decode_form(request.body) if is_token_call else None
        body = None if is_token_call else _decode_json(request.body)
        error = None
        with self._lock:
            self._counters["requests"] += 1
            fault = self._faults.take(request.method, request.path)
        try:
            if fault is None:
                reply = self._route(request, body, form)
            else:
                if fault.kind in AFTER_KINDS:
                    self._route(request, body, form)  # processed: only its answer is lost
                reply = self._fault_reply(fault, request)
        except Exception as exc:  # a broken store must answer 500, not drop the connection
            error = f"{type(exc).__name__}: {exc}"
            reply = json_reply(500, ZohoError(500, "INTERNAL_ERROR", "Internal Server Error").envelope())
        with self._lock:
            self._counters["responses_429"] += reply.status == 429
            self._counters["internal_errors"] += error is not None
        self._journal.record(
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            json_body=None if body is _NOT_JSON else body,
            form=form,
            status=None if reply.drop else reply.status,
            timestamp=started,
            duration_ms=round((time.perf_counter() - perf) * 1000, 3),
            fault=fault.kind if fault else None,
            error=error,
        )
        return reply

    def _route(self, request: Request, body: Any, form: dict[str, str] | None) -> Reply:
        if form is not None:  # only the token endpoint takes a form
            return self._token(request, form)
        match = _API_PATH.fullmatch(request.path)
        if match is None:
            return _error_reply(
                ZohoError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")
            )
        try:
            return self._api(request, match.group(1), match.group(2), body)
        except ZohoError as exc:
            return _error_reply(exc)

    def _token(self, request: Request, form: dict[str, str]) -> Reply:
        if request.method != "POST":
            return _error_reply(
                ZohoError(400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")
            )
        config = self.config
        with self._lock:
            self._counters["token_requests"] += 1
            answer = self.tokens.grant(
                {**request.query, **form},
                lifetime=config.token_lifetime,
                scopes=config.scopes,
                api_domain=self.base_url,
                mint_limit=config.token_mint_limit,
            )
        latency = config.latency_ms if config.token_latency_ms is None else config.token_latency_ms
        self._pause(request.received + latency / 1000 - time.monotonic())
        return json_reply(200, answer)

    def _api(self, request: Request, version: str, path: str, body: Any) -> Reply:
        config = self.config
        with self._lock:
            self._counters["api_requests"] += 1
            token = self.tokens.authenticate(request.header("Authorization"), config.dead_token_code)
            gate = self._gate
            if not gate.try_enter(token.refresh_token, config.concurrency_limit):
                raise ZohoError(
                    429,
                    "TOO_MANY_REQUESTS",
                    f"Concurrency limit of {config.concurrency_limit} requests in progress exceeded. "
                    "Please try again after some time.",
                )
            if not self._credits.try_spend(config.credit_allowance):
                gate.leave(token.refresh_token)
                # Zoho answers spent credits and a full concurrency limit alike (429
                # TOO_MANY_REQUESTS, details {}); no source publishes either message. These say
                # which limit was hit, as the client reads them (exceptions.credits_exhausted).
                raise ZohoError(
                    429,
                    "TOO_MANY_REQUESTS",
                    "API credit limit of the last 24 hours exceeded. Please try again after some time.",
                )
        try:
            with self._lock:
                status, payload = self._dispatch(request, version, path, body, token, config)
            return json_reply(status, payload)
        finally:
            self._answer_when_due(request, config)
            with self._lock:
                gate.leave(token.refresh_token)

    def _dispatch(
        self, request: Request, version: str, path: str, body: Any, token: AccessToken, config: EmulatorConfig
    ) -> tuple[int, dict[str, Any] | None]:
        route, handler, args = resolve(version, path, request.method)
        accepted = route.accepted_scopes(request.method, args)
        if accepted is not None and not covers(token.scopes, accepted):
            raise ZohoError(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")
        if route.min_edition and not config.edition_at_least(route.min_edition):
            raise ZohoError(400, "FEATURE_NOT_SUPPORTED", "Your edition doesn't support this feature")
        if route.family in config.revoked_permissions:
            raise ZohoError(403, "NO_PERMISSION", "permission denied", {"permissions": [route.permission]})
        if request.method not in _BODY_METHODS:
            body = None
        elif body is _NOT_JSON:
            raise ZohoError(400, "INVALID_DATA", "the request body is not valid JSON")
        return handler(self.state, Call(request.method, request.query, body, args))

    def _fault_reply(self, fault: Fault, request: Request) -> Reply:
        """The reply the client gets instead of the real one (already computed for AFTER_KINDS)."""
        if fault.kind in ("status", "fail_after"):
            status, headers, payload = fault.response()
            if isinstance(payload, bytes):
                return Reply(status, payload, headers)
            return json_reply(status, payload, headers)
        if fault.kind == "invalidate_token":
            with self._lock:
                self.tokens.invalidate_header(request.header("Authorization"))
            return _error_reply(dead_token_error(self.config.dead_token_code))
        if fault.kind == "hang":
            self._pause(fault.hang_seconds)
        return Reply(0, drop=True)

    def _answer_when_due(self, request: Request, config: EmulatorConfig) -> None:
        """Wait out the rest of ``latency_ms`` since the request arrived (the work is already done).

        Latency is a response time, as of a server with a fixed round trip: the emulator's own
        parsing and store work fall inside it instead of adding to it.
        """
        self._pause(request.received + config.latency_ms / 1000 - time.monotonic())

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    # --------------------------------------------------------- serving

    def serving(self, base_url: str) -> None:
        """The server listens at ``base_url``: token answers name it as the API domain."""
        self.base_url = base_url
        self._stopping.clear()

    def stopping(self) -> None:
        """The server is stopping: wake the requests sleeping on latency or a hang fault."""
        self._stopping.set()

    # --------------------------------------------------------- Python control API

    def _fresh_state(self, seed: bool) -> None:
        self.config = self._defaults
        self.clock.reset()
        self.tokens = TokenAuthority(self.client_id, self.client_secret, [self.refresh_token], self.clock.now)
        self.state = EmulatorState(seed, self.clock.now)
        self._gate = ConcurrencyGate()
        self._credits = CreditMeter(self.clock.now)
        self._faults = FaultPlan()
        self._counters = dict.fromkeys(
            ("requests", "api_requests", "token_requests", "responses_429", "internal_errors"), 0
        )
        self._journal.clear()

    def reset(self, seed: bool | None = None) -> None:
        """Back to the state after construction: data, config, clock, tokens, faults, journal, stats.

        Access tokens issued before are dead afterwards (clients must refresh).
        """
        with self._lock:
            self._fresh_state(self._seed if seed is None else seed)

    @property
    def journal(self) -> list[dict[str, Any]]:
        return self._journal.entries()

    def journal_entries(self, since: int = 0) -> list[dict[str, Any]]:
        return self._journal.entries(since)

    def clear_journal(self) -> int:
        return self._journal.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                **self.state.snapshot(),
                "tokens": self.tokens.summary(),
                "config": self.config.to_dict(),
                "clock": {"now": self.clock.now(), "offset": self.clock.offset},
                "faults": self._faults.pending(),
            }

    def add_fault(self, spec: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Script a fault (see ``faults.py``), e.g. ``add_fault(status=503, count=2, path="/crm/")``."""
        with self._lock:
            return self._faults.add({**(spec or {}), **fields}).to_dict()

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._faults.pending()

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_config(self, **changes: Any) -> dict[str, Any]:
        """Change latency_ms, concurrency_limit, edition, credit_allowance, scopes, token_lifetime,
        token_mint_limit (tokens per refresh token per 10 minutes before "Access Denied"),
        token_latency_ms (the token endpoint's response time), revoked_permissions (families:
        workflow_rules, connected_workflows, cadences, modules) or dead_token_code (the 401 code
        for an expired or killed token).

        Scopes apply to tokens issued afterwards; the rest to the next request.
        """
        with self._lock:
            self.config = self.config.updated(changes)
            return self.config.to_dict()

    def advance_clock(self, seconds: float) -> float:
        """Jump the emulator's clock forward: token expiry, throttle and credit windows follow it."""
        with self._lock:
            return self.clock.advance(seconds)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                **self._counters,
                "token_grants": self.tokens.granted,
                "token_denials": self.tokens.denied,
                "faults_fired": self._faults.fired,
                "in_flight": self._gate.in_flight,
                "peak_in_flight": self._gate.peak,
                "credits_used": self._credits.used(),
            }

    def reset_peak(self) -> int:
        """Start a new in-flight peak measurement (``peak_in_flight`` in the stats); returns the old peak."""
        with self._lock:
            return self._gate.reset_peak()

    def expire_tokens(self) -> int:
        """Expire every live access token, as if an hour had passed for each of them."""
        with self._lock:
            return self.tokens.expire_all()

    def revoke_refresh_token(self, refresh_token: str | None = None) -> list[str]:
        """Revoke the refresh token (default: all); refreshing then answers ``invalid_code``."""
        with self._lock:
            return self.tokens.revoke(refresh_token)

    def set_connected_workflow_status(self, workflow_id: str, status: str) -> dict[str, Any]:
        with self._lock:
            return self.state.connected_workflows.force_status(workflow_id, status)

    def add_cadence(self, cadence_id: str, name: str, module: str, *, manual: bool = True) -> dict[str, Any]:
        """Add a cadence (manual-enrollment by default, else automatic) with nobody enrolled; returns it."""
        with self._lock:
            return self.state.cadences.add(cadence_id, name, module, manual)

    def enrol_records(self, cadence_id: str, record_ids: Any) -> dict[str, Any]:
        """Enrol records in a cadence as its users would (any number, no limits or credits); returns counts."""
        with self._lock:
            return self.state.cadences.enrol_records(cadence_id, record_ids)

    def set_workflow_rule_active(self, rule_id: str, active: bool) -> dict[str, Any] | None:
        """Flip a rule on or off as a CRM user would (no limits checked); returns the rule's GET body."""
        with self._lock:
            self.state.workflow_rules.set_status(rule_id, active)
            return self.state.workflow_rules.get_rule(rule_id)[1]

    def set_workflow_rule_status_lag(self, rule_id: str, reads: int) -> dict[str, Any]:
        """The rule's next status change through the API shows in its GETs only after ``reads`` reads."""
        with self._lock:
            return self.state.workflow_rules.set_status_lag(rule_id, reads)

    def edit_workflow_rule(self, rule_id: str, **changes: Any) -> dict[str, Any] | None:
        """Simulate another user's edit (e.g. a rename) so clients see ``modified_time`` change."""
        with self._lock:
            self.state.workflow_rules.edit_rule(rule_id, **changes)
            return self.state.workflow_rules.get_rule(rule_id)[1]


def _error_reply(error: ZohoError) -> Reply:
    return json_reply(error.status, error.envelope())


def _decode_json(raw: bytes) -> Any:
    """The JSON body, ``None`` when empty, ``_NOT_JSON`` when it does not parse."""
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return _NOT_JSON


def _decode_form(raw: bytes) -> dict[str, str]:
    try:
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}

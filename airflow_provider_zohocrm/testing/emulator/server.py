"""``ZohoCRMEmulator``: the emulator core served over HTTP/1.1 (keep-alive) on a local port.

The server holds the core (``EmulatorCore``) as ``self.core`` and routes each request itself:
``/__emulator__/`` calls to the control API (``control.py``, handed the core), all others to the core.
With an ``ssl_context`` it serves HTTPS instead (each connection's handshake in its own handler
thread), as Zoho does: the provider accepts plain http to loopback hosts only, so an emulator
that clients reach over any other address must speak TLS.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from airflow_provider_zohocrm.testing.emulator import control
from airflow_provider_zohocrm.testing.emulator.clock import Clock
from airflow_provider_zohocrm.testing.emulator.config import EmulatorConfig, parse_scopes
from airflow_provider_zohocrm.testing.emulator.core import EmulatorCore
from airflow_provider_zohocrm.testing.emulator.oauth import TokenAuthority
from airflow_provider_zohocrm.testing.emulator.state import EmulatorState
from airflow_provider_zohocrm.testing.emulator.wire import Reply, Request

DEFAULT_CONN_ID = "zoho_crm_default"
DEFAULT_CLIENT_ID = "1000.EMULATORCLIENT"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"
DEFAULT_REFRESH_TOKEN = "1000.emulator-refresh-token"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every reply carries Content-Length
    server: _Server

    def setup(self) -> None:
        context = self.server.ssl_context
        if context is not None:
            self.request.settimeout(10)  # a client that never completes the handshake frees the thread
            self.request = context.wrap_socket(self.request, server_side=True)
            self.request.settimeout(None)
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle plus the client's delayed
        # ACK stalls every response by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def parse_request(self) -> bool:
        self._received = time.monotonic()  # the request line is in; latency counts from here
        return super().parse_request()

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the journal records requests."""

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "bad Content-Length")
            return
        request = Request(
            method=self.command,
            path=unquote(parts.path),
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=dict(self.headers.items()),
            body=self.rfile.read(length) if length > 0 else b"",
            received=self._received,
        )
        reply = self.server.answer(request)
        if reply.drop:
            self._reset_connection()
            return
        # Status line, headers and body in one write: the client wakes once per reply, not twice.
        phrase = self.responses.get(reply.status, ("",))[0]
        head = [f"{self.protocol_version} {reply.status} {phrase}", f"Date: {self.date_time_string()}"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        head += [f"Content-Length: {len(reply.body)}", "", ""]
        self.wfile.write("\r\n".join(head).encode("latin-1") + reply.body)

    def _reset_connection(self) -> None:
        """Close with a TCP RST and no response, so the client sees 'connection reset by peer'."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # drops the file's reference so close() really closes the socket now
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of parallel clients must not wait on the listen backlog

    def __init__(
        self, address: tuple[str, int], answer: Callable[[Request], Reply], ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.answer = answer
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-reply (timeouts, resets) or fail the TLS handshake are normal here."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._connections_lock:
            if is_open:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut idle keep-alive connections so their handler threads end with the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class ZohoCRMEmulator:
    """A local, stateful Zoho CRM (OAuth, workflow rules, connected workflows, cadences, modules).

    Use as a context manager, or ``start()``/``stop()``. ``port=0`` picks a free port; ``url``
    is then the base URL for both the accounts (token) and the API domain.

    The emulator itself is ``self.core`` (``EmulatorCore``): this class serves it over HTTP, routes
    ``/__emulator__/`` calls to the control API (``control.py``) and everything else to the core,
    and passes the Python control API through to the core.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str = DEFAULT_REFRESH_TOKEN,
        latency_ms: float = 0,
        concurrency_limit: int = 10,
        edition: str = "enterprise",
        seed: bool = True,
        token_lifetime: int = 3600,
        token_mint_limit: int = 10,
        token_latency_ms: float | None = None,
        credit_allowance: int | None = None,
        scopes: str | Iterable[str] | None = None,
        dead_token_code: str = "INVALID_TOKEN",  # noqa: S107 - an error code, not a secret
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """``scopes`` are those granted to every token (default ``ZohoCRM.settings.ALL,ZohoCRM.modules.ALL``);
        ``credit_allowance`` is the rolling 24 h credit budget (``None``: unlimited); ``token_mint_limit``
        the access tokens granted per refresh token in a rolling 10 minutes before "Access Denied"
        (Zoho's 10); ``token_latency_ms`` the token endpoint's response time (``None``: ``latency_ms``);
        ``ssl_context`` (a server-side context with its certificate loaded) serves HTTPS; ``dead_token_code``
        the 401 code for an expired or killed access token (``INVALID_TOKEN``, ``INVALID_OAUTHTOKEN``
        or ``AUTHENTICATION_FAILURE``).
        """
        config = EmulatorConfig(
            latency_ms=latency_ms,
            concurrency_limit=concurrency_limit,
            edition=edition,
            credit_allowance=credit_allowance,
            scopes=parse_scopes(scopes),
            token_lifetime=token_lifetime,
            token_mint_limit=token_mint_limit,
            token_latency_ms=token_latency_ms,
            dead_token_code=dead_token_code,
        )
        self.core = EmulatorCore(
            client_id=client_id, client_secret=client_secret, refresh_token=refresh_token, config=config, seed=seed
        )
        self._address = (host, port)
        self._ssl_context = ssl_context
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def handle(self, request: Request) -> Reply:
        """Answer one HTTP request: control calls go to ``control``, the rest to the core."""
        if request.path.startswith(control.PREFIX):
            return control.handle(self.core, request)
        return self.core.handle(request)

    def start(self) -> ZohoCRMEmulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        server = _Server(self._address, self.handle, self._ssl_context)
        scheme = "http" if self._ssl_context is None else "https"
        self.core.serving(f"{scheme}://{server.server_name}:{server.server_port}")
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="zoho-crm-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self.core.stopping()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> ZohoCRMEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if not self.core.base_url:
            raise RuntimeError("the emulator has not been started")
        return self.core.base_url

    def connection_extra(self) -> dict[str, str]:
        return {"refresh_token": self.refresh_token, "accounts_url": self.url, "api_url": self.url}

    def connection_json(self) -> str:
        """The Airflow connection in JSON form, for ``AIRFLOW_CONN_<CONN_ID>``."""
        return json.dumps(
            {
                "conn_type": "zoho_crm",
                "login": self.client_id,
                "password": self.client_secret,
                "extra": self.connection_extra(),
            }
        )

    def connection_env(self, conn_id: str = DEFAULT_CONN_ID) -> dict[str, str]:
        """``{"AIRFLOW_CONN_ZOHO_CRM_DEFAULT": <json>}`` for ``conn_id``, ready for ``os.environ``."""
        return {f"AIRFLOW_CONN_{conn_id.upper()}": self.connection_json()}

    # ------------------------------------------------ the core's state and control API, passed through

    @property
    def client_id(self) -> str:
        return self.core.client_id

    @property
    def client_secret(self) -> str:
        return self.core.client_secret

    @property
    def refresh_token(self) -> str:
        return self.core.refresh_token

    @property
    def config(self) -> EmulatorConfig:
        return self.core.config

    @property
    def state(self) -> EmulatorState:
        return self.core.state

    @property
    def tokens(self) -> TokenAuthority:
        return self.core.tokens

    @property
    def clock(self) -> Clock:
        return self.core.clock

    @property
    def journal(self) -> list[dict[str, Any]]:
        return self.core.journal

    def journal_entries(self, since: int = 0) -> list[dict[str, Any]]:
        return self.core.journal_entries(since)

    def clear_journal(self) -> int:
        return self.core.clear_journal()

    def reset(self, seed: bool | None = None) -> None:
        """Back to the state after construction: data, config, clock, tokens, faults, journal, stats.

        Access tokens issued before are dead afterwards (clients must refresh).
        """
        self.core.reset(seed)

    def snapshot(self) -> dict[str, Any]:
        return self.core.snapshot()

    def add_fault(self, spec: Mapping[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Script a fault (see ``faults.py``), e.g. ``add_fault(status=503, count=2, path="/crm/")``."""
        return self.core.add_fault(spec, **fields)

    def faults(self) -> list[dict[str, Any]]:
        return self.core.faults()

    def clear_faults(self) -> None:
        self.core.clear_faults()

    def set_config(self, **changes: Any) -> dict[str, Any]:
        """Change latency_ms, concurrency_limit, edition, credit_allowance, scopes, token_lifetime,
        token_mint_limit, token_latency_ms, revoked_permissions (families: workflow_rules,
        connected_workflows, cadences, modules) or dead_token_code; returns the config.

        Scopes apply to tokens issued afterwards; the rest to the next request.
        """
        return self.core.set_config(**changes)

    def advance_clock(self, seconds: float) -> float:
        """Jump the emulator's clock forward: token expiry, throttle and credit windows follow it."""
        return self.core.advance_clock(seconds)

    def stats(self) -> dict[str, Any]:
        return self.core.stats()

    def reset_peak(self) -> int:
        """Start a new in-flight peak measurement (``peak_in_flight`` in the stats); returns the old peak."""
        return self.core.reset_peak()

    def expire_tokens(self) -> int:
        """Expire every live access token, as if an hour had passed for each of them."""
        return self.core.expire_tokens()

    def revoke_refresh_token(self, refresh_token: str | None = None) -> list[str]:
        """Revoke the refresh token (default: all); refreshing then answers ``invalid_code``."""
        return self.core.revoke_refresh_token(refresh_token)

    def set_connected_workflow_status(self, workflow_id: str, status: str) -> dict[str, Any]:
        return self.core.set_connected_workflow_status(workflow_id, status)

    def add_cadence(self, cadence_id: str, name: str, module: str, *, manual: bool = True) -> dict[str, Any]:
        """Add a cadence (manual-enrollment by default, else automatic) with nobody enrolled; returns it."""
        return self.core.add_cadence(cadence_id, name, module, manual=manual)

    def enrol_records(self, cadence_id: str, record_ids: list[str]) -> dict[str, Any]:
        """Enrol records in a manual cadence (any number, no limits or credits): set-up for un-enroll runs."""
        return self.core.enrol_records(cadence_id, record_ids)

    def set_workflow_rule_active(self, rule_id: str, active: bool) -> dict[str, Any] | None:
        """Flip a rule on or off as a CRM user would (no limits checked); returns the rule's GET body."""
        return self.core.set_workflow_rule_active(rule_id, active)

    def set_workflow_rule_status_lag(self, rule_id: str, reads: int) -> dict[str, Any]:
        """The rule's next status change through the API shows in its GETs only after ``reads`` reads
        (the old status until then), so a status sensor has to wait for it; ``reads=0`` cancels.
        """
        return self.core.set_workflow_rule_status_lag(rule_id, reads)

    def edit_workflow_rule(self, rule_id: str, **changes: Any) -> dict[str, Any] | None:
        """Simulate another user's edit (e.g. a rename) so clients see ``modified_time`` change."""
        return self.core.edit_workflow_rule(rule_id, **changes)

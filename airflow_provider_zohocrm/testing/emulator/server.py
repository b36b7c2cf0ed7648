"""``ZohoCRMEmulator``: the emulator core served over HTTP/1.1 (keep-alive) on a local port."""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from airflow_provider_zohocrm.testing.emulator.config import EmulatorConfig, parse_scopes
from airflow_provider_zohocrm.testing.emulator.core import EmulatorCore
from airflow_provider_zohocrm.testing.emulator.wire import Request

DEFAULT_CONN_ID = "zoho_crm_default"
DEFAULT_CLIENT_ID = "1000.EMULATORCLIENT"
DEFAULT_CLIENT_SECRET = "emulator-client-secret"
DEFAULT_REFRESH_TOKEN = "1000.emulator-refresh-token"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every reply carries Content-Length
    server: _Server

    def setup(self) -> None:
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
        reply = self.server.core.handle(request)
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

    def __init__(self, address: tuple[str, int], core: EmulatorCore) -> None:
        self.core = core
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-reply (timeouts, resets) are normal here, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
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


class ZohoCRMEmulator(EmulatorCore):
    """A local, stateful Zoho CRM (OAuth, workflow rules, connected workflows, cadences, modules).

    Use as a context manager, or ``start()``/``stop()``. ``port=0`` picks a free port; ``url``
    is then the base URL for both the accounts (token) and the API domain.
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
        credit_allowance: int | None = None,
        scopes: str | Iterable[str] | None = None,
    ) -> None:
        """``scopes`` are those granted to every token (default ``ZohoCRM.settings.ALL,ZohoCRM.modules.ALL``);
        ``credit_allowance`` is the rolling 24 h credit budget (``None``: unlimited).
        """
        config = EmulatorConfig(
            latency_ms=latency_ms,
            concurrency_limit=concurrency_limit,
            edition=edition,
            credit_allowance=credit_allowance,
            scopes=parse_scopes(scopes),
            token_lifetime=token_lifetime,
        )
        super().__init__(
            client_id=client_id, client_secret=client_secret, refresh_token=refresh_token, config=config, seed=seed
        )
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ZohoCRMEmulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        server = _Server(self._address, self)
        self.base_url = f"http://{server.server_name}:{server.server_port}"
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
        self._stopping.set()  # wakes requests sleeping on latency or a hang fault
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
        if not self.base_url:
            raise RuntimeError("the emulator has not been started")
        return self.base_url

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

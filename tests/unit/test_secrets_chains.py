"""No exception the provider raises carries a secret anywhere an error reporter would look.

Reporters such as Sentry walk ``__cause__`` and ``__context__`` and serialise each link's args
and attributes. A ``requests`` exception holds the prepared request: its Authorization header (the
access token) or its form body (client secret and refresh token). These tests make real
exchanges fail on loopback sockets (refused, reset, silent, trickling, not TLS) and walk every
link of every chain, object by object, for the canary secrets.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMTransportError
from airflow_provider_zohocrm.hooks import ZohoCRMHook

from .helpers import ACCESS_TOKEN, CANARIES, CLIENT_SECRET, REFRESH_TOKEN, WORKFLOW_PATH, conn_json

_ATOMS = (int, float, bool, type(None), complex)


def secrets_in_chain(error: BaseException) -> list[str]:
    """Every canary reachable from ``error``: its chain, and each link's args and attributes, deeply."""
    found: list[str] = []
    seen: set[int] = set()

    def visit(obj: Any, depth: int, where: str) -> None:
        if depth > 12 or id(obj) in seen or isinstance(obj, _ATOMS):
            return
        seen.add(id(obj))
        if isinstance(obj, (bytes, bytearray, memoryview)):
            obj = bytes(obj).decode("utf-8", "replace")
        if isinstance(obj, str):
            found.extend(f"{canary} at {where}" for canary in CANARIES if canary in obj)
            return
        if isinstance(obj, type) or (callable(obj) and not hasattr(obj, "__dict__")):
            return
        if isinstance(obj, dict):
            for key, value in obj.items():
                visit(key, depth + 1, f"{where}[key]")
                visit(value, depth + 1, f"{where}[{key!r}]")
            return
        if isinstance(obj, (list, tuple, set, frozenset)):
            for index, item in enumerate(obj):
                visit(item, depth + 1, f"{where}[{index}]")
            return
        if isinstance(obj, BaseException):
            visit(obj.args, depth + 1, f"{where}.args")
            visit(str(obj), depth + 1, f"{where}.str")
            visit(obj.__cause__, depth + 1, f"{where}.__cause__")
            visit(obj.__context__, depth + 1, f"{where}.__context__")
        attributes = getattr(obj, "__dict__", None)
        if isinstance(attributes, dict):
            visit(attributes, depth + 1, f"{where}.__dict__")
        for name in getattr(type(obj), "__slots__", ()):
            visit(getattr(obj, name, None), depth + 1, f"{where}.{name}")

    visit(error, 0, type(error).__name__)
    return found


def links(error: BaseException | None) -> list[BaseException]:
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def test_the_walk_finds_a_secret_a_requests_exception_carries():
    """Self-check: the pattern this module guards against is caught by ``secrets_in_chain``."""
    prepared = requests.Request(
        "GET", "https://x.example", headers={"Authorization": f"Zoho-oauthtoken {ACCESS_TOKEN}"}
    )
    try:
        try:
            raise requests.ConnectionError("reset", request=prepared.prepare())
        except requests.ConnectionError:
            raise ZohoCRMTransportError("could not reach Zoho CRM") from None  # suppressed, still in __context__
    except ZohoCRMTransportError as exc:
        leaky = exc
    assert leaky.__suppress_context__
    assert any(ACCESS_TOKEN in hit for hit in secrets_in_chain(leaky))
    form = requests.Request("POST", "https://x.example", data={"client_secret": CLIENT_SECRET, "t": REFRESH_TOKEN})
    assert len(secrets_in_chain(requests.ReadTimeout(request=form.prepare()))) == 2


# --- loopback servers ------------------------------------------------------------------------------


class _TokenHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"access_token": ACCESS_TOKEN, "expires_in": 3600}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _RawServer:
    """Accepts connections and misbehaves: ``silent`` never answers, ``reset`` sends a TCP RST,
    ``trickle`` sends headers then a byte every 0.4 s, ``garbage`` answers a TLS hello with junk."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            if self.mode == "silent":
                self.held.append(conn)
                return
            if self.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif self.mode == "garbage":
                conn.sendall(b"this is not TLS\r\n" * 10)
            elif self.mode == "trickle":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
                for _ in range(100):
                    if self.stop.wait(0.4):
                        break
                    conn.sendall(b" ")
            conn.close()
        except OSError:
            pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        for conn in self.held:
            conn.close()


def _closed_port_url() -> str:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def token_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def raw_servers() -> Iterator[list[_RawServer]]:
    started: list[_RawServer] = []
    yield started
    for server in started:
        server.close()


def _failing_call(monkeypatch: pytest.MonkeyPatch, accounts_url: str, api_url: str, **hook_kwargs: Any) -> ZohoCRMError:
    monkeypatch.setenv(
        "AIRFLOW_CONN_ZOHO_CRM_DEFAULT", conn_json(accounts_url=accounts_url, api_url=api_url, auth_cache="memory")
    )
    with pytest.raises(ZohoCRMError) as info:
        ZohoCRMHook(timeout=0.5, max_attempts=2, **hook_kwargs).request("GET", WORKFLOW_PATH)
    return info.value


@pytest.mark.parametrize("mode", ["refused", "reset", "silent", "trickle", "garbage-tls"])
def test_api_failures_keep_no_secret_in_any_link(monkeypatch, recorded_sleeps, token_server, raw_servers, mode):
    if mode == "refused":
        api_url = _closed_port_url()
    else:
        server = _RawServer(mode.removesuffix("-tls"))
        raw_servers.append(server)
        api_url = server.url.replace("http://", "https://") if mode.endswith("-tls") else server.url
    error = _failing_call(monkeypatch, token_server, api_url)
    assert isinstance(error, ZohoCRMTransportError), error
    assert error.details["host"] == api_url.split("://")[1]
    assert error.details["cause"]  # the class name of what failed, and nothing else of it
    assert links(error) == [error]
    assert secrets_in_chain(error) == []


@pytest.mark.parametrize("mode", ["refused", "reset", "silent", "trickle"])
def test_token_endpoint_failures_keep_no_secret_in_any_link(monkeypatch, recorded_sleeps, raw_servers, mode):
    if mode == "refused":
        accounts_url = _closed_port_url()
    else:
        server = _RawServer(mode)
        raw_servers.append(server)
        accounts_url = server.url
    started = time.monotonic()
    error = _failing_call(monkeypatch, accounts_url, accounts_url)
    assert isinstance(error, ZohoCRMTransportError), error
    assert "accounts server" in str(error)
    assert links(error) == [error]
    assert secrets_in_chain(error) == []
    assert time.monotonic() - started < 5


def test_errors_raised_inside_a_handler_of_the_callers_own_keep_no_secret(monkeypatch, recorded_sleeps, token_server):
    """A task that calls the hook while handling its own exception: our error's context is that one, not ours."""
    try:
        raise KeyError("the task's own")
    except KeyError:
        error = _failing_call(monkeypatch, token_server, _closed_port_url())
    assert [type(link).__name__ for link in links(error)] == ["ZohoCRMTransportError", "KeyError"]
    assert secrets_in_chain(error) == []

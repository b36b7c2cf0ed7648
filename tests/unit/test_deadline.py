"""A deadline per exchange: a server trickling bytes cannot hold a call past its timeout.

``requests``' timeout bounds each read, so a byte every 0.4 s never trips a 1 s timeout; the
watchdog of ``deadline.py`` cuts the exchange at its deadline instead. These tests talk to real
sockets (plain and TLS) on loopback.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from airflow_provider_zohocrm import deadline
from airflow_provider_zohocrm.exceptions import ZohoCRMTransportError
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from airflow_provider_zohocrm.transport import ZohoSession

from .helpers import ACCESS_TOKEN, WORKFLOW_PATH, conn_json

TRICKLE_SECONDS = 0.4
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"


class TrickleServer:
    """Answers the token endpoint at once and trickles every other answer, one byte per 0.4 s.

    ``trickle`` picks what trickles: ``"body"`` (headers at once) or ``"all"`` (the status line too).
    """

    def __init__(self, trickle: str = "body", tls: ssl.SSLContext | None = None, trickle_token: bool = False) -> None:
        self.trickle = trickle
        self.tls = tls
        self.trickle_token = trickle_token
        self.requests: Counter[str] = Counter()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            conn = self.tls.wrap_socket(raw, server_side=True) if self.tls else raw
            with conn:
                while not self._stop.is_set():
                    path = _read_request(conn)
                    if path is None:
                        return
                    self.requests[path] += 1
                    self._answer(conn, path)
        except (OSError, ssl.SSLError):
            pass  # the client cut the exchange: what the tests want

    def _answer(self, conn: socket.socket, path: str) -> None:
        if path.startswith("/oauth/") and not self.trickle_token:
            body = json.dumps({"access_token": ACCESS_TOKEN, "expires_in": 3600}).encode()
            conn.sendall(HEAD % len(body) + body)
            return
        body = b'{"workflow_rules": []}' + b" " * 200
        head, tail = (b"", HEAD % len(body) + body) if self.trickle == "all" else (HEAD % len(body), body)
        conn.sendall(head)
        for byte in tail:
            if self._stop.wait(TRICKLE_SECONDS):
                return
            conn.sendall(bytes([byte]))


def _read_request(conn: socket.socket) -> str | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
    while len(rest) < length:
        rest += conn.recv(65536)
    return lines[0].split(" ")[1].split("?")[0]


def _tls_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, str]:
    """A server context with a self-signed certificate for 127.0.0.1, and the CA file a client trusts."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, str(cert_file)


@pytest.fixture
def servers() -> Iterator[list[TrickleServer]]:
    started: list[TrickleServer] = []
    yield started
    for server in started:
        server.close()


def _timed(call: Any) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()
    except BaseException as exc:  # returned for the assertions
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


# --- the session ---------------------------------------------------------------------------------


@pytest.mark.parametrize("trickle", ["body", "all"])
def test_a_trickled_answer_is_cut_at_the_timeout(servers, trickle):
    server = TrickleServer(trickle)
    servers.append(server)
    error, elapsed = _timed(lambda: ZohoSession().get(f"{server.url}/crm/v8/org", timeout=1))
    assert isinstance(error, deadline.DeadlineExceeded)
    assert isinstance(error, requests.Timeout)
    assert "within 1 s" in str(error)
    assert 0.9 <= elapsed < 2.0  # a byte every 0.4 s over 200+ bytes would take 90 s
    assert error.__context__ is None
    assert error.__cause__ is None


def test_a_trickled_tls_answer_is_cut_at_the_timeout(servers, tmp_path):
    context, ca_file = _tls_contexts(tmp_path)
    server = TrickleServer("body", tls=context)
    servers.append(server)
    session = ZohoSession()
    for _ in range(2):  # the second exchange opens a new connection: the cut one is not reused
        error, elapsed = _timed(lambda: session.get(f"{server.url}/crm/v8/org", timeout=1, verify=ca_file))
        assert isinstance(error, deadline.DeadlineExceeded), error
        assert elapsed < 2.0


def test_answers_within_the_timeout_are_untouched(emulator):
    session = ZohoSession()
    for _ in range(50):
        assert session.get(f"{emulator.url}/__emulator__/stats", timeout=5).status_code == 200
    # Finished exchanges leave the watchdog's heap as the next ones come in: it does not grow.
    assert len(deadline._WATCHDOG._heap) <= 2


def test_without_a_numeric_timeout_there_is_no_deadline(emulator):
    before = len(deadline._WATCHDOG._heap)
    assert ZohoSession().get(f"{emulator.url}/__emulator__/stats").status_code == 200
    assert ZohoSession().get(f"{emulator.url}/__emulator__/stats", timeout=(3, 3)).status_code == 200
    assert len(deadline._WATCHDOG._heap) <= before


def test_an_exchange_that_never_got_a_socket_is_looked_at_again():
    watch = deadline.Watch(time.monotonic())
    assert watch.cut() is False  # still connecting: the watchdog re-checks it shortly
    assert watch.fired


# --- through the hook --------------------------------------------------------------------------


def test_hook_call_with_timeout_1_and_two_attempts_ends_within_the_budget(servers, monkeypatch):
    server = TrickleServer("body")
    servers.append(server)
    monkeypatch.setenv(
        "AIRFLOW_CONN_ZOHO_CRM_DEFAULT", conn_json(accounts_url=server.url, api_url=server.url, auth_cache="memory")
    )
    error, elapsed = _timed(lambda: ZohoCRMHook(timeout=1, max_attempts=2).request("GET", WORKFLOW_PATH))
    assert isinstance(error, ZohoCRMTransportError), error
    assert "no complete answer from Zoho CRM (127.0.0.1:" in str(error)
    assert "within 1 s" in str(error)
    assert elapsed < 4.0  # two attempts of 1 s and one backoff of at most 0.5 s; not 20+ s
    assert server.requests[f"/crm/v8/{WORKFLOW_PATH}"] == 2
    assert error.__context__ is None
    assert error.__cause__ is None


def test_a_trickling_token_endpoint_is_cut_too(servers, monkeypatch, recorded_sleeps):
    server = TrickleServer("body", trickle_token=True)
    servers.append(server)
    monkeypatch.setenv(
        "AIRFLOW_CONN_ZOHO_CRM_DEFAULT", conn_json(accounts_url=server.url, api_url=server.url, auth_cache="memory")
    )
    error, elapsed = _timed(lambda: ZohoCRMHook(timeout=1, max_attempts=1).request("GET", WORKFLOW_PATH))
    assert isinstance(error, ZohoCRMTransportError), error
    assert "no complete answer within 1 s" in str(error)
    assert elapsed < 2.0
    assert error.__context__ is None
    assert error.__cause__ is None

"""Access-token caches: the process-wide memory cache and the per-host file cache."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from airflow_provider_zohocrm.auth.token_cache import (
    CACHE_DIR_ENV,
    MEMORY_CACHE,
    AccessToken,
    FileTokenCache,
    MemoryTokenCache,
)
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from unit.helpers import ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, WORKFLOW_PATH, WORKFLOW_URL, conn_json, mock_token

TOKEN = AccessToken(value=ACCESS_TOKEN, expires_at=5000.0, refresh_at=4700.0, api_domain="https://www.zohoapis.eu")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- AccessToken -------------------------------------------------------------------------------


def test_access_token_repr_hides_the_value():
    text = repr(TOKEN)
    assert ACCESS_TOKEN not in text
    assert "5000" in text
    assert "www.zohoapis.eu" in text


def test_access_token_usable_until_refresh_at():
    assert TOKEN.usable(0)
    assert TOKEN.usable(4699.9)
    assert not TOKEN.usable(4700.0)
    assert not TOKEN.usable(4999.0)


# --- MemoryTokenCache --------------------------------------------------------------------------


def test_memory_cache_store_load_clear():
    cache = MemoryTokenCache()
    assert cache.load("k") is None
    cache.store("k", TOKEN)
    assert cache.load("k") is TOKEN
    assert cache.load("other") is None
    cache.clear()
    assert cache.load("k") is None


def test_memory_cache_discard_only_the_named_value():
    cache = MemoryTokenCache()
    cache.store("k", TOKEN)
    cache.discard("k", "some-other-token")
    assert cache.load("k") is TOKEN
    cache.discard("k", ACCESS_TOKEN)
    assert cache.load("k") is None
    cache.discard("k", ACCESS_TOKEN)  # discarding an absent key is fine


def test_memory_refresh_lock_is_per_key():
    cache = MemoryTokenCache()
    held, release = threading.Event(), threading.Event()
    entered = {"same": threading.Event(), "other": threading.Event()}

    def holder():
        with cache.refresh_lock("k"):
            held.set()
            release.wait(5)

    def contender(key, name):
        with cache.refresh_lock(key):
            entered[name].set()

    threads = [threading.Thread(target=holder)]
    threads[0].start()
    assert held.wait(5)
    threads += [
        threading.Thread(target=contender, args=("k", "same")),
        threading.Thread(target=contender, args=("k2", "other")),
    ]
    for thread in threads[1:]:
        thread.start()
    assert entered["other"].wait(5), "a different key must not wait"
    assert not entered["same"].wait(0.2), "the same key must wait for the holder"
    release.set()
    assert entered["same"].wait(5)
    for thread in threads:
        thread.join(5)


def test_process_wide_cache_is_cleared_between_tests():
    # The autouse fixture empties MEMORY_CACHE; a leftover token would hide refresh bugs.
    assert MEMORY_CACHE._tokens == {}


# --- FileTokenCache ----------------------------------------------------------------------------


def test_file_cache_directory_from_env_or_argument(token_cache_dir, tmp_path):
    assert FileTokenCache().directory == Path(os.environ[CACHE_DIR_ENV]) == token_cache_dir
    assert FileTokenCache(tmp_path / "explicit").directory == tmp_path / "explicit"


def test_file_cache_default_directory_is_per_user(monkeypatch):
    monkeypatch.delenv(CACHE_DIR_ENV)
    assert FileTokenCache().directory.name == f"airflow-zohocrm-tokens-{os.getuid()}"


def test_file_cache_round_trip_and_modes(tmp_path):
    cache = FileTokenCache(tmp_path / "cache")
    assert cache.load("k") is None
    cache.store("k", TOKEN)
    assert cache.load("k") == TOKEN
    assert _mode(tmp_path / "cache") == 0o700
    assert _mode(tmp_path / "cache" / "k.json") == 0o600
    assert json.loads((tmp_path / "cache" / "k.json").read_text()) == {
        "value": ACCESS_TOKEN,
        "expires_at": 5000.0,
        "refresh_at": 4700.0,
        "api_domain": "https://www.zohoapis.eu",
    }
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["k.json"], "no temp files left behind"


def test_file_cache_overwrite_and_discard(tmp_path):
    cache = FileTokenCache(tmp_path)
    newer = AccessToken("newer-token-value", 9000.0, 8700.0)
    cache.store("k", TOKEN)
    cache.store("k", newer)
    assert cache.load("k") == newer
    cache.discard("k", ACCESS_TOKEN)  # stale value: someone already refreshed
    assert cache.load("k") == newer
    cache.discard("k", "newer-token-value")
    assert cache.load("k") is None
    assert not (tmp_path / "k.json").exists()


@pytest.mark.parametrize("content", ["not json", "[]", '{"value": "x"}', '{"value": "x", "expires_at": 1, "bad": 2}'])
def test_file_cache_ignores_corrupt_files(tmp_path, content):
    cache = FileTokenCache(tmp_path / "c")
    cache.ensure_dir()
    (tmp_path / "c" / "k.json").write_text(content)
    assert cache.load("k") is None


def test_file_cache_lock_file_is_private(tmp_path):
    cache = FileTokenCache(tmp_path / "c")
    with cache.refresh_lock("k"):
        assert _mode(tmp_path / "c" / "k.lock") == 0o600


def test_file_cache_refuses_a_shared_directory(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    cache = FileTokenCache(shared)
    with pytest.raises(PermissionError, match="0700"):
        cache.ensure_dir()
    assert cache.load("k") is None
    with pytest.raises(PermissionError):
        cache.store("k", TOKEN)
    assert list(shared.iterdir()) == []


def test_file_lock_excludes_other_holders(tmp_path):
    cache_a, cache_b = FileTokenCache(tmp_path), FileTokenCache(tmp_path)
    held, release, entered = threading.Event(), threading.Event(), threading.Event()

    def holder():
        with cache_a.refresh_lock("k"):
            held.set()
            release.wait(5)

    def contender():
        with cache_b.refresh_lock("k"):
            entered.set()

    first, second = threading.Thread(target=holder), threading.Thread(target=contender)
    first.start()
    assert held.wait(5)
    second.start()
    assert not entered.wait(0.2)
    release.set()
    assert entered.wait(5)
    first.join(5)
    second.join(5)


# --- Through the hook ----------------------------------------------------------------------------


def _secrets_in_dir(directory: Path) -> list[str]:
    found = []
    for path in directory.iterdir():
        text = path.read_bytes().decode(errors="replace")
        found += [secret for secret in (CLIENT_SECRET, REFRESH_TOKEN) if secret in text]
    return found


def test_hook_stores_only_the_access_token_on_disk(zoho_conn, requests_mock, token_cache_dir):
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    files = sorted(p.name for p in token_cache_dir.iterdir())
    assert [name.rsplit(".", 1)[1] for name in files] == ["json", "lock"], files
    assert _mode(token_cache_dir) == 0o700
    for path in token_cache_dir.iterdir():
        assert _mode(path) == 0o600
    assert json.loads((token_cache_dir / files[0]).read_text())["value"] == ACCESS_TOKEN
    assert _secrets_in_dir(token_cache_dir) == []


def test_file_cache_serves_a_new_process(zoho_conn, requests_mock):
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    MEMORY_CACHE.clear()  # as if a new task process started on the same host
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert requests_mock.call_count == 3  # one token request, two API calls


def test_memory_token_cache_writes_no_files(make_zoho_conn, requests_mock, token_cache_dir):
    make_zoho_conn(auth_cache="memory")
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    MEMORY_CACHE.clear()
    ZohoCRMHook().request("GET", WORKFLOW_PATH)
    assert not token_cache_dir.exists()
    assert requests_mock.call_count == 4  # without a shared cache each "process" refreshes


def test_unusable_cache_directory_falls_back_to_memory(zoho_conn, requests_mock, token_cache_dir, caplog):
    token_cache_dir.mkdir(mode=0o755)
    token_cache_dir.chmod(0o755)
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})
    with caplog.at_level(logging.WARNING, logger="airflow_provider_zohocrm"):
        assert ZohoCRMHook().request("GET", WORKFLOW_PATH) == {"workflow_rules": []}
    assert "Token file cache unavailable" in caplog.text
    assert list(token_cache_dir.iterdir()) == []


def test_custom_token_cache_is_used(zoho_conn, requests_mock, token_cache_dir):
    shared = MemoryTokenCache()
    mock_token(requests_mock)
    requests_mock.get(WORKFLOW_URL, json={"workflow_rules": []})
    hook = ZohoCRMHook(token_cache=shared)
    hook.request("GET", WORKFLOW_PATH)
    assert shared.load(hook.transport.tokens.key).value == ACCESS_TOKEN
    assert not token_cache_dir.exists()


# --- Two processes, one refresh ---------------------------------------------------------------

MP_CONN_ID = "zoho_crm_mp"
MP_ACCESS_TOKEN = "mp-access-token-5566"
TOKEN_DELAY_SECONDS = 0.5


class _TokenServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.token_requests: list[str] = []
        self.api_auth_headers: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    server: _TokenServer

    def log_message(self, *args) -> None:
        pass

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.path != "/oauth/v2/token":
            self._reply(404, {"code": "INVALID_URL_PATTERN"})
            return
        with self.server.lock:
            self.server.token_requests.append(body)
        time.sleep(TOKEN_DELAY_SECONDS)  # keep the refresh in flight so the processes overlap
        self._reply(
            200, {"access_token": MP_ACCESS_TOKEN, "expires_in": 3600, "api_domain": "https://www.zohoapis.com"}
        )

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.api_auth_headers.append(self.headers.get("Authorization", ""))
        if self.path.startswith(f"/crm/v8/{WORKFLOW_PATH}"):
            self._reply(200, {"workflow_rules": [{"id": "1"}]})
        else:
            self._reply(404, {"code": "INVALID_URL_PATTERN"})


def _mp_worker(barrier, results) -> None:
    """Runs in a spawned process: build a hook (airflow import and all), then call together."""
    try:
        from airflow_provider_zohocrm.hooks import ZohoCRMHook

        hook = ZohoCRMHook(MP_CONN_ID, max_attempts=1)
        _ = hook.transport  # the file cache is set up before the race starts
        barrier.wait(60)
        results.put(("ok", hook.request("GET", WORKFLOW_PATH)))
    except BaseException as exc:  # report, don't hang the parent
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def test_processes_sharing_the_file_cache_refresh_once(monkeypatch, token_cache_dir):
    server = _TokenServer()
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{MP_CONN_ID.upper()}", conn_json(accounts_url=url, api_url=url, auth_cache="file")
    )
    processes_count = 2
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes_count), ctx.Queue()
    processes = [ctx.Process(target=_mp_worker, args=(barrier, results)) for _ in range(processes_count)]
    try:
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=90) for _ in processes]
        for process in processes:
            process.join(30)
        assert [p.exitcode for p in processes] == [0] * processes_count
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(5)
        server.shutdown()
        server.server_close()

    assert outcomes == [("ok", {"workflow_rules": [{"id": "1"}]})] * processes_count
    assert len(server.token_requests) == 1, server.token_requests
    assert f"refresh_token={REFRESH_TOKEN}" in server.token_requests[0]
    assert server.api_auth_headers == [f"Zoho-oauthtoken {MP_ACCESS_TOKEN}"] * processes_count
    assert _mode(token_cache_dir) == 0o700
    for path in token_cache_dir.iterdir():
        assert _mode(path) == 0o600
    assert _secrets_in_dir(token_cache_dir) == []

"""PostgreSQL (the metadata database and Celery result backend) and Redis (the Celery broker) for one run.

Both are the Debian packages' binaries (``scripts/ensure_services.sh`` installs them), run as
services of the test in a temporary directory and stopped with it: a PostgreSQL cluster of its
own (``initdb`` as the ``postgres`` user, which PostgreSQL requires), listening on the control
host's link address and 127.0.0.1 only, where only the test's role may log in (scram-sha-256,
a random password; the superuser only over the cluster's own socket directory); and a Redis
with no persistence, bound to the same two addresses.
"""

from __future__ import annotations

import glob
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from support.processes import Service, free_port

PG_USER = "postgres"  # the OS account that owns and runs the cluster
DB_NAME = DB_ROLE = "airflow"


def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL's ``bin`` directory (Debian keeps them per major version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda path: int(Path(path).parts[4]))
    assert found, "PostgreSQL is not installed: run scripts/ensure_services.sh (make celery-test does)"
    return Path(found[-1]).parent


def _as_postgres(argv: list[str]) -> list[str]:
    return ["setpriv", f"--reuid={PG_USER}", f"--regid={PG_USER}", "--init-groups", "--", *argv]


class Postgres:
    """A throw-away cluster: ``init()`` then ``service()`` to run it, ``create_database()`` once it accepts."""

    def __init__(self, addresses: tuple[str, ...], subnet: str) -> None:
        self.addresses = addresses
        self.subnet = subnet
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.bin = postgres_bin_dir()
        # Not under pytest's tmp_path: its parents are root's only, and the cluster runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="zohocrm-celery-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.sockets.mkdir()
        account = pwd.getpwnam(PG_USER)
        for path in (self.root, self.sockets):
            shutil.chown(path, account.pw_uid, account.pw_gid)

    def url(self, host: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://{DB_ROLE}:{self.password}@{host}:{self.port}/{DB_NAME}"

    def init(self) -> None:
        done = subprocess.run(
            _as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", PG_USER, "--auth-local=trust"]),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"initdb failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        hosts = ["127.0.0.1/32", self.subnet]
        rules = ["# Written by the Celery deployment test: the superuser on the socket, the test role over TCP."]
        rules.append(f"local all {PG_USER} trust")
        rules += [f"host {DB_NAME} {DB_ROLE} {host} scram-sha-256" for host in hosts]
        (self.data / "pg_hba.conf").write_text("\n".join(rules) + "\n")

    def service(self, out_dir: Path) -> Service:
        settings = {
            "listen_addresses": ",".join(self.addresses),
            "port": str(self.port),
            "unix_socket_directories": str(self.sockets),
            "max_connections": "300",
            # A test database: durability buys nothing here, speed does.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        argv = [str(self.bin / "postgres"), "-D", str(self.data)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        return Service("postgres", _as_postgres(argv), {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, out_dir)

    def psql(self, sql: str) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin / "psql"), "-h", str(self.sockets), "-p", str(self.port), "-U", PG_USER]
        argv += ["-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql]
        return subprocess.run(_as_postgres(argv), capture_output=True, text=True, timeout=60, check=False)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            done = self.psql("SELECT 1")
            if done.returncode == 0:
                return
            assert time.monotonic() < deadline, f"PostgreSQL did not accept connections: {done.stderr[-1000:]}"
            time.sleep(0.3)

    def create_database(self) -> None:
        for sql in (
            f"CREATE ROLE {DB_ROLE} LOGIN PASSWORD '{self.password}'",
            f"CREATE DATABASE {DB_NAME} OWNER {DB_ROLE}",
        ):
            done = self.psql(sql)
            assert done.returncode == 0, f"{sql.split(' PASSWORD')[0]}: {done.stderr[-1000:]}"

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """A Redis with no persistence in its own directory, bound to ``addresses``, with a random password.

    The password also lifts Redis's protected mode, which refuses clients beyond loopback without one.
    """

    def __init__(self, addresses: tuple[str, ...], root: Path) -> None:
        self.addresses = addresses
        self.port = free_port()
        self.password = secrets.token_hex(16)
        self.dir = root / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)

    def url(self, host: str, db: int = 0) -> str:
        return f"redis://:{self.password}@{host}:{self.port}/{db}"

    def service(self, out_dir: Path) -> Service:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed: run scripts/ensure_services.sh (make celery-test does)"
        argv = [binary, "--bind", " ".join(self.addresses), "--port", str(self.port), "--save", ""]
        argv += ["--requirepass", self.password]
        argv += ["--appendonly", "no", "--dir", str(self.dir), "--daemonize", "no", "--loglevel", "warning"]
        return Service("redis", argv, {"PATH": "/usr/bin:/bin"}, out_dir)

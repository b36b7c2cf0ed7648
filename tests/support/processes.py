"""Long-running child processes for the deployment tests: started, watched and stopped with their whole tree.

Each service starts in a session of its own (its process group is its pid), with stdout and stderr
in files. Airflow's task supervisor moves every task process into a group of its own, so stopping
the services' groups is not enough: ``ProcessTracker`` remembers every descendant it has seen
(pid and start time, so a reused pid is never mistaken for one of ours), and ``stop_all`` ends
those too. Nothing here imports Airflow. Used by ``tests/deployment`` and ``tests/celery_deployment``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


@dataclass
class Service:
    """One long-running command; its output goes to ``<out_dir>/<name>.out`` and ``.err``."""

    name: str
    argv: list[str]
    env: dict[str, str]
    out_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def output_files(self) -> list[Path]:
        return [self.out_dir / f"{self.name}.out", self.out_dir / f"{self.name}.err"]

    def start(self) -> None:
        out_path, err_path = self.output_files
        with out_path.open("ab") as out, err_path.open("ab") as err:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.out_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group: stopped as a whole
            )

    def exit_code(self) -> int | None:
        """``None`` while it runs (or before it started)."""
        return None if self.process is None else self.process.poll()

    def tail(self, chars: int = 3000) -> str:
        """The end of its stdout and stderr, for failure messages."""
        parts = []
        for path in self.output_files:
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"--- {path.name} ---\n{text[-chars:]}")
        return "\n".join(parts)


@dataclass
class ProcessTracker:
    """Every process seen in the services' trees: ``(pid, start time) -> service name``."""

    seen: dict[tuple[int, float], str] = field(default_factory=dict)
    listening: set[tuple[str, str, int]] = field(default_factory=set)  # (service, address, port) ever seen

    def watch(self, services: Iterable[Service]) -> None:
        """Record the services' current descendants and their listeners (call it often: task processes come and go)."""
        for service in services:
            if service.process is None:
                continue
            try:
                root = psutil.Process(service.process.pid)
                family = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for process in family:
                with contextlib.suppress(psutil.NoSuchProcess):
                    self.seen.setdefault((process.pid, process.create_time()), service.name)
        self.listening.update((name, address, port) for name, _, address, port in self.listeners())

    def alive(self) -> Iterator[tuple[str, psutil.Process]]:
        """Processes seen before that still run (zombies excluded)."""
        for (pid, started), name in list(self.seen.items()):
            try:
                process = psutil.Process(pid)
                if process.create_time() == started and process.status() != psutil.STATUS_ZOMBIE:
                    yield name, process
            except psutil.NoSuchProcess:
                continue

    def listeners(self) -> list[tuple[str, int, str, int]]:
        """``(service, pid, address, port)`` of every listening socket of a live process seen."""
        found = []
        for name, process in self.alive():
            try:
                connections = process.net_connections(kind="inet")
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            for conn in connections:
                # TCP in LISTEN, or UDP bound and not connected (a connected one is a client's, e.g. DNS).
                udp_server = conn.type == socket.SOCK_DGRAM and conn.laddr and not conn.raddr
                if conn.status == psutil.CONN_LISTEN or udp_server:
                    found.append((name, process.pid, conn.laddr.ip, conn.laddr.port))
        return found


def stop_all(services: list[Service], tracker: ProcessTracker, grace: float = 20.0) -> None:
    """SIGTERM every service's group, wait up to ``grace`` seconds, then SIGKILL whatever is left.

    "Whatever is left" covers the groups and every process the tracker saw (task processes have
    groups of their own). Idempotent; never raises for a process that is already gone.
    """
    tracker.watch(services)
    running = [s for s in services if s.process is not None and s.process.poll() is None]
    for service in running:
        _signal_group(service, tracker, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if all(s.process is None or s.process.poll() is not None for s in running) and not any(tracker.alive()):
            break
        time.sleep(0.2)
    tracker.watch(services)
    for service in services:
        _signal_group(service, tracker, signal.SIGKILL)
    for _, process in tracker.alive():
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    for service in services:
        if service.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                service.process.wait(timeout=10)
    end = time.monotonic() + 10
    while any(tracker.alive()) and time.monotonic() < end:
        time.sleep(0.1)


def _signal_group(service: Service, tracker: ProcessTracker, sig: signal.Signals) -> None:
    """Signal the service's process group (its id is the leader's pid: ``start_new_session``).

    Only while the group is provably ours: its leader still runs (not reaped), or a process we saw
    is still in it (Linux does not hand out a pid that is in use as a group id).
    """
    if service.process is None:
        return
    group = service.process.pid
    ours = service.process.poll() is None
    for _, process in tracker.alive():
        with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError):
            ours = ours or os.getpgid(process.pid) == group
    if ours:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, sig)

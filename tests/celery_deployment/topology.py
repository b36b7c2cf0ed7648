"""Hosts for the Celery deployment test: network namespaces on one virtual link, each with its own name.

A bridge in this (the root) network namespace holds 198.18.0.1/24, the control host's address:
PostgreSQL, Redis, the api-server and the emulator listen there. Every other host is a network
namespace joined to the bridge by a veth pair, with one address in 198.18.0.0/24 (the
benchmarking range, RFC 2544: never routed anywhere) and its own loopback; it has no route
beyond the link, so nothing in it can reach any other address. Namespaces and interfaces carry a
random per-run suffix, so a leftover of an interrupted run never collides with this one, and
``down()`` deletes exactly what ``up()`` made (also after a partial ``up()``).

Every command of a host runs in a UTS namespace of its own with the host's name as hostname
(``unshare --uts``), which is what Airflow records as a task instance's ``hostname`` when
``[core] hostname_callable`` is ``socket.gethostname``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field

CONTROL_ADDRESS = "198.18.0.1"
PREFIX_LENGTH = 24
SUBNET = f"198.18.0.0/{PREFIX_LENGTH}"


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


@dataclass
class Host:
    """One "host": a network namespace (``None`` for the control host, which is the root namespace)."""

    role: str  # control, zw1, zw2, zt
    address: str
    hostname: str
    netns: str | None = None
    veth: str | None = None  # the root namespace's end of its link

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` run on this host: in its network namespace, with its hostname."""
        named = ["unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"', self.hostname, *argv]
        return named if self.netns is None else ["ip", "netns", "exec", self.netns, *named]

    def pids(self) -> list[int]:
        """Every process in this host's network namespace (none for the control host: it is shared)."""
        if self.netns is None:
            return []
        done = _ip("netns", "pids", self.netns, check=False)
        return [int(pid) for pid in done.stdout.split()]


@dataclass
class Topology:
    """The bridge and the namespaces; ``up()`` builds them, ``down()`` removes them (idempotent)."""

    workers: tuple[str, ...] = ("zw1", "zw2")
    triggerer: str = "zt"
    suffix: str = field(default_factory=lambda: secrets.token_hex(3))
    hosts: dict[str, Host] = field(default_factory=dict)
    bridge: str = ""
    _made: list[tuple[str, str]] = field(default_factory=list)  # (kind, name) in creation order

    def __post_init__(self) -> None:
        self.bridge = f"zbr-{self.suffix}"
        self.hosts["control"] = Host("control", CONTROL_ADDRESS, f"zctl-{self.suffix}")
        for number, role in enumerate((*self.workers, self.triggerer), start=11):
            name = f"{role}-{self.suffix}"
            self.hosts[role] = Host(role, f"198.18.0.{number}", name, netns=name, veth=f"zv{role}-{self.suffix}")

    def up(self) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        self._made.append(("link", self.bridge))
        _ip("addr", "add", f"{CONTROL_ADDRESS}/{PREFIX_LENGTH}", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for host in self.hosts.values():
            if host.netns is None or host.veth is None:
                continue
            _ip("netns", "add", host.netns)
            self._made.append(("netns", host.netns))
            peer = f"zp{host.role}-{self.suffix}"
            _ip("link", "add", host.veth, "type", "veth", "peer", "name", peer)
            self._made.append(("link", host.veth))
            _ip("link", "set", peer, "netns", host.netns)
            _ip("link", "set", host.veth, "master", self.bridge)
            _ip("link", "set", host.veth, "up")
            _ip("-n", host.netns, "addr", "add", f"{host.address}/{PREFIX_LENGTH}", "dev", peer)
            _ip("-n", host.netns, "link", "set", peer, "up")
            _ip("-n", host.netns, "link", "set", "lo", "up")

    def reachable(self, role: str, port: int, timeout: float = 10.0) -> bool:
        """Whether a host reaches the control host's ``port`` over the link (bash's /dev/tcp, no other tool)."""
        host = self.hosts[role]
        probe = f"exec 3<>/dev/tcp/{CONTROL_ADDRESS}/{port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = subprocess.run([*host.command(["bash", "-c", probe])], capture_output=True, timeout=10, check=False)
            if done.returncode == 0:
                return True
            time.sleep(0.2)
        return False

    def kill_host(self, role: str) -> list[int]:
        """SIGKILL every process of a host at once, as when the machine dies; returns their pids."""
        pids = self.hosts[role].pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def down(self) -> list[str]:
        """Kill what still runs in the namespaces, then delete every link and namespace made; returns problems."""
        problems = []
        for host in self.hosts.values():
            if host.netns is not None and ("netns", host.netns) in self._made:
                self.kill_host(host.role)
        for kind, name in reversed(self._made):
            args = ("netns", "del", name) if kind == "netns" else ("link", "del", name)
            done = _ip(*args, check=False)
            if done.returncode != 0 and "Cannot find" not in done.stderr and "does not exist" not in done.stderr:
                problems.append(f"ip {' '.join(args)}: {done.stderr.strip()}")
        self._made.clear()
        return problems

    def leftovers(self) -> list[str]:
        """This run's namespaces and links that still exist (none after ``down()``)."""
        namespaces = _ip("netns", "list", check=False).stdout
        links = _ip("-o", "link", "show", check=False).stdout
        found = [line.split()[0] for line in namespaces.splitlines() if self.suffix in line]
        found += [line.split(":")[1].strip().split("@")[0] for line in links.splitlines() if self.suffix in line]
        return found

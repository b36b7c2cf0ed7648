"""A deadline per HTTP exchange: connect, request, headers and the whole body within ``timeout``.

``requests`` applies its timeout to each socket operation, not to the exchange: a server that
trickles one byte every 0.4 s keeps a call with ``timeout=1`` busy for as long as it likes. Here
one daemon thread per process (the watchdog) shuts down the socket of any exchange still running
at its deadline; the read in progress then fails at once and ``ZohoSession`` reports a timeout.
Cheap when nothing is late: registering an exchange is a heap push, and the watchdog sleeps until
the earliest deadline.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import os
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from requests.exceptions import Timeout
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import pool_classes_by_scheme as _DEFAULT_POOLS

# While an exchange has not got its socket yet (DNS, TCP connect), look again this often.
_RECHECK_SECONDS = 0.05


class DeadlineExceeded(Timeout):
    """The exchange did not finish within its timeout; its connection was cut."""


class Watch:
    """One exchange: its deadline and, once the pool hands it one, its connection."""

    __slots__ = ("conn", "deadline", "done", "fired")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.conn: Any = None
        self.done = False
        self.fired = False

    def cut(self) -> bool:
        """Shut the exchange's socket down; False while it has none yet."""
        self.fired = True
        sock = _raw_socket(getattr(self.conn, "sock", None))
        if sock is None:
            return False
        # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would drop its SSL object
        # under the reading thread's feet; this only makes the pending read see EOF.
        with contextlib.suppress(OSError):  # already closed
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        return True


def _raw_socket(sock: Any, depth: int = 0) -> socket.socket | None:
    if isinstance(sock, socket.socket):
        return sock
    inner = getattr(sock, "socket", None)  # urllib3's TLS-in-TLS transport wraps the socket
    return _raw_socket(inner, depth + 1) if inner is not None and depth < 3 else None


class _Watchdog:
    """The process's one thread that cuts late exchanges; restarted lazily (and after a fork)."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._wake_at = math.inf

    def add(self, watch: Watch) -> None:
        with self._cond:
            heap = self._heap
            while heap and heap[0][2].done:  # exchanges mostly finish in order: prune as we go
                heapq.heappop(heap)
            heapq.heappush(heap, (watch.deadline, next(self._order), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="zoho-crm-deadlines", daemon=True)
                self._thread.start()
            elif watch.deadline < self._wake_at:
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while True:
                heap = self._heap
                while heap and heap[0][2].done:
                    heapq.heappop(heap)
                if not heap:
                    self._wake_at = math.inf
                    self._cond.wait()
                    continue
                deadline, _, watch = heap[0]
                now = time.monotonic()
                if deadline > now:
                    self._wake_at = deadline
                    self._cond.wait(deadline - now)
                    continue
                heapq.heappop(heap)
                if not watch.cut():
                    heapq.heappush(heap, (now + _RECHECK_SECONDS, next(self._order), watch))


_WATCHDOG = _Watchdog()
_local = threading.local()
if hasattr(os, "register_at_fork"):  # a forked task process starts without the parent's thread
    os.register_at_fork(after_in_child=_WATCHDOG._reset)


def start(timeout: float) -> Watch:
    """Watch the exchange this thread starts now; pair with :func:`finish`."""
    watch = Watch(time.monotonic() + timeout)
    _local.watch = watch
    _WATCHDOG.add(watch)
    return watch


def finish(watch: Watch) -> None:
    watch.done = True
    if getattr(_local, "watch", None) is watch:
        _local.watch = None


def _attach(conn: Any) -> None:
    """The pool picked ``conn`` for this thread's exchange: the watchdog may cut it from now on."""
    watch = getattr(_local, "watch", None)
    if watch is not None and not watch.done:
        watch.conn = conn


class _HTTPPool(HTTPConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _attach(conn)
        return super()._make_request(conn, *args, **kwargs)


class _HTTPSPool(HTTPSConnectionPool):
    def _make_request(self, conn: Any, *args: Any, **kwargs: Any) -> Any:
        _attach(conn)
        return super()._make_request(conn, *args, **kwargs)


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """``requests``' adapter whose connection pools let the watchdog cut a late exchange."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if manager.pool_classes_by_scheme is _DEFAULT_POOLS:  # not SOCKS, which has pools of its own
            manager.pool_classes_by_scheme = _POOLS
        return manager

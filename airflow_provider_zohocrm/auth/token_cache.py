"""Where access tokens are kept between calls, hooks, tasks and processes.

Zoho lets one refresh token mint only 10 access tokens per 10 minutes, and every Airflow task is
a new process. Caching the access token (never the refresh token or client secret) and letting
only one caller refresh at a time turns a burst of tasks into a single refresh. When Zoho refuses
to mint ("Access Denied") the caches also keep that denial (:class:`MintDenial`), so that no other
caller on the host asks again before the refusal can have cleared.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "ZOHO_CRM_TOKEN_CACHE_DIR"


@dataclass(frozen=True)
class AccessToken:
    """An access token and when to stop using it. ``repr`` hides the token."""

    value: str
    expires_at: float
    refresh_at: float
    api_domain: str | None = None

    def __repr__(self) -> str:
        return f"AccessToken(expires_at={self.expires_at:.0f}, api_domain={self.api_domain!r})"

    def usable(self, now: float) -> bool:
        """Still comfortably inside its lifetime (a safety margin before real expiry)."""
        return now < self.refresh_at


@dataclass(frozen=True)
class MintDenial:
    """Zoho refused to mint a token at ``denied_at``; nobody asks again before ``retry_at``."""

    denied_at: float
    retry_at: float

    @classmethod
    def from_json(cls, data: object) -> MintDenial | None:
        """The denial a cache stored, or None for anything else (a corrupt entry is no denial)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(denied_at=float(data["denied_at"]), retry_at=float(data["retry_at"]))
        except (KeyError, TypeError, ValueError):
            return None


class TokenCache(Protocol):
    """A store of access tokens keyed by credential, with a lock for single-flight refresh.

    Implement this to share tokens across hosts (e.g. a database or key-value store).
    """

    def load(self, key: str) -> AccessToken | None: ...

    def store(self, key: str, token: AccessToken) -> None: ...

    def discard(self, key: str, value: str) -> None:
        """Forget the token for ``key`` only if it is still ``value`` (someone may have refreshed)."""

    def refresh_lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Held while refreshing, so that only one caller within this cache's reach refreshes."""


class MemoryTokenCache:
    """Process-wide cache: every hook instance and thread of a process shares it.

    Besides the tokens it remembers the last values Zoho rejected (so a token read back from a
    slower cache after its rejection is not handed out again) and the last minting denial.
    """

    _DEAD_KEPT = 16

    def __init__(self) -> None:
        self._tokens: dict[str, AccessToken] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._dead: dict[str, deque[str]] = {}
        self._denials: dict[str, MintDenial] = {}
        self._guard = threading.Lock()

    def load(self, key: str) -> AccessToken | None:
        return self._tokens.get(key)

    def store(self, key: str, token: AccessToken) -> None:
        self._tokens[key] = token

    def discard(self, key: str, value: str) -> None:
        with self._guard:
            current = self._tokens.get(key)
            if current is not None and current.value == value:
                del self._tokens[key]

    def mark_dead(self, key: str, value: str) -> None:
        """Remember that Zoho rejected ``value`` (the last few values per credential are kept)."""
        with self._guard:
            self._dead.setdefault(key, deque(maxlen=self._DEAD_KEPT)).append(value)

    def is_dead(self, key: str, value: str) -> bool:
        dead = self._dead.get(key)
        return dead is not None and value in dead

    def load_denial(self, key: str) -> MintDenial | None:
        return self._denials.get(key)

    def store_denial(self, key: str, denial: MintDenial) -> None:
        self._denials[key] = denial

    @contextlib.contextmanager
    def refresh_lock(self, key: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield

    def clear(self) -> None:
        with self._guard:
            self._tokens.clear()
            self._dead.clear()
            self._denials.clear()


class FileTokenCache:
    """Host-wide cache: one JSON file per credential (mode 0600) guarded by an ``flock``.

    Holds only the access token, its expiry and the API domain. The directory is private to the
    user (0700) and must be owned by them; otherwise the cache refuses to use it.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        default = Path(tempfile.gettempdir()) / f"airflow-zohocrm-tokens-{os.getuid()}"
        self.directory = Path(directory or os.environ.get(CACHE_DIR_ENV) or default)

    def ensure_dir(self) -> Path:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = self.directory.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise PermissionError(f"token cache directory {self.directory} must be owned by this user with mode 0700")
        return self.directory

    def load(self, key: str) -> AccessToken | None:
        try:
            data = json.loads((self.ensure_dir() / f"{key}.json").read_text())
            return AccessToken(**data)
        except (OSError, ValueError, TypeError):
            return None

    def store(self, key: str, token: AccessToken) -> None:
        self._write(f"{key}.json", asdict(token))

    def load_denial(self, key: str) -> MintDenial | None:
        """The minting denial another process on this host met, if any (written only on a denial)."""
        try:
            return MintDenial.from_json(json.loads((self.ensure_dir() / f"{key}.denied.json").read_text()))
        except (OSError, ValueError):
            return None

    def store_denial(self, key: str, denial: MintDenial) -> None:
        self._write(f"{key}.denied.json", asdict(denial))

    def _write(self, name: str, data: object) -> None:
        """Replace ``name`` atomically (write a private temporary file, then rename it)."""
        directory = self.ensure_dir()
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(data, handle)
            os.replace(tmp, directory / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def discard(self, key: str, value: str) -> None:
        with self.refresh_lock(key):
            current = self.load(key)
            if current is not None and current.value == value:
                with contextlib.suppress(OSError):
                    (self.directory / f"{key}.json").unlink()

    @contextlib.contextmanager
    def refresh_lock(self, key: str) -> Iterator[None]:
        import fcntl

        fd = os.open(self.ensure_dir() / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


# The process-wide cache; tiered in front of any shared cache.
MEMORY_CACHE = MemoryTokenCache()

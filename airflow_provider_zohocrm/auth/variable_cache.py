"""A deployment-wide token cache in Airflow Variables, for workers on several hosts.

The file cache makes one refresh per host; with tasks spread over many hosts, each host would
still mint its own token and a large deployment can exhaust Zoho's 10-per-10-minutes budget.
Storing the access token in a Variable lets every worker reuse it.

Variables have no compare-and-set, so the cross-host refresh lock is a best-effort lease: a
caller writes a lease naming itself, waits briefly, and proceeds only if the lease still names it.
Two hosts can still both refresh in a narrow race; the token manager then also waits for the
cache when Zoho answers "Access Denied", so a lost race costs a short wait, not a failure.

Works where tasks can read and write Variables: Airflow 2.11 (metadata DB) and 3.x inside a
running task (through the Task SDK). Elsewhere it degrades to a miss, never an error.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from airflow_provider_zohocrm import retry
from airflow_provider_zohocrm.auth.token_cache import AccessToken, FileTokenCache, MintDenial

log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0
LEASE_SETTLE_SECONDS = 0.3
LEASE_POLL_SECONDS = 0.5


def _variable() -> Any:
    from airflow.providers.common.compat.sdk import Variable

    return Variable


class VariableTokenCache:
    """Access tokens in Variables named ``zoho_crm_access_token_<credential key>`` (masked by name)."""

    spans_hosts = True

    def __init__(
        self, host_cache: FileTokenCache | None = None, clock: Any = time.time, policy: retry.RetryPolicy | None = None
    ) -> None:
        self.host_cache = host_cache or FileTokenCache()
        self.clock = clock
        self.policy = policy or retry.RetryPolicy()
        self.owner = uuid.uuid4().hex

    @staticmethod
    def variable_name(key: str) -> str:
        return f"zoho_crm_access_token_{key}"

    def _get(self, name: str) -> Any:
        try:
            raw = _variable().get(name, None)  # default passed positionally: its name differs per Airflow line
        except Exception as exc:  # no Variable access here (outside a task, no DB): a miss
            log.debug("Variable %s not readable here: %s", name, type(exc).__name__)
            return None
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def _set(self, name: str, value: Any) -> bool:
        try:
            _variable().set(name, json.dumps(value))
        except Exception as exc:
            log.debug("Variable %s not writable here: %s", name, type(exc).__name__)
            return False
        return True

    def load(self, key: str) -> AccessToken | None:
        """The deployment's token, else this host's (e.g. where Variables cannot be read)."""
        data = self._get(self.variable_name(key))
        try:
            token = AccessToken(**data) if isinstance(data, dict) else None
        except TypeError:
            token = None
        return token or self.host_cache.load(key)

    def store(self, key: str, token: AccessToken) -> None:
        self._set(
            self.variable_name(key),
            {
                "value": token.value,
                "expires_at": token.expires_at,
                "refresh_at": token.refresh_at,
                "api_domain": token.api_domain,
            },
        )
        self.host_cache.store(key, token)

    def load_denial(self, key: str) -> MintDenial | None:
        """The later of the deployment's and this host's minting denials."""
        found = [MintDenial.from_json(self._get(f"{self.variable_name(key)}_denied")), self.host_cache.load_denial(key)]
        denials = [denial for denial in found if denial is not None]
        return max(denials, key=lambda denial: denial.retry_at) if denials else None

    def store_denial(self, key: str, denial: MintDenial) -> None:
        self._set(f"{self.variable_name(key)}_denied", {"denied_at": denial.denied_at, "retry_at": denial.retry_at})
        self.host_cache.store_denial(key, denial)

    def discard(self, key: str, value: str) -> None:
        current = self.load(key)
        if current is not None and current.value == value:
            self._set(self.variable_name(key), None)
        self.host_cache.discard(key, value)

    @contextlib.contextmanager
    def refresh_lock(self, key: str) -> Iterator[None]:
        """The host lock, then the deployment lease (waiting while another host holds it)."""
        with self.host_cache.refresh_lock(key):
            self._acquire_lease(key)
            try:
                yield
            finally:
                self._set(self._lease_name(key), None)

    def _lease_name(self, key: str) -> str:
        return f"{self.variable_name(key)}_lease"

    def _acquire_lease(self, key: str) -> None:
        """Return once this caller holds the lease, a fresh token appeared, or the lease term ran out.

        A stale or stuck lease never blocks a refresh for longer than its term; without Variables
        the host lock alone serves.
        """
        name = self._lease_name(key)

        def settled() -> bool | None:
            usable = self.load(key)
            if usable is not None and usable.usable(self.clock()):
                return True  # someone refreshed meanwhile; the manager re-reads the cache
            lease = self._get(name)
            if isinstance(lease, dict) and lease.get("owner") != self.owner and lease.get("until", 0) > self.clock():
                return None  # another host holds it
            if not self._set(name, {"owner": self.owner, "until": self.clock() + LEASE_SECONDS}):
                return True
            if LEASE_SETTLE_SECONDS:
                retry._sleep(LEASE_SETTLE_SECONDS)
            lease = self._get(name)
            return True if isinstance(lease, dict) and lease.get("owner") == self.owner else None

        if settled() is None:
            self.policy.wait_for(
                settled,
                timeout=LEASE_SECONDS,
                describe="Another worker holds the token refresh lease",
                clock=self.clock,
                first_wait=LEASE_POLL_SECONDS,
                max_wait=LEASE_POLL_SECONDS,
                level=logging.DEBUG,
            )

"""Access tokens for one credential: cached, shared, refreshed early and by one caller at a time."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.answers import describe_location, host_of, parse_json
from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, AccessToken, MintDenial, TokenCache
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
    ZohoCRMRedirectError,
    ZohoCRMServerError,
    ZohoCRMTokenThrottleError,
    ZohoCRMTransportError,
    auth_hint,
)
from airflow_provider_zohocrm.retry import RetryPolicy

if TYPE_CHECKING:
    import requests

    from airflow_provider_zohocrm.connection import ZohoCRMConnectionSettings

log = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300.0
# Used when the token response lacks ``expires_in`` (seen in the wild): short, so we refresh early.
FALLBACK_LIFETIME_SECONDS = 1800.0
TOKEN_THROTTLE_CODE = "Access Denied"
# Zoho's token-validity page: at most 10 access tokens per refresh token in a rolling 10 minutes.
MINT_WINDOW_SECONDS = 600.0


def credential_key(settings: ZohoCRMConnectionSettings) -> str:
    """A stable, non-reversible key for one whole credential: accounts server, client id and secret, refresh token.

    Every part of what the accounts server checks is in it, so a token cached for one credential
    never serves another: a connection whose client secret is wrong (or was rotated) does not
    borrow the token its correct twin minted, and fails as it should. The API host is not part
    of it: the same credential gets the same token whatever environment it calls.
    """
    material = json.dumps([settings.token_url, settings.client_id, settings.client_secret, settings.refresh_token])
    return hashlib.sha256(material.encode()).hexdigest()[:40]


def register_secret(value: str) -> None:
    """Tell Airflow's secret masker about a runtime secret so it never appears in task logs."""
    try:
        import airflow  # noqa: F401
    except ImportError:
        return  # the client runs without Airflow: there is no task log to mask
    from airflow.providers.common.compat.sdk import mask_secret

    mask_secret(value)


class TokenManager:
    """Hands out a valid access token for one credential.

    Lookup order: the process-wide memory cache, then the shared cache (file by default), then a
    refresh. Refreshing happens under the memory lock and the shared cache's lock, re-checking the
    cache after each, so concurrent callers in a process or on a host cause one refresh. A token
    Zoho rejected is never handed out again (:meth:`renew`), and after Zoho refuses to mint, no
    caller reaching the same caches asks again before the refusal can have cleared.
    """

    def __init__(
        self,
        settings: ZohoCRMConnectionSettings,
        session: requests.Session,
        shared_cache: TokenCache | None,
        clock: Any = time.time,
        throttle_wait_seconds: float = 120.0,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.session = session
        self.shared_cache = shared_cache
        self.clock = clock
        self.policy = policy or RetryPolicy.for_settings(settings)
        self.throttle_wait_seconds = throttle_wait_seconds
        self.key = credential_key(settings)
        register_secret(settings.client_secret)
        register_secret(settings.refresh_token)

    def get(self, reject: str | None = None) -> AccessToken:
        """A usable access token other than ``reject``, refreshing only if no cache holds one."""
        token = MEMORY_CACHE.load(self.key)
        if self._fits(token, reject):
            return token  # type: ignore[return-value]  # _fits checked it is not None
        with MEMORY_CACHE.refresh_lock(self.key):
            token = MEMORY_CACHE.load(self.key)
            if self._fits(token, reject):
                return token  # type: ignore[return-value]
            shared_lock = self.shared_cache.refresh_lock(self.key) if self.shared_cache else contextlib.nullcontext()
            with shared_lock:
                token = self.shared_cache.load(self.key) if self.shared_cache else None
                if token is None or not self._fits(token, reject):
                    token = self._refresh_or_wait(reject)
                    if self.shared_cache:
                        self.shared_cache.store(self.key, token)
                register_secret(token.value)
                MEMORY_CACHE.store(self.key, token)
                return token

    def renew(self, rejected: AccessToken) -> AccessToken:
        """The token to retry with after Zoho rejected ``rejected``: a newer cached one, or a fresh one."""
        self.invalidate(rejected.value)
        return self.get(reject=rejected.value)

    def mint_fresh(self) -> AccessToken:
        """A token the accounts server grants now, never a cached one: proof that the credential works today.

        A cached token proves only that the credential worked when it was minted (the secret may
        since have been regenerated, the refresh token revoked). Transient failures are retried
        under the connection's policy; a minting refusal remembered by any cache is honoured (no
        request while it holds) and a new one is remembered, as :meth:`get` does. The new token
        then goes into the caches, which saves the next caller a mint.
        """
        denial = self._active_denial()
        if denial is not None:
            raise throttle_error(denial, self.clock())
        try:
            token = self.policy.call(self._refresh, describe="Minting a Zoho CRM access token")
        except ZohoCRMTokenThrottleError:
            # No wait for a peer's token, unlike get(): it would prove nothing about this credential.
            raise throttle_error(self._remember_denial(), self.clock()) from None
        self._keep(token)
        return token

    def _keep(self, token: AccessToken) -> None:
        """Cache a token minted outside :meth:`get`; a shared cache that cannot take it is skipped."""
        with MEMORY_CACHE.refresh_lock(self.key):
            MEMORY_CACHE.store(self.key, token)
        if self.shared_cache:
            try:
                self.shared_cache.store(self.key, token)
            except OSError as exc:
                log.warning("Could not store the new access token in the shared cache (%s)", type(exc).__name__)

    def invalidate(self, value: str) -> None:
        """Forget a token Zoho rejected, everywhere it is cached, unless another caller already replaced it.

        Done under the memory refresh lock: a caller of this process that is refreshing may be about
        to store the value it read from the shared cache before the rejection; the lock orders that
        store before this discard. The value is also remembered as dead, so that a copy read back
        from any cache is never handed out again.
        """
        with MEMORY_CACHE.refresh_lock(self.key):
            MEMORY_CACHE.mark_dead(self.key, value)
            MEMORY_CACHE.discard(self.key, value)
            if self.shared_cache:
                self.shared_cache.discard(self.key, value)

    def _fits(self, token: AccessToken | None, reject: str | None) -> bool:
        return (
            token is not None
            and token.usable(self.clock())
            and token.value != reject
            and not MEMORY_CACHE.is_dead(self.key, token.value)
        )

    # ------------------------------------------------------------------ minting, and Zoho's refusal

    def _refresh_or_wait(self, reject: str | None) -> AccessToken:
        """Refresh, unless Zoho refused to mint lately (then fail at once, without asking).

        Right after a refusal of our own, a cache spanning hosts may still receive the token a
        peer minted just before it (two hosts refreshing at once): that one is waited for. While
        a remembered refusal holds no peer can mint either, so nothing is waited for then.
        """
        denial = self._active_denial()
        if denial is not None:
            raise throttle_error(denial, self.clock())
        try:
            return self._refresh()
        except ZohoCRMTokenThrottleError:
            denial = self._remember_denial()
        if getattr(self.shared_cache, "spans_hosts", False):
            token = self._wait_for_peer_token(reject)
            if token is not None:
                return token
        raise throttle_error(denial, self.clock())

    def _active_denial(self) -> MintDenial | None:
        """The latest refusal any cache of ours remembers, while asking again cannot succeed yet."""
        found = [MEMORY_CACHE.load_denial(self.key)]
        load_shared = getattr(self.shared_cache, "load_denial", None)
        if load_shared is not None:
            found.append(load_shared(self.key))
        now = self.clock()
        active = [denial for denial in found if denial is not None and denial.retry_at > now]
        return max(active, key=lambda denial: denial.retry_at) if active else None

    def _remember_denial(self) -> MintDenial:
        """Keep the refusal where every caller sharing our caches sees it before asking Zoho.

        Zoho allows 10 new tokens per refresh token in a rolling 10 minutes. We do not know when
        the earliest of the 10 was minted (another host or app may share the refresh token), so
        the only time a new request is sure to succeed is a whole window after the refusal.
        """
        now = self.clock()
        denial = MintDenial(denied_at=now, retry_at=now + MINT_WINDOW_SECONDS)
        MEMORY_CACHE.store_denial(self.key, denial)
        store_shared = getattr(self.shared_cache, "store_denial", None)
        if store_shared is not None:
            try:
                store_shared(self.key, denial)
            except OSError as exc:  # the host cache went away: this process still remembers
                log.warning(
                    "Could not record Zoho's token-minting refusal in the shared cache (%s)", type(exc).__name__
                )
        log.warning(
            "Zoho refused to mint an access token for connection %r; no new token is asked for in the next %.0f s",
            self.settings.conn_id,
            MINT_WINDOW_SECONDS,
        )
        return denial

    def _wait_for_peer_token(self, reject: str | None) -> AccessToken | None:
        cache = self.shared_cache
        assert cache is not None

        def peer_token() -> AccessToken | None:
            token = cache.load(self.key)
            return token if self._fits(token, reject) else None

        return self.policy.wait_for(
            peer_token,
            timeout=self.throttle_wait_seconds,
            describe="Zoho throttled token minting; waiting for another worker's token",
            clock=self.clock,
        )

    # ------------------------------------------------------------------ the token endpoint

    def _refresh(self) -> AccessToken:
        import requests

        settings = self.settings
        log.info("Refreshing the Zoho CRM access token for connection %r", settings.conn_id)
        failure = None
        try:
            response = self.session.post(
                settings.token_url,
                data={
                    "grant_type": "refresh_token",
                    "client_id": settings.client_id,
                    "client_secret": settings.client_secret,
                    "refresh_token": settings.refresh_token,
                },
                timeout=settings.timeout,
                # The refresh token must never follow a redirect to another host.
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            # Only the class is kept: the exception's request holds the form body with the secrets.
            failure = (type(exc).__name__, isinstance(exc, requests.Timeout))
        if failure is not None:  # raised outside the handler: nothing chains to the original
            cause, timed_out = failure
            raise ZohoCRMTransportError(
                f"Could not reach the Zoho accounts server {settings.accounts_url}: "
                + (f"no complete answer within {settings.timeout:g} s" if timed_out else cause),
                details={"host": host_of(settings.accounts_url), "cause": cause},
                hint="Check network access to the accounts server and the connection's data center",
            )
        return self._parse(response)

    def _parse(self, response: requests.Response) -> AccessToken:
        settings = self.settings
        status = response.status_code
        if status >= 500:
            raise ZohoCRMServerError(
                "The Zoho accounts server failed while refreshing the access token",
                status_code=status,
                hint="Zoho's accounts server is having trouble; the call is retried",
            )
        if 300 <= status < 400:
            raise ZohoCRMRedirectError(
                f"The accounts server answered HTTP {status}, a redirect to "
                f"{describe_location(response.headers.get('Location'))}; the refresh token never follows one",
                status_code=status,
                hint=f"Check the connection's data center and accounts_url (now {settings.accounts_url})",
            )
        body, problem = parse_json(response)
        if not isinstance(body, dict):
            raise ZohoCRMAuthError(
                f"The accounts server answered HTTP {status} without a token ({problem or 'not a JSON object'})",
                status_code=status,
                hint=f"Check that accounts_url ({settings.accounts_url}) is Zoho's accounts server",
            )
        access_token = body.get("access_token")
        if isinstance(access_token, str) and access_token:
            register_secret(access_token)
            return self._token_from(body, access_token)
        error = str(body.get("error") or "unknown_error")
        if error == TOKEN_THROTTLE_CODE:
            raise ZohoCRMTokenThrottleError(
                "Zoho refused to mint another access token: at most 10 per refresh token per 10 minutes",
                code=TOKEN_THROTTLE_CODE,
                status_code=status,
                hint="Share one connection's token across tasks (the token cache) and retry after the 10-minute window",
            )
        raise ZohoCRMAuthError(
            _token_error_message(error, settings),
            status_code=status,
            code=error,
            details={"conn_id": settings.conn_id},
            hint=auth_hint(error),
        )

    def _token_from(self, body: dict[str, Any], access_token: str) -> AccessToken:
        now = self.clock()
        lifetime = _lifetime(body)
        margin = min(REFRESH_MARGIN_SECONDS, lifetime * 0.1)
        api_domain = body.get("api_domain")
        return AccessToken(
            value=access_token,
            expires_at=now + lifetime,
            refresh_at=now + lifetime - margin,
            api_domain=api_domain if isinstance(api_domain, str) else None,
        )


def throttle_error(denial: MintDenial, now: float) -> ZohoCRMTokenThrottleError:
    """The error for a call that needs a new token while Zoho's refusal to mint still holds."""
    wait = max(0.0, denial.retry_at - now)
    when = time.strftime("%H:%M:%S UTC", time.gmtime(denial.retry_at))
    return ZohoCRMTokenThrottleError(
        "Zoho refused to mint another access token (at most 10 per refresh token per 10 minutes); "
        f"no new token is asked for before {when} (in {wait:.0f} s), when the refusal has surely cleared",
        code=TOKEN_THROTTLE_CODE,
        retry_after=wait,
        details={"retry_at": denial.retry_at},
        hint="Retry the task after that time; share one connection's token across tasks (the token cache) "
        "so that bursts of tasks do not mint a token each",
    )


def _lifetime(body: dict[str, Any]) -> float:
    # Zoho sends ``expires_in`` in seconds, or in milliseconds when ``expires_in_sec`` is present.
    for key in ("expires_in_sec", "expires_in"):
        value = body.get(key)
        if value is None:
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if key == "expires_in" and "expires_in_sec" in body:
            seconds /= 1000.0
        if seconds > 0:
            return seconds
    return FALLBACK_LIFETIME_SECONDS


def _token_error_message(error: str, settings: ZohoCRMConnectionSettings) -> str:
    """What the accounts server's refusal means for this connection (no secret in it)."""
    # Zoho answers invalid_client for a wrong client secret as well as for an unknown client id.
    server = f"the accounts server {settings.accounts_url} (data center {settings.data_center!r})"
    return {
        "invalid_code": "Zoho rejected the refresh token (invalid_code): it is invalid, expired or revoked",
        "invalid_client": f"Zoho rejected the client (invalid_client): the client secret is likely wrong, "
        f"or the client id is unknown to {server}",
        "invalid_client_secret": "Zoho rejected the client secret (invalid_client_secret): "
        "it does not belong to the client id",
    }.get(error, f"Zoho's accounts server refused the refresh ({error})")

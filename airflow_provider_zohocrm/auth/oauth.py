"""Access tokens for one credential: cached, shared, refreshed early and by one caller at a time."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE, AccessToken, TokenCache
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMAuthError,
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


def credential_key(settings: ZohoCRMConnectionSettings) -> str:
    """A stable, non-reversible key for one credential (accounts server, client, refresh token)."""
    material = "\0".join((settings.token_url, settings.client_id, settings.refresh_token))
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
    cache after each, so concurrent callers in a process or on a host cause one refresh.
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

    def get(self) -> AccessToken:
        """A usable access token, refreshing only if no cache holds one."""
        token = MEMORY_CACHE.load(self.key)
        if token is not None and token.usable(self.clock()):
            return token
        with MEMORY_CACHE.refresh_lock(self.key):
            token = MEMORY_CACHE.load(self.key)
            if token is not None and token.usable(self.clock()):
                return token
            shared_lock = self.shared_cache.refresh_lock(self.key) if self.shared_cache else contextlib.nullcontext()
            with shared_lock:
                token = self.shared_cache.load(self.key) if self.shared_cache else None
                if token is None or not token.usable(self.clock()):
                    token = self._refresh_or_wait()
                    if self.shared_cache:
                        self.shared_cache.store(self.key, token)
                register_secret(token.value)
                MEMORY_CACHE.store(self.key, token)
                return token

    def _refresh_or_wait(self) -> AccessToken:
        """Refresh; if Zoho throttles minting and the cache spans hosts, wait for a peer's token."""
        try:
            return self._refresh()
        except ZohoCRMTokenThrottleError:
            if not getattr(self.shared_cache, "spans_hosts", False):
                raise
            token = self._wait_for_peer_token()
            if token is None:
                raise
            return token

    def _wait_for_peer_token(self) -> AccessToken | None:
        cache = self.shared_cache
        assert cache is not None

        def peer_token() -> AccessToken | None:
            token = cache.load(self.key)
            return token if token is not None and token.usable(self.clock()) else None

        return self.policy.wait_for(
            peer_token,
            timeout=self.throttle_wait_seconds,
            describe="Zoho throttled token minting; waiting for another worker's token",
            clock=self.clock,
        )

    def invalidate(self, value: str) -> None:
        """Drop a token Zoho rejected, unless another caller already replaced it."""
        MEMORY_CACHE.discard(self.key, value)
        if self.shared_cache:
            self.shared_cache.discard(self.key, value)

    def _refresh(self) -> AccessToken:
        import requests

        settings = self.settings
        log.info("Refreshing the Zoho CRM access token for connection %r", settings.conn_id)
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
            raise ZohoCRMTransportError(
                f"Could not reach the Zoho accounts server {settings.accounts_url}: {type(exc).__name__}",
                hint="Check network access to the accounts server and the connection's data center",
            ) from None
        return self._parse(response)

    def _parse(self, response: requests.Response) -> AccessToken:
        settings = self.settings
        if response.status_code >= 500:
            raise ZohoCRMServerError(
                "The Zoho accounts server failed while refreshing the access token",
                status_code=response.status_code,
                hint="Zoho's accounts server is having trouble; the call is retried",
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ZohoCRMAuthError(
                f"The accounts server answered HTTP {response.status_code} without a token",
                status_code=response.status_code,
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
                status_code=response.status_code,
                hint="Share one connection's token across tasks (the token cache) and retry after the 10-minute window",
            )
        raise ZohoCRMAuthError(
            _token_error_message(error),
            status_code=response.status_code,
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


def _token_error_message(error: str) -> str:
    return {
        "invalid_code": "Zoho rejected the refresh token (invalid_code): it is invalid, expired or revoked",
        "invalid_client": "Zoho rejected the client id (invalid_client)",
        "invalid_client_secret": "Zoho rejected the client secret (invalid_client_secret)",
    }.get(error, f"Zoho's accounts server refused the refresh ({error})")

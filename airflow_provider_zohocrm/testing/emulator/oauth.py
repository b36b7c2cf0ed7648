"""Zoho Accounts' refresh-token grant and the access tokens it issues.

Errors of the token endpoint come back, like Zoho's, as HTTP 200 with an ``error`` key. Limits
follow Zoho's token-validity page: at most 10 access tokens per refresh token in a rolling
10 minutes, at most 15 live access tokens per refresh token (the 16th kills the oldest).
Not thread-safe on its own: the emulator calls it under its state lock.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError

THROTTLE_WINDOW_SECONDS = 600
THROTTLE_MAX_GRANTS = 10
MAX_LIVE_TOKENS = 15
AUTH_PREFIX = "Zoho-oauthtoken "
_DEAD_TOKEN_MESSAGES = {"AUTHENTICATION_FAILURE": "Authentication failed"}

ACCESS_DENIED = {
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "error": "Access Denied",
    "status": "failure",
}


@dataclasses.dataclass(frozen=True)
class AccessToken:
    value: str
    refresh_token: str
    scopes: frozenset[str]  # lower-cased: Zoho compares scope names case-insensitively
    expires_at: float


@dataclasses.dataclass
class _RefreshGrant:
    recent_grants: deque[float] = dataclasses.field(default_factory=deque)
    live: OrderedDict[str, AccessToken] = dataclasses.field(default_factory=OrderedDict)


class TokenAuthority:
    """One OAuth client with its refresh tokens; issues, checks and kills access tokens."""

    def __init__(
        self, client_id: str, client_secret: str, refresh_tokens: Iterable[str], clock: Callable[[], float]
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self._clock = clock
        self._grants = {token: _RefreshGrant() for token in refresh_tokens}
        self._tokens: dict[str, AccessToken] = {}
        self._issued: list[str] = []
        self.granted = 0
        self.denied = 0

    def grant(
        self,
        params: Mapping[str, str],
        *,
        lifetime: int,
        scopes: Iterable[str],
        api_domain: str,
        mint_limit: int = THROTTLE_MAX_GRANTS,
    ) -> dict[str, Any]:
        """The token endpoint's response body for ``params`` (query string and form merged).

        ``mint_limit``: grants per refresh token in the rolling window before "Access Denied".
        """
        if params.get("grant_type") != "refresh_token":
            return {"error": "unsupported_grant_type"}
        if params.get("client_id") != self.client_id or params.get("client_secret") != self.client_secret:
            return {"error": "invalid_client"}
        grant = self._grants.get(params.get("refresh_token", ""))
        if grant is None:
            return {"error": "invalid_code"}
        now = self._clock()
        while grant.recent_grants and grant.recent_grants[0] <= now - THROTTLE_WINDOW_SECONDS:
            grant.recent_grants.popleft()
        if len(grant.recent_grants) >= mint_limit:
            self.denied += 1
            return dict(ACCESS_DENIED)
        grant.recent_grants.append(now)
        self._drop_expired(grant, now)
        while len(grant.live) >= MAX_LIVE_TOKENS:
            oldest, _ = grant.live.popitem(last=False)
            self._tokens.pop(oldest, None)
        scope_list = list(scopes)
        token = AccessToken(
            value=f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}",
            refresh_token=params["refresh_token"],
            scopes=frozenset(s.lower() for s in scope_list),
            expires_at=now + lifetime,
        )
        grant.live[token.value] = token
        self._tokens[token.value] = token
        self._issued.append(token.value)
        self.granted += 1
        return {
            "access_token": token.value,
            "scope": " ".join(scope_list),
            "api_domain": api_domain,
            "token_type": "Bearer",
            "expires_in": lifetime,
        }

    def authenticate(self, header: str | None, dead_code: str = "INVALID_TOKEN") -> AccessToken:
        """The live token named by an ``Authorization`` header, or the 401 Zoho answers.

        No token at all is AUTHENTICATION_FAILURE; an expired, killed or unknown one is
        ``dead_code`` (see ``config.DEAD_TOKEN_CODES``).
        """
        if not header or not header.startswith(AUTH_PREFIX) or not header[len(AUTH_PREFIX) :].strip():
            raise ZohoError(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        token = self._tokens.get(header[len(AUTH_PREFIX) :].strip())
        if token is None or token.expires_at <= self._clock():
            raise dead_token_error(dead_code)
        return token

    def invalidate_header(self, header: str | None) -> None:
        """Kill the token a request carried (fault injection); unknown tokens are ignored."""
        if header and header.startswith(AUTH_PREFIX):
            self._kill(header[len(AUTH_PREFIX) :].strip())

    def expire_all(self) -> int:
        """Kill every live access token; refresh tokens stay valid. Returns how many were live."""
        count = len(self._tokens)
        for grant in self._grants.values():
            grant.live.clear()
        self._tokens.clear()
        return count

    def revoke(self, refresh_token: str | None = None) -> list[str]:
        """Revoke one refresh token (default: all) with its access tokens; refreshing then fails."""
        names = [refresh_token] if refresh_token is not None else list(self._grants)
        revoked = []
        for name in names:
            grant = self._grants.pop(name, None)
            if grant is not None:
                for value in grant.live:
                    self._tokens.pop(value, None)
                revoked.append(name)
        return revoked

    def issued(self) -> tuple[str, ...]:
        """Every access token issued since construction, live or not: the canaries a leak test greps for.

        In-process only; like the journal, the control API never serves token values.
        """
        return tuple(self._issued)

    def summary(self) -> dict[str, Any]:
        """Counts only: token values never leave the emulator through the control API."""
        now = self._clock()
        return {
            "refresh_tokens": len(self._grants),
            "live_access_tokens": sum(1 for t in self._tokens.values() if t.expires_at > now),
            "granted": self.granted,
            "denied": self.denied,
        }

    def _kill(self, value: str) -> None:
        token = self._tokens.pop(value, None)
        if token is not None:
            self._grants[token.refresh_token].live.pop(value, None)

    def _drop_expired(self, grant: _RefreshGrant, now: float) -> None:
        for value in [v for v, t in grant.live.items() if t.expires_at <= now]:
            self._kill(value)


def dead_token_error(code: str) -> ZohoError:
    """The 401 for a request whose access token is expired, killed or unknown."""
    return ZohoError(401, code, _DEAD_TOKEN_MESSAGES.get(code, "invalid oauth token"))

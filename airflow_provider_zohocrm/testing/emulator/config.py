"""Runtime configuration of the emulator: what the control API and ``set_config`` may change."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any

EDITIONS = ("free", "standard", "professional", "enterprise", "ultimate")
# Families of endpoints whose permission can be revoked (403 NO_PERMISSION) through the control API.
FAMILIES = ("workflow_rules", "connected_workflows", "cadences", "modules")
DEFAULT_SCOPES = ("ZohoCRM.settings.ALL", "ZohoCRM.modules.ALL")
# The 401 codes Zoho is seen to answer for an expired or killed access token: INVALID_OAUTHTOKEN on
# its token-validity page, INVALID_TOKEN in the API pages and definitions, AUTHENTICATION_FAILURE
# reported by other clients for a token killed early. ``dead_token_code`` picks the one to answer.
DEAD_TOKEN_CODES = ("INVALID_TOKEN", "INVALID_OAUTHTOKEN", "AUTHENTICATION_FAILURE")


def parse_scopes(scopes: str | Iterable[str] | None) -> tuple[str, ...]:
    """Accept ``"A,B"``, ``"A B"`` or a list; ``None`` means the defaults (everything)."""
    if scopes is None:
        return DEFAULT_SCOPES
    items = re.split(r"[\s,]+", scopes) if isinstance(scopes, str) else list(scopes)
    if not all(isinstance(item, str) for item in items):
        raise ValueError("scopes must be strings")
    parsed = tuple(item.strip() for item in items if item.strip())
    if not parsed:
        raise ValueError("scopes must not be empty")
    return parsed


@dataclasses.dataclass(frozen=True)
class EmulatorConfig:
    latency_ms: float = 0
    concurrency_limit: int = 10
    edition: str = "enterprise"
    credit_allowance: int | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    token_lifetime: int = 3600
    # Access tokens granted per refresh token in a rolling 10 minutes before "Access Denied" (Zoho: 10).
    token_mint_limit: int = 10
    # Response time of the token endpoint; None: latency_ms, as for every other call.
    token_latency_ms: float | None = None
    revoked_permissions: frozenset[str] = frozenset()
    dead_token_code: str = "INVALID_TOKEN"

    def __post_init__(self) -> None:
        if not isinstance(self.latency_ms, (int, float)) or self.latency_ms < 0:
            raise ValueError("latency_ms must be a number >= 0")
        if not _is_int(self.concurrency_limit) or self.concurrency_limit < 1:
            raise ValueError("concurrency_limit must be an integer >= 1")
        if self.edition not in EDITIONS:
            raise ValueError(f"edition must be one of {', '.join(EDITIONS)}")
        if self.credit_allowance is not None and (not _is_int(self.credit_allowance) or self.credit_allowance < 0):
            raise ValueError("credit_allowance must be null or an integer >= 0")
        if not _is_int(self.token_lifetime) or self.token_lifetime < 1:
            raise ValueError("token_lifetime must be an integer >= 1 (seconds)")
        if not _is_int(self.token_mint_limit) or self.token_mint_limit < 0:
            raise ValueError("token_mint_limit must be an integer >= 0 (tokens per refresh token per 10 minutes)")
        if self.token_latency_ms is not None and (
            isinstance(self.token_latency_ms, bool)
            or not isinstance(self.token_latency_ms, (int, float))
            or self.token_latency_ms < 0
        ):
            raise ValueError("token_latency_ms must be null (latency_ms) or a number >= 0")
        if self.dead_token_code not in DEAD_TOKEN_CODES:
            raise ValueError(f"dead_token_code must be one of {', '.join(DEAD_TOKEN_CODES)}")
        unknown = set(self.revoked_permissions) - set(FAMILIES)
        if unknown:
            raise ValueError(f"revoked_permissions: unknown families {sorted(unknown)}; use {FAMILIES}")

    def updated(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """A validated copy with ``changes`` applied; unknown keys are an error, not ignored."""
        fields = {f.name for f in dataclasses.fields(self)}
        unknown = set(changes) - fields
        if unknown:
            raise ValueError(f"unknown config keys {sorted(unknown)}; known: {sorted(fields)}")
        values = dict(changes)
        if "scopes" in values:
            values["scopes"] = parse_scopes(values["scopes"])
        if "revoked_permissions" in values:
            values["revoked_permissions"] = frozenset(values["revoked_permissions"] or ())
        return dataclasses.replace(self, **values)

    def edition_at_least(self, edition: str) -> bool:
        return EDITIONS.index(self.edition) >= EDITIONS.index(edition)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["scopes"] = list(self.scopes)
        data["revoked_permissions"] = sorted(self.revoked_permissions)
        return data


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)

"""The emulator's request and reply, independent of the HTTP server that carries them."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from typing import Any

JSON_TYPE = "application/json;charset=UTF-8"


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes = b""
    received: float = dataclasses.field(default_factory=time.monotonic)  # when its request line arrived

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup (HTTP header names are case-insensitive)."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


@dataclasses.dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    drop: bool = False  # close the connection without answering (reset and hang faults)


def json_reply(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
    """A JSON reply; ``None`` payload means no body (204)."""
    if payload is None:
        return Reply(status, b"", dict(headers or {}))
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Reply(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})

"""The error the emulator raises from any handler; the server turns it into Zoho's envelope."""

from __future__ import annotations

from typing import Any


class ZohoError(Exception):
    """A Zoho API error: HTTP status plus the ``code``/``message``/``details`` envelope."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}

    def envelope(self) -> dict[str, Any]:
        """The item form, as it appears alone or inside a resource array."""
        return {"code": self.code, "details": self.details, "message": self.message, "status": "error"}

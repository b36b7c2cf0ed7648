"""Reading what a server answered, whatever it answered: JSON of any depth, redirects, hosts.

Shared by the API transport and the token manager, so both treat a hostile or broken answer the
same way: as a typed error, never as an exception from the JSON parser or a followed redirect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import requests


def parse_json(response: requests.Response) -> tuple[Any, str | None]:
    """The parsed body and None, or None and why it could not be parsed.

    Nesting deeper than the interpreter's recursion limit makes the JSON parser raise
    ``RecursionError`` (not a ``ValueError``); that is an unusable answer like any other.
    """
    try:
        return response.json(), None
    except RecursionError:
        return None, "JSON nested too deeply to read"
    except ValueError:
        return None, "not JSON"


def host_of(url: str | None) -> str:
    """The host (and port) of ``url``, the one fact about a failed request that is always safe to show."""
    try:
        return urlsplit(url or "").netloc or "?"
    except ValueError:
        return "?"


def describe_location(location: str | None) -> str:
    """A redirect target for a message: scheme, host and path; never user info, query or fragment."""
    if not location:
        return "nowhere (no Location header)"
    try:
        parts = urlsplit(location)
    except ValueError:
        return "an unreadable location"
    try:
        host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    except ValueError:  # a port that is not a number
        host = parts.hostname or ""
    shown = f"{parts.scheme}://{host}{parts.path}" if host else parts.path
    return shown[:200] or "an unreadable location"

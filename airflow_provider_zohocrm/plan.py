"""Plans: the exact requests a write would send, shown in the task log and returned to XCom.

A dry run returns its plan instead of sending it, so a reviewer (or an approval task) sees
precisely what will change before it changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypedDict


class PlannedRequest(TypedDict):
    """One request a write would send."""

    method: str
    path: str
    params: dict[str, Any] | None
    json: Any
    summary: str


def planned(
    method: str, path: str, summary: str, *, params: dict[str, Any] | None = None, body: Any = None
) -> PlannedRequest:
    return {"method": method, "path": path, "params": params, "json": body, "summary": summary}


def render_plan(requests: list[PlannedRequest], title: str = "Plan") -> str:
    """A fixed-width table: one row per request, its summary and its body on one line."""
    if not requests:
        return f"{title}: nothing to change"
    rows = [
        (
            str(i),
            r["method"],
            r["path"] + (("?" + "&".join(f"{k}={v}" for k, v in r["params"].items())) if r["params"] else ""),
            r["summary"],
            _short(json.dumps(r["json"], sort_keys=True)) if r["json"] is not None else "",
        )
        for i, r in enumerate(requests, start=1)
    ]
    return render_table(f"{title}: {len(requests)} request(s)", ("#", "method", "path", "change", "body"), rows)


def render_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``title``, then ``header`` and ``rows`` as left-aligned fixed-width columns."""
    widths = [max(len(row[c]) for row in [header, *rows]) for c in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [title, line.format(*header), line.format(*("-" * w for w in widths))]
    out.extend(line.format(*row) for row in rows)
    return "\n".join(text.rstrip() for text in out)


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."

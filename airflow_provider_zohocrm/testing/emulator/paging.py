"""``page``/``per_page`` handling shared by the list endpoints (Zoho's ``info`` block, 204 when empty)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError

MAX_PER_PAGE = 200


def paginate(key: str, items: Sequence[Any], params: Mapping[str, str]) -> tuple[int, dict[str, Any] | None]:
    page = _bounded_int(params, "page", 1, None)
    per_page = _bounded_int(params, "per_page", MAX_PER_PAGE, MAX_PER_PAGE)
    chunk = list(items[(page - 1) * per_page : page * per_page])
    if not chunk:
        return 204, None
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": page * per_page < len(items),
    }
    return 200, {key: chunk, "info": info}


def _bounded_int(params: Mapping[str, str], name: str, default: int, maximum: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        raise ZohoError(400, "INVALID_DATA", "The value provided to the param is Invalid", {"param_name": name})
    return int(raw)

"""What every API family of the client shares: reading all pages of a list, and sending a planned write.

A write is first built as a :class:`~airflow_provider_zohocrm.plan.PlannedRequest` by its API
module's builder; :meth:`APIFamily.send` sends exactly that, so a dry-run plan is what goes out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.exceptions import error_from_response

if TYPE_CHECKING:
    from airflow_provider_zohocrm.plan import PlannedRequest
    from airflow_provider_zohocrm.transport import ZohoTransport

PER_PAGE = 200
# Zoho reports a failed item of a resource array with a 4xx code but may wrap it in a 2xx answer.
ITEM_ERROR_STATUS = 400


def is_idempotent(request: PlannedRequest) -> bool:
    """Whether a write may be retried blindly: creates never; rule updates only without conditions.

    Name, description, trigger, lock, status and positions are overwrites; a repeated condition
    or action write could add it twice or fail on an id the first attempt deleted.
    """
    if request["method"] == "POST":
        return False
    body = request["json"]
    rules = body.get("workflow_rules") if isinstance(body, dict) else None
    return not (isinstance(rules, list) and any(isinstance(r, dict) and "conditions" in r for r in rules))


def result_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of a write's answer (the first list in it); an error item raises its typed error."""
    for key, value in body.items():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and item.get("status") == "error":
                    raise error_from_response(ITEM_ERROR_STATUS, {key: [item]})
            return [item for item in value if isinstance(item, dict)]
    return []


class APIFamily:
    """One family of Zoho CRM calls over a client's transport."""

    def __init__(self, transport: ZohoTransport) -> None:
        self.transport = transport

    def all_pages(self, path: str, key: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a paged list, page after page while Zoho says ``more_records``."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.transport.request("GET", path, params={**(params or {}), "page": page, "per_page": PER_PAGE})
            items = body.get(key) or []
            found.extend(item for item in items if isinstance(item, dict))
            if not items or not (body.get("info") or {}).get("more_records"):
                return found
            page += 1

    def send(self, request: PlannedRequest) -> list[dict[str, Any]]:
        """Send a planned write (retried only if idempotent); Zoho's result items."""
        return send_planned(self.transport, request)


def send_planned(transport: ZohoTransport, request: PlannedRequest) -> list[dict[str, Any]]:
    """Send exactly the planned request (retried only if idempotent); Zoho's result items."""
    body = transport.request(
        request["method"],
        request["path"],
        params=request["params"],
        json=request["json"],
        retry=is_idempotent(request),
    )
    return result_items(body)

"""What every API family of the client shares: reading Zoho's answers, all pages of a list, a planned write.

A write is first built as a :class:`~airflow_provider_zohocrm.plan.PlannedRequest` by its API
module's builder; :meth:`APIFamily.send` sends exactly that, so a dry-run plan is what goes out.

Every 2xx answer is read through :func:`list_items`, :func:`first_item` or :func:`result_items`: a
body of another shape than Zoho's (a resource key that is not a list, an item that is not an
object, an ``info`` that is not an object) raises ``ZohoCRMServerError`` naming the key and what
was expected, instead of a ``TypeError`` deep in a caller or garbage handed on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMError,
    ZohoCRMNotFoundError,
    ZohoCRMServerError,
    error_from_response,
)
from airflow_provider_zohocrm.validation import check_planned_request, preview

if TYPE_CHECKING:
    from airflow_provider_zohocrm.plan import PlannedRequest
    from airflow_provider_zohocrm.transport import ZohoTransport

log = logging.getLogger(__name__)

PER_PAGE = 200
# The most pages one list reads: 200 pages of 200 = 40,000 items. Zoho's own limits keep real
# lists far below that (at most 2,500 workflow rules per org, one connected workflow per primary
# module, cadences in the hundreds), so a server still saying ``more_records`` after 200 pages is
# broken or looping. Stopping there also caps what such a server costs: 200 API credits.
MAX_PAGES = 200
# Zoho reports a failed item of a resource array with a 4xx code but may wrap it in a 2xx answer.
ITEM_ERROR_STATUS = 400
# Answers to a repeated state change that mean "it is already so" (Zoho's definitions show them for
# the activate / deactivate actions of cadences; Deactivate Connected Workflow is silent). A retried
# activate or deactivate whose first attempt took effect gets one: it is a success.
ALREADY_IN_STATE = {"activate": frozenset({"ALREADY_ACTIVATED"}), "deactivate": frozenset({"ALREADY_DEACTIVATED"})}
_ALREADY_CODES = frozenset().union(*ALREADY_IN_STATE.values())
_SHAPE_HINT = (
    "The server at the connection's api_url answered in a shape Zoho CRM does not use; check that "
    "api_url and api_version point at Zoho CRM's API (v8). If they do, report the answer to Zoho support"
)


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


def unexpected_answer(what: str, path: str, expected: str, got: Any) -> ZohoCRMServerError:
    """The typed error for a 2xx body of the wrong shape: where in it (``json_path``, in the answer),
    what was expected, what came."""
    return ZohoCRMServerError(
        f"Zoho CRM's answer for {what} has {path} as {_kind(got)}; expected {expected}",
        code="UNEXPECTED_ANSWER",
        details={"json_path": path, "expected": expected},
        hint=_SHAPE_HINT,
    )


def list_items(body: Any, key: str, what: str) -> list[dict[str, Any]]:
    """The objects under ``body[key]``; ``[]`` when the key is absent or null (an empty 204 reads ``{}``)."""
    if not isinstance(body, dict):
        raise unexpected_answer(what, "the body", "a JSON object", body)
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise unexpected_answer(what, f"$.{key}", "a list of objects", value)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise unexpected_answer(what, f"$.{key}[{index}]", "an object", item)
    return value


def first_item(body: Any, key: str, what: str, *, hint: str | None = None) -> dict[str, Any]:
    """The one object a single-object GET answers with (``{key: [object]}``).

    None at all (an empty 204, an empty list) raises ``ZohoCRMNotFoundError`` naming ``what``;
    a body of another shape raises ``ZohoCRMServerError`` (see :func:`list_items`).
    """
    items = list_items(body, key, what)
    if not items:
        raise ZohoCRMNotFoundError(
            f"Zoho CRM returned no {what}", hint=hint or "Check the id (it must exist in this org)"
        )
    return items[0]


def result_items(body: Any, key: str | None = None, what: str = "the write") -> list[dict[str, Any]]:
    """The items of a write's answer; an error item raises its typed error.

    The items are under ``key`` when the answer has it, else under its first list (Zoho's success
    bodies are not all documented). A lone envelope (``{"code", "status", ...}``) is one item; an
    empty answer (204) has none. Anything else of the wrong shape raises ``ZohoCRMServerError``.
    """
    if not isinstance(body, dict):
        raise unexpected_answer(what, "the body", "a JSON object", body)
    found = key if key is not None and key in body else next((k for k, v in body.items() if isinstance(v, list)), None)
    lone = [body] if "status" in body and "code" in body else []
    items = list_items(body, found, what) if found is not None else lone
    for item in items:
        if item.get("status") == "error":
            raise error_from_response(ITEM_ERROR_STATUS, {found or "result": [item]})
    return items


def already_in_state(request: PlannedRequest, exc: ZohoCRMError) -> dict[str, Any] | None:
    """A success item for an "already in that state" answer to an ``.../actions/(de)activate`` write, else None."""
    action = request["path"].rsplit("/actions/", 1)[-1] if "/actions/" in request["path"] else ""
    if exc.code not in ALREADY_IN_STATE.get(action, ()):
        return None
    log.info("%s %s: Zoho answered %s (%s): already in that state", request["method"], request["path"], exc.code, exc)
    return {"code": exc.code, "details": dict(exc.details), "message": exc.message, "status": "success"}


def is_already_in_state(item: Any) -> bool:
    """True for the item :func:`already_in_state` makes: the write found its object in the wanted state."""
    return isinstance(item, dict) and item.get("code") in _ALREADY_CODES and item.get("status") == "success"


class APIFamily:
    """One family of Zoho CRM calls over a client's transport."""

    def __init__(self, transport: ZohoTransport) -> None:
        self.transport = transport

    def all_pages(self, path: str, key: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a paged list, page after page while Zoho says ``more_records`` (at most ``MAX_PAGES``)."""
        found: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            what = f"page {page} of GET {path}"
            body = self.transport.request("GET", path, params={**(params or {}), "page": page, "per_page": PER_PAGE})
            items = list_items(body, key, what)
            found.extend(items)
            if not items or not _more_records(body, page, what):
                return found
        raise ZohoCRMServerError(
            f"Zoho CRM still reported more_records after {MAX_PAGES} pages of GET {path} "
            f"({len(found)} {key} read); no Zoho CRM list is that long",
            code="TOO_MANY_PAGES",
            details={"json_path": "$.info.more_records", "pages": MAX_PAGES, "items": len(found)},
            hint=_SHAPE_HINT,
        )

    def send(self, request: PlannedRequest, key: str | None = None) -> list[dict[str, Any]]:
        """Send a planned write (retried only if idempotent); Zoho's result items (under ``key``)."""
        return send_planned(self.transport, request, key)


def send_planned(transport: ZohoTransport, request: PlannedRequest, key: str | None = None) -> list[dict[str, Any]]:
    """Send exactly the planned request (retried only if idempotent); Zoho's result items.

    An activate / deactivate answered "already in that state" (:data:`ALREADY_IN_STATE`) returns
    one success item with Zoho's code (:func:`is_already_in_state`) instead of raising. A request
    not built by a planner (missing keys, a bad path, NaN in the body) is refused before sending.
    """
    check_planned_request(request)
    try:
        body = transport.request(
            request["method"],
            request["path"],
            params=request["params"],
            json=request["json"],
            retry=is_idempotent(request),
        )
        return result_items(body, key, f"{request['method']} {request['path']}")
    except ZohoCRMError as exc:
        done = already_in_state(request, exc)
        if done is None:
            raise
        return [done]


def _more_records(body: dict[str, Any], page: int, what: str) -> bool:
    info = body.get("info")
    if info is None:
        return False
    if not isinstance(info, dict):
        raise unexpected_answer(what, "$.info", "an object", info)
    answered = info.get("page")
    if isinstance(answered, int) and not isinstance(answered, bool) and answered != page:
        raise unexpected_answer(what, "$.info.page", f"page {page} (the page asked for)", answered)
    more = info.get("more_records")
    if more is None:
        return False
    if not isinstance(more, bool):
        raise unexpected_answer(what, "$.info.more_records", "true or false", more)
    return more


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return f"an object with keys {sorted(map(str, value))[:5]}"
    return type(value).__name__


def listed_id(item: Any, key: str, what: str) -> str:
    """The id of an item Zoho listed under ``key``; one without a usable id is a broken answer, never skipped."""
    item_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        item_id = str(item_id)
    if not isinstance(item_id, str) or not item_id.isdigit():
        raise ZohoCRMServerError(
            f"Zoho CRM listed {what} without a usable id (id {preview(item_id)})",
            details={"json_path": f"$.{key}[*].id"},
            hint="Retry later; if it persists, report the answer to Zoho support",
        )
    return item_id

"""The API surface: which path, version and method reach which store, under which scope.

Paths are matched after ``/crm/{version}/``. v7 serves cadences and modules only. A known path
with another method is 400 INVALID_REQUEST_METHOD; anything else is 404 INVALID_URL_PATTERN.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from airflow_provider_zohocrm.testing.emulator.errors import ZohoError
from airflow_provider_zohocrm.testing.emulator.org import org_body, users_body
from airflow_provider_zohocrm.testing.emulator.scopes import module_scopes, settings_scopes
from airflow_provider_zohocrm.testing.emulator.state import EmulatorState

V8 = frozenset({"v8"})
V7_V8 = frozenset({"v7", "v8"})


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, str]
    body: Any
    args: tuple[str, ...]  # the path's variable segments


Result = tuple[int, dict[str, Any] | None]
Handler = Callable[[EmulatorState, Call], Result]


@dataclasses.dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    handlers: Mapping[str, Handler]
    versions: frozenset[str] = V8
    family: str | None = None  # for scopes, editions and permission revocation; None = any token
    permission: str = ""  # the profile permission NO_PERMISSION names
    min_edition: str | None = None
    module_scoped: bool = False  # scope names the URL's module (cadence enrol/unenrol)

    def accepted_scopes(self, method: str, args: tuple[str, ...]) -> frozenset[str] | None:
        if self.module_scoped:
            return module_scopes(args[0])
        return settings_scopes(self.family, method) if self.family else None


def resolve(version: str, path: str, method: str) -> tuple[Route, Handler, tuple[str, ...]]:
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match is None or version not in route.versions:
            continue
        handler = route.handlers.get(method)
        if handler is None:
            raise ZohoError(400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one")
        return route, handler, match.groups()
    raise ZohoError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one")


def _modules(state: EmulatorState, call: Call) -> Result:
    return 200, {"modules": state.modules}


def _module(state: EmulatorState, call: Call) -> Result:
    wanted = call.args[0].lower()
    for module in state.modules:
        if wanted in (module["api_name"].lower(), module["id"]):
            return 200, {"modules": [module]}
    raise ZohoError(400, "INVALID_MODULE", "the module name given seems to be invalid", {"resource_path_index": 2})


def _route(path: str, handlers: Mapping[str, Handler], **options: Any) -> Route:
    return Route(re.compile(path), handlers, **options)


_WORKFLOW = {"family": "workflow_rules", "permission": "Crm_Implied_Manage_Workflow"}
_CONNECTED = {
    "family": "connected_workflows",
    "permission": "Crm_Implied_Manage_Connected_Workflow",
    "min_edition": "standard",
}
_CADENCES = {"family": "cadences", "versions": V7_V8, "min_edition": "enterprise"}
_MODULES = {"family": "modules", "versions": V7_V8, "permission": "Crm_Implied_View_Setup"}

ROUTES = (
    _route("settings/modules", {"GET": _modules}, **_MODULES),
    _route("settings/modules/([^/]+)", {"GET": _module}, **_MODULES),
    _route("users", {"GET": lambda s, c: (200, users_body())}),
    _route("org", {"GET": lambda s, c: (200, org_body())}),
    _route(
        "settings/automation/workflow_rules",
        {
            "GET": lambda s, c: s.workflow_rules.list_rules(c.params),
            "POST": lambda s, c: s.workflow_rules.create_rule(c.body),
            "PUT": lambda s, c: s.workflow_rules.update_rules(None, c.body),
            "DELETE": lambda s, c: s.workflow_rules.delete_rules(c.params),
        },
        **_WORKFLOW,
    ),
    _route(
        "settings/automation/workflow_rules/actions/reorder",
        {"PUT": lambda s, c: s.workflow_rules.reorder(c.params, c.body)},
        **_WORKFLOW,
    ),
    _route(
        "settings/automation/workflow_rules/([^/]+)",
        {
            "GET": lambda s, c: s.workflow_rules.get_rule(c.args[0]),
            "PUT": lambda s, c: s.workflow_rules.update_rules(c.args[0], c.body),
            "DELETE": lambda s, c: s.workflow_rules.delete_rule(c.args[0]),
        },
        **_WORKFLOW,
    ),
    _route(
        "settings/connected_workflows",
        {
            "GET": lambda s, c: s.connected_workflows.list_workflows(c.params),
            "POST": lambda s, c: s.connected_workflows.create(c.body),
        },
        **_CONNECTED,
    ),
    _route(
        "settings/connected_workflows/([^/]+)",
        {"GET": lambda s, c: s.connected_workflows.get(c.args[0])},
        **_CONNECTED,
    ),
    _route(
        "settings/connected_workflows/([^/]+)/actions/activate",
        {"PUT": lambda s, c: s.connected_workflows.activate(c.args[0])},
        **_CONNECTED,
    ),
    _route(
        "settings/connected_workflows/([^/]+)/actions/deactivate",
        {"PUT": lambda s, c: s.connected_workflows.deactivate(c.args[0])},
        **_CONNECTED,
    ),
    _route(
        "settings/automation/cadences",
        {"GET": lambda s, c: s.cadences.list_cadences(c.params)},
        permission="Crm_Implied_Manage_Cadences",
        **_CADENCES,
    ),
    _route(
        "settings/automation/cadences/([^/]+)",
        {"GET": lambda s, c: s.cadences.get_cadence(c.args[0])},
        permission="Crm_Implied_Manage_Cadences",
        **_CADENCES,
    ),
    _route(
        "([^/]+)/actions/enrol_in_cadences",
        {"POST": lambda s, c: s.cadences.enrol(c.args[0], c.body)},
        permission="Crm_Implied_Manage_Enroll_Series",
        module_scoped=True,
        **_CADENCES,
    ),
    _route(
        "([^/]+)/actions/unenrol_from_cadences",
        {"POST": lambda s, c: s.cadences.unenrol(c.args[0], c.body)},
        permission="Crm_Implied_Manage_UnEnroll_Series",
        module_scoped=True,
        **_CADENCES,
    ),
)

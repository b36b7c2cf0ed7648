"""Which OAuth scopes open which endpoint, as listed on Zoho's API pages.

Settings endpoints take ``ZohoCRM.settings.ALL``, ``ZohoCRM.settings.<family>.ALL`` or the
operation scope matching the HTTP method (``READ``/``CREATE``/``UPDATE``/``DELETE``). Cadence
enrol/unenrol take ``ZohoCRM.modules.ALL|CREATE`` or ``ZohoCRM.modules.<module>.ALL|CREATE``.
All names are compared lower-cased.
"""

from __future__ import annotations

_OPERATIONS = {"GET": "read", "POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def settings_scopes(family: str, method: str) -> frozenset[str]:
    return frozenset(
        {
            "zohocrm.settings.all",
            f"zohocrm.settings.{family}.all",
            f"zohocrm.settings.{family}.{_OPERATIONS[method]}",
        }
    )


def module_scopes(module: str) -> frozenset[str]:
    module = module.lower()
    return frozenset(
        {
            "zohocrm.modules.all",
            "zohocrm.modules.create",
            f"zohocrm.modules.{module}.all",
            f"zohocrm.modules.{module}.create",
        }
    )


def covers(granted: frozenset[str], accepted: frozenset[str]) -> bool:
    return not granted.isdisjoint(accepted)

"""Seed CRM modules: the standard ones the automation APIs support plus one custom module."""

from __future__ import annotations

from typing import Any

# (api_name, id, singular, plural, generated_type)
_SEED = [
    ("Leads", "4876876000000002175", "Lead", "Leads", "default"),
    ("Contacts", "4876876000000002179", "Contact", "Contacts", "default"),
    ("Accounts", "4876876000000002177", "Account", "Accounts", "default"),
    ("Deals", "4876876000000002181", "Deal", "Deals", "default"),
    ("Vendors", "4876876000000002193", "Vendor", "Vendors", "default"),
    ("Projects", "4876876000009901001", "Project", "Projects", "custom"),
]


def seed_modules() -> list[dict[str, Any]]:
    """Fresh module records in the shape of ``GET /settings/modules``."""
    return [
        {
            "id": module_id,
            "api_name": api_name,
            "module_name": api_name,
            "singular_label": singular,
            "plural_label": plural,
            "api_supported": True,
            "generated_type": generated_type,
            "status": "visible",
            "visible": True,
            "creatable": True,
            "editable": True,
            "deletable": True,
            "viewable": True,
            "triggers_supported": True,
            "parent_module": {},
        }
        for api_name, module_id, singular, plural, generated_type in _SEED
    ]

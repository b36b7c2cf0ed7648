"""The connection form, described once for both UIs.

Airflow >= 3.2 renders ``CONN_FIELDS`` from provider metadata without importing the hook; the
2.11–3.1 UIs ask the hook for wtforms widgets. Both come from the same table here so their keys
cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm import data_centers
from airflow_provider_zohocrm.connection import API_VERSIONS, AUTH_CACHES

# key -> (label, description, JSON schema)
CONN_FIELDS: dict[str, dict[str, Any]] = {
    "refresh_token": {
        "label": "Refresh Token",
        "description": "OAuth refresh token from Zoho's API console (self-client).",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "data_center": {
        "label": "Data Center",
        "description": "Where the Zoho org lives.",
        "schema": {"type": ["string", "null"], "enum": list(data_centers.DATA_CENTERS), "default": "us"},
    },
    "environment": {
        "label": "Environment",
        "description": "Production org, or its sandbox or developer org.",
        "schema": {"type": ["string", "null"], "enum": list(data_centers.ENVIRONMENTS), "default": "production"},
    },
    "api_version": {
        "label": "API Version",
        "description": "Zoho CRM REST API version.",
        "schema": {"type": ["string", "null"], "enum": list(API_VERSIONS), "default": "v8"},
    },
    "accounts_url": {
        "label": "Accounts URL",
        "description": "Override of the accounts server (e.g. an emulator). Leave empty normally.",
        "schema": {"type": ["string", "null"]},
    },
    "api_url": {
        "label": "API URL",
        "description": "Override of the API domain (e.g. an emulator or proxy). Leave empty normally.",
        "schema": {"type": ["string", "null"]},
    },
    "timeout": {
        "label": "Timeout (seconds)",
        "description": "Per-request timeout.",
        "schema": {"type": ["number", "null"], "minimum": 1, "default": 30},
    },
    "max_attempts": {
        "label": "Max Attempts",
        "description": "Attempts per call on 429/5xx/connection errors, the first included.",
        "schema": {"type": ["integer", "null"], "minimum": 1, "default": 6},
    },
    "max_retry_seconds": {
        "label": "Retry Budget (seconds)",
        "description": "Longest time one call may spend retrying.",
        "schema": {"type": ["number", "null"], "minimum": 1, "default": 300},
    },
    "max_concurrency": {
        "label": "Max Concurrent Calls",
        "description": "Calls in flight at once per credential in one process (Zoho limits concurrency per user).",
        "schema": {"type": ["integer", "null"], "minimum": 1, "default": 8},
    },
    "auth_cache": {
        "label": "Token Cache",
        "description": "file: one access token per host; variable: one per deployment (Airflow "
        "Variables, for workers on several hosts); memory: per process.",
        "schema": {"type": ["string", "null"], "enum": list(AUTH_CACHES), "default": "file"},
    },
}

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden_fields": ["host", "schema", "port", "extra"],
    "relabeling": {"login": "Client ID", "password": "Client Secret"},
    "placeholders": {
        "login": "1000.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "data_center": "us",
        "environment": "production",
        "api_version": "v8",
    },
}


def ui_field_behaviour() -> dict[str, Any]:
    return {key: (dict(value) if isinstance(value, dict) else list(value)) for key, value in UI_FIELD_BEHAVIOUR.items()}


def provider_ui_field_behaviour() -> dict[str, Any]:
    """The same behaviour in provider-metadata spelling (dashes instead of underscores)."""
    return {key.replace("_", "-"): value for key, value in ui_field_behaviour().items()}


def connection_form_widgets() -> dict[str, Any]:
    """wtforms fields for the Airflow 2.11–3.1 UIs; ``{}`` where wtforms is not installed (3.x).

    Data center and environment render as a select only where the UI reads ``CONN_FIELDS`` (3.2+).
    """
    try:
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import IntegerField, PasswordField, StringField
        from wtforms.validators import NumberRange, Optional
    except ImportError:
        return {}

    widgets: dict[str, Any] = {}
    for key, field in CONN_FIELDS.items():
        label = lazy_gettext(field["label"])
        schema = field["schema"]
        if "enum" in schema:
            # Airflow 2.x forms accept only text, password, integer and boolean fields: the allowed
            # values go in the description and the hook validates the choice.
            widgets[key] = StringField(
                label,
                default=schema.get("default"),
                widget=BS3TextFieldWidget(),
                description=f"{field['description']} One of: {', '.join(schema['enum'])}.",
            )
        elif schema.get("format") == "password":
            widgets[key] = PasswordField(label, widget=BS3PasswordFieldWidget(), description=field["description"])
        elif "number" in schema["type"] or "integer" in schema["type"]:
            widgets[key] = IntegerField(
                label,
                validators=[Optional(), NumberRange(min=1)],
                widget=BS3TextFieldWidget(),
                description=field["description"],
            )
        else:
            widgets[key] = StringField(label, widget=BS3TextFieldWidget(), description=field["description"])
    return widgets

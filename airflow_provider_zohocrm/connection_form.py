"""The connection form for both UIs, rendered from the extras table ``connection.EXTRAS``.

Airflow >= 3.2 renders ``CONN_FIELDS`` from provider metadata without importing the hook; the
2.11–3.1 UIs ask the hook for wtforms widgets. Both are built from the table the parser reads,
so the form cannot offer a key, choice or default the connection does not understand.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_zohocrm.connection import EXTRAS, ExtraField

# ExtraField.kind -> JSON schema type of its form field; nullable unless the extra is required.
_SCHEMA_TYPES: dict[str, str] = {
    "secret": "string",
    "choice": "string",
    "url": "string",
    "positive_float": "number",
    "positive_int": "integer",
}


def _json_number(value: Any) -> Any:
    """30.0 -> 30, so the metadata reads as it is written in the form."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def form_label(field: ExtraField) -> str:
    """The label both UIs show; a required extra says so (the 2.11–3.1 form cannot mark it otherwise)."""
    return f"{field.label} (required)" if field.required else field.label


def conn_field(field: ExtraField) -> dict[str, Any]:
    """The provider-metadata form field (label, description, JSON schema) of one extra.

    Airflow >= 3.2's UI marks a field required, and will not save the form without it, when its
    schema ``type`` does not admit ``"null"``: a required extra is a plain ``"string"``.
    """
    kind = _SCHEMA_TYPES[field.kind]
    schema: dict[str, Any] = {"type": kind if field.required else [kind, "null"]}
    if field.kind == "secret":
        schema["format"] = "password"
    if field.choices:
        schema["enum"] = list(field.choices)
    if field.kind in ("positive_float", "positive_int"):
        schema["minimum"] = 1
    if field.default is not None:
        schema["default"] = _json_number(field.default)
    return {"label": form_label(field), "description": field.description, "schema": schema}


def conn_fields() -> dict[str, dict[str, Any]]:
    """``conn-fields`` of the provider metadata, built afresh so callers may change their copy."""
    return {field.key: conn_field(field) for field in EXTRAS}


# key -> {label, description, JSON schema}
CONN_FIELDS: dict[str, dict[str, Any]] = conn_fields()

UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden_fields": ["host", "schema", "port", "extra"],
    "relabeling": {"login": "Client ID", "password": "Client Secret"},
    "placeholders": {
        "login": "1000.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        # An empty choice means its default: say which.
        **{field.key: field.default for field in EXTRAS if field.kind == "choice"},
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
    No field gets a required validator: Airflow 2 puts every connection type's extras in one form,
    so it would refuse to save a connection of any other type; the label says "(required)" instead
    and the hook reports a missing value naming it.
    """
    try:
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import IntegerField, PasswordField, StringField
        from wtforms.validators import NumberRange, Optional
    except ImportError:
        return {}

    widgets: dict[str, Any] = {}
    for field in EXTRAS:
        label = lazy_gettext(form_label(field))
        if field.kind == "choice":
            # Airflow 2.x forms accept only text, password, integer and boolean fields: the allowed
            # values go in the description and the hook validates the choice.
            widgets[field.key] = StringField(
                label,
                default=field.default,
                widget=BS3TextFieldWidget(),
                description=f"{field.description} One of: {', '.join(field.choices)}.",
            )
        elif field.kind == "secret":
            widgets[field.key] = PasswordField(label, widget=BS3PasswordFieldWidget(), description=field.description)
        elif field.kind in ("positive_float", "positive_int"):
            widgets[field.key] = IntegerField(
                label,
                validators=[Optional(), NumberRange(min=1)],
                widget=BS3TextFieldWidget(),
                description=field.description,
            )
        else:
            widgets[field.key] = StringField(label, widget=BS3TextFieldWidget(), description=field.description)
    return widgets

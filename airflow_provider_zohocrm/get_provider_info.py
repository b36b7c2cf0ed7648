"""Provider metadata for Airflow's provider manager (entry point ``apache_airflow_provider``).

A pure function over constants: the provider manager calls it on every Airflow process start.
The connection form comes from the extras table in :mod:`~airflow_provider_zohocrm.connection`,
rebuilt on each call so that a caller changing its copy changes nothing else.
"""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    from airflow_provider_zohocrm import __version__
    from airflow_provider_zohocrm.connection_form import conn_fields, provider_ui_field_behaviour

    return {
        "package-name": "airflow-provider-zohocrm",
        "name": "Zoho CRM",
        "description": "Zoho CRM automation from Airflow: workflow rules, connected workflows and cadences.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Zoho CRM",
                "external-doc-url": "https://www.zoho.com/crm/developer/docs/api/v8/",
                "tags": ["service"],
            }
        ],
        "hooks": [{"integration-name": "Zoho CRM", "python-modules": ["airflow_provider_zohocrm.hooks.zoho_crm"]}],
        "operators": [
            {
                "integration-name": "Zoho CRM",
                "python-modules": [
                    "airflow_provider_zohocrm.operators.workflow_rules",
                    "airflow_provider_zohocrm.operators.connected_workflows",
                    "airflow_provider_zohocrm.operators.cadences",
                    "airflow_provider_zohocrm.operators.automation",
                    "airflow_provider_zohocrm.operators.as_code",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": "Zoho CRM",
                "python-modules": [
                    "airflow_provider_zohocrm.sensors.workflow_rules",
                    "airflow_provider_zohocrm.sensors.connected_workflows",
                    "airflow_provider_zohocrm.sensors.as_code",
                ],
            }
        ],
        "triggers": [
            {
                "integration-name": "Zoho CRM",
                "python-modules": [
                    "airflow_provider_zohocrm.triggers.workflow_rules",
                    "airflow_provider_zohocrm.triggers.connected_workflows",
                ],
            }
        ],
        "connection-types": [
            {
                "connection-type": "zoho_crm",
                "hook-class-name": "airflow_provider_zohocrm.hooks.zoho_crm.ZohoCRMHook",
                "hook-name": "Zoho CRM",
                "conn-fields": conn_fields(),
                "ui-field-behaviour": provider_ui_field_behaviour(),
            }
        ],
    }

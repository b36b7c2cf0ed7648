"""Filling an emulated module with more workflow rules than the seed holds (reorders past Zoho's 10 per request)."""

from __future__ import annotations

from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook


def add_rules(hook: ZohoCRMHook, module: str, count: int) -> list[str]:
    """Create ``count`` rules on ``module`` through the API (each appended to its order); their ids."""
    ids = []
    for n in range(count):
        body = {
            "name": f"Extra rule {n}",
            "module": {"api_name": module},
            "execute_when": {"type": "create"},
            "conditions": [
                {
                    "sequence_number": 1,
                    "criteria_details": {
                        "criteria": {
                            "comparator": "equal",
                            "field": {"api_name": "Lead_Source"},
                            "type": "value",
                            "value": f"Source {n}",
                        }
                    },
                    "instant_actions": {"actions": [{"id": "4876876000000329001", "type": "email_notifications"}]},
                }
            ],
        }
        answer = hook.request(
            "POST", "settings/automation/workflow_rules", json={"workflow_rules": [body]}, retry=False
        )
        ids.append(answer["workflow_rules"][0]["details"]["id"])
    return ids

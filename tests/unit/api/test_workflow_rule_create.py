"""Create Workflow Rule: the request built and checked before sending, and the client's create over mocked HTTP."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from airflow_provider_zohocrm.api.workflow_rules import create_request
from airflow_provider_zohocrm.exceptions import ZohoCRMServerError, ZohoCRMValidationError
from unit.helpers import WORKFLOW_URL, api_requests

NEW_ID = "4876876000016000001"


def rule(**changes: Any) -> dict[str, Any]:
    """The shape of the definitions' create sample: one condition, an associate and an inline action, a delay."""
    body: dict[str, Any] = {
        "name": "Tag partner leads",
        "description": None,
        "module": {"api_name": "Leads"},
        "execute_when": {"type": "create", "details": {"trigger_module": {"api_name": "Leads"}}},
        "conditions": [
            {
                "sequence_number": 1,
                "criteria_details": {
                    "criteria": {"comparator": "equal", "field": {"api_name": "Lead_Source"}, "value": "Partner"}
                },
                "instant_actions": {
                    "actions": [
                        {"id": "4876876000000329001", "type": "email_notifications"},
                        {"type": "add_tags", "name": "Partner", "details": {"tags": [{"name": "Partner"}]}},
                    ]
                },
                "scheduled_actions": [
                    {
                        "execute_after": {"period": "business_days", "unit": 2},
                        "actions": [{"id": "4876876000000329701", "type": "tasks"}],
                    }
                ],
            }
        ],
    }
    body.update(changes)
    return body


def test_the_request_posts_exactly_one_rule() -> None:
    request = create_request(rule())
    assert request["method"] == "POST"
    assert request["path"] == "settings/automation/workflow_rules"
    assert request["json"] == {"workflow_rules": [rule()]}
    assert request["summary"] == "create workflow rule 'Tag partner leads' in Leads"


def test_both_shapes_the_pages_and_the_definitions_use_are_accepted() -> None:
    body = rule(module="Leads")
    condition = body["conditions"][0]
    condition["criteria"] = condition.pop("criteria_details")["criteria"]  # the update page's sample shape
    condition["scheduled_actions"][0]["execute_after"]["period"] = "b_days"  # the update page's delay name
    request = create_request(body)
    assert request["json"]["workflow_rules"][0]["module"] == {"api_name": "Leads"}


@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda r: r.pop("execute_when"), "rule.execute_when"),
        (lambda r: r.update(conditions=[]), "rule.conditions"),
        (lambda r: r.pop("module"), "rule.module"),
        (lambda r: r.update(id="4876876000010880001"), "rule.id"),
        (lambda r: r.update(status={"active": False}), "rule.status.active"),
        (lambda r: r.update(name="A & B"), "rule.name"),
        (lambda r: r["conditions"][0].update(id="4876876000010880003"), "rule.conditions[0].id"),
        (
            lambda r: r["conditions"][0]["scheduled_actions"][0].update(id="4876876000010880009"),
            "rule.conditions[0].scheduled_actions[0].id",
        ),
        (
            lambda r: r["conditions"][0]["instant_actions"]["actions"][1].update(id="4876876000010880007"),
            "rule.conditions[0].instant_actions.actions[1].id",
        ),
        (
            lambda r: r["conditions"][0]["instant_actions"]["actions"][0].update(_delete=None),
            "rule.conditions[0].instant_actions.actions[0]._delete",
        ),
        (lambda r: r["conditions"][0].pop("sequence_number"), "rule.conditions[0].sequence_number"),
        (lambda r: r.update(owner="me"), "rule.owner"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_json_path(edit: Any, path: str) -> None:
    body = copy.deepcopy(rule())
    edit(body)
    with pytest.raises(ZohoCRMValidationError) as caught:
        create_request(body)
    assert caught.value.json_path == path


def test_a_rule_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ZohoCRMValidationError, match="must be a JSON object"):
        create_request([rule()])


def test_create_sends_the_request_once_and_returns_the_new_id(
    hook: Any, requests_mock: Any, recorded_sleeps: Any
) -> None:
    answer = {
        "workflow_rules": [
            {"code": "SUCCESS", "details": {"id": NEW_ID}, "message": "workflow created", "status": "success"}
        ]
    }
    requests_mock.post(WORKFLOW_URL, status_code=201, json=answer)
    assert hook.client.workflow_rules.create(rule()) == NEW_ID
    sent = api_requests(requests_mock)
    assert len(sent) == 1
    assert sent[0].json() == {"workflow_rules": [rule()]}


def test_a_create_failing_without_an_answer_is_not_retried(hook: Any, requests_mock: Any, recorded_sleeps: Any) -> None:
    requests_mock.post(
        WORKFLOW_URL, status_code=500, json={"code": "INTERNAL_ERROR", "message": "x", "status": "error"}
    )
    with pytest.raises(ZohoCRMServerError):
        hook.client.workflow_rules.create(rule())
    assert len(api_requests(requests_mock)) == 1
    assert recorded_sleeps == []


def test_a_create_answer_without_the_new_id_is_a_server_error(hook: Any, requests_mock: Any) -> None:
    requests_mock.post(WORKFLOW_URL, status_code=201, json={"workflow_rules": [{"status": "success", "details": {}}]})
    with pytest.raises(ZohoCRMServerError, match="did not confirm the create"):
        hook.client.workflow_rules.create(rule())


def test_a_bad_rule_costs_no_request(hook: Any, requests_mock: Any) -> None:
    with pytest.raises(ZohoCRMValidationError):
        hook.client.workflow_rules.create(rule(conditions=None))
    assert api_requests(requests_mock) == []

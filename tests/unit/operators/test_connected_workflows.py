"""Connected workflow operators: read first, write only what must change, never create twice."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from airflow.providers.common.compat.sdk import AirflowException

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMNotFoundError,
    ZohoCRMPermissionError,
    ZohoCRMServerError,
    ZohoCRMTransportError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.operators import (
    ActivateConnectedWorkflowOperator,
    CreateConnectedWorkflowOperator,
    DeactivateConnectedWorkflowOperator,
)
from unit.helpers import API_ROOT

LIST_URL = f"{API_ROOT}/settings/connected_workflows"
NEW_ID = "4876876000019340001"
LEADS_ID = "4876876000019209007"
CONTACTS = {"api_name": "Contacts", "id": "4876876000000002179"}


def workflow(wf_id: str, name: str, module: dict[str, str], status: str = "draft") -> dict[str, Any]:
    return {"id": wf_id, "name": name, "status": status, "primary_module": module, "description": None}


def listing(*workflows: dict[str, Any]) -> dict[str, Any]:
    if not workflows:
        return {"status_code": 204}
    info = {"per_page": 200, "count": len(workflows), "page": 1, "more_records": False}
    return {"json": {"connected_workflows": list(workflows), "info": info}}


def created(wf_id: str = NEW_ID) -> dict[str, Any]:
    item = {"code": "SUCCESS", "details": {"id": wf_id}, "message": "connected workflow created successfully"}
    return {"status_code": 201, "json": {"connected_workflows": [{**item, "status": "success"}]}}


def zoho_error(status: int, code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"status_code": status, "json": {"code": code, "details": details, "message": message, "status": "error"}}


LEADS_WORKFLOW = workflow(LEADS_ID, "Lead Qualification Process", {"api_name": "Leads", "id": "1"}, "active")


def posts(zoho: Any) -> list[Any]:
    return [r for r in zoho.request_history if r.method == "POST" and "/crm/" in r.path]


def puts(zoho: Any) -> list[Any]:
    return [r for r in zoho.request_history if r.method == "PUT"]


def create_op(**kwargs: Any) -> CreateConnectedWorkflowOperator:
    args = {"task_id": "create", "name": "contacts-process", "primary_module": "Contacts", **kwargs}
    return CreateConnectedWorkflowOperator(**args)


# ------------------------------------------------------------------------------ create


def test_creates_when_absent_and_returns_a_small_result(zoho):
    zoho.get(LIST_URL, **listing(LEADS_WORKFLOW))
    zoho.post(LIST_URL, **created())
    result = create_op(description="sample").execute(context={})
    assert result == {"id": NEW_ID, "name": "contacts-process", "status": "draft", "changed": True}
    [post] = posts(zoho)
    assert post.json() == {
        "connected_workflows": [
            {"name": "contacts-process", "description": "sample", "primary_module": {"api_name": "Contacts"}}
        ]
    }


def test_an_empty_org_204_is_an_empty_list(zoho):
    zoho.get(LIST_URL, status_code=204)
    zoho.post(LIST_URL, **created())
    assert create_op().execute(context={})["changed"] is True


@pytest.mark.parametrize("primary_module", ["Contacts", {"id": CONTACTS["id"]}, CONTACTS])
def test_existing_workflow_of_same_name_and_module_is_reused_without_a_write(zoho, primary_module):
    zoho.get(LIST_URL, **listing(LEADS_WORKFLOW, workflow(NEW_ID, "Contacts-Process", CONTACTS)))
    result = create_op(primary_module=primary_module).execute(context={})
    assert result == {"id": NEW_ID, "name": "Contacts-Process", "status": "draft", "changed": False}
    assert posts(zoho) == []


def test_existing_workflow_with_if_exists_fail_raises(zoho):
    zoho.get(LIST_URL, **listing(workflow(NEW_ID, "contacts-process", CONTACTS)))
    with pytest.raises(ZohoCRMValidationError, match="already exists") as info:
        create_op(if_exists="fail").execute(context={})
    assert info.value.code == "DUPLICATE_DATA"
    assert posts(zoho) == []


def test_name_taken_on_another_module_is_refused_before_the_post(zoho):
    zoho.get(LIST_URL, **listing(workflow(NEW_ID, "contacts-process", {"api_name": "Deals", "id": "9"})))
    with pytest.raises(ZohoCRMValidationError, match="already exists on module Deals") as info:
        create_op().execute(context={})
    assert info.value.code == "DUPLICATE_DATA"
    assert posts(zoho) == []


def test_a_module_that_has_a_workflow_is_refused_before_the_post(zoho):
    zoho.get(LIST_URL, **listing(workflow("77", "other", CONTACTS)))
    with pytest.raises(ZohoCRMValidationError, match="one per primary module") as info:
        create_op().execute(context={})
    assert info.value.code == "LIMIT_EXCEEDED"
    assert posts(zoho) == []


def test_a_lost_answer_is_resolved_by_adopting_what_the_post_created(zoho):
    zoho.get(LIST_URL, [listing(), listing(workflow(NEW_ID, "contacts-process", CONTACTS))])
    zoho.post(LIST_URL, exc=requests.ConnectionError("connection reset by peer"))
    result = create_op().execute(context={})
    assert result == {"id": NEW_ID, "name": "contacts-process", "status": "draft", "changed": True}
    assert len(posts(zoho)) == 1


def test_a_5xx_whose_post_did_not_run_is_posted_again(zoho, recorded_sleeps):
    zoho.get(LIST_URL, status_code=204)
    zoho.post(LIST_URL, [zoho_error(502, "", "Bad Gateway"), created()])
    result = create_op().execute(context={})
    assert result["id"] == NEW_ID
    assert len(posts(zoho)) == 2
    assert len(recorded_sleeps) == 1


def test_no_answer_on_every_attempt_raises_after_max_attempts_posts(zoho, recorded_sleeps):
    zoho.get(LIST_URL, status_code=204)
    zoho.post(LIST_URL, exc=requests.ConnectTimeout("no answer"))
    with pytest.raises(ZohoCRMTransportError):
        create_op().execute(context={})
    assert len(posts(zoho)) == 6  # the connection's default max_attempts, as for every other call


def test_the_posts_follow_the_connections_max_attempts(zoho, make_zoho_conn, recorded_sleeps):
    make_zoho_conn(max_attempts=2)
    zoho.get(LIST_URL, status_code=204)
    zoho.post(LIST_URL, exc=requests.ConnectTimeout("no answer"))
    with pytest.raises(ZohoCRMTransportError):
        create_op().execute(context={})
    assert len(posts(zoho)) == 2


def test_duplicate_data_from_zoho_adopts_the_workflow_a_concurrent_run_made(zoho):
    zoho.get(LIST_URL, [listing(), listing(workflow(NEW_ID, "contacts-process", CONTACTS))])
    zoho.post(LIST_URL, **zoho_error(400, "DUPLICATE_DATA", "Duplicate connected workflow name"))
    result = create_op().execute(context={})
    assert result == {"id": NEW_ID, "name": "contacts-process", "status": "draft", "changed": False}


def test_duplicate_data_with_if_exists_fail_raises(zoho):
    zoho.get(LIST_URL, [listing(), listing(workflow(NEW_ID, "contacts-process", CONTACTS))])
    zoho.post(LIST_URL, **zoho_error(400, "DUPLICATE_DATA", "Duplicate connected workflow name"))
    with pytest.raises(ZohoCRMValidationError, match="already exists"):
        create_op(if_exists="fail").execute(context={})


def test_zoho_validation_errors_of_the_create_surface_typed(zoho):
    zoho.get(LIST_URL, status_code=204)
    zoho.post(LIST_URL, **zoho_error(400, "INVALID_DATA", "The module is invalid", api_name="api_name"))
    with pytest.raises(ZohoCRMValidationError, match="The module is invalid") as info:
        create_op(primary_module="Nope").execute(context={})
    assert info.value.status_code == 400
    assert len(posts(zoho)) == 1


def test_feature_not_supported_is_a_permission_error(zoho):
    zoho.get(LIST_URL, **zoho_error(400, "FEATURE_NOT_SUPPORTED", "Your edition doesn't support this feature"))
    with pytest.raises(ZohoCRMPermissionError):
        create_op().execute(context={})


def test_dry_run_plans_the_post_and_sends_none(zoho):
    zoho.get(LIST_URL, **listing(LEADS_WORKFLOW))
    result = create_op(dry_run=True).execute(context={})
    assert result["dry_run"] is True
    assert result["would_change"] is True
    [step] = result["plan"]
    assert (step["method"], step["path"]) == ("POST", "settings/connected_workflows")
    assert step["json"]["connected_workflows"][0]["name"] == "contacts-process"
    assert posts(zoho) == []


def test_dry_run_of_an_existing_workflow_plans_nothing(zoho):
    zoho.get(LIST_URL, **listing(workflow(NEW_ID, "contacts-process", CONTACTS)))
    result = create_op(dry_run=True).execute(context={})
    assert result["plan"] == []
    assert result["id"] == NEW_ID
    assert result["would_change"] is False


def test_list_follows_every_page(zoho):
    page_1 = {"connected_workflows": [LEADS_WORKFLOW], "info": {"more_records": True, "page": 1}}
    page_2 = {"connected_workflows": [workflow(NEW_ID, "contacts-process", CONTACTS)], "info": {"more_records": False}}
    zoho.get(LIST_URL, [{"json": page_1}, {"json": page_2}])
    assert create_op().execute(context={})["changed"] is False
    assert [r.qs["page"] for r in zoho.request_history if r.method == "GET"] == [["1"], ["2"]]


def test_no_connection_or_request_in_init(requests_mock):
    op = create_op()  # no AIRFLOW_CONN_ZOHO_CRM_DEFAULT is set
    assert requests_mock.request_history == []
    assert {"name", "primary_module", "description", "if_exists", "zoho_crm_conn_id"} <= set(op.template_fields)


def test_arguments_are_keyword_only():
    # Airflow 3 raises TypeError; Airflow 2's BaseOperator metaclass raises AirflowException first.
    with pytest.raises((TypeError, AirflowException)):
        CreateConnectedWorkflowOperator("x", "Leads", task_id="t")  # type: ignore[misc]


# ---------------------------------------------------------------------- activate/deactivate


def one(wf_id: str, status: str) -> dict[str, Any]:
    found = workflow(wf_id, "Lead Qualification Process", {"api_name": "Leads"}, status)
    return {"json": {"connected_workflows": [found]}}


def action_ok(wf_id: str, verb: str) -> dict[str, Any]:
    item = {"code": "SUCCESS", "details": {"id": wf_id}, "message": f"connected workflow {verb} successfully"}
    return {"json": {"connected_workflows": [{**item, "status": "success"}]}}


STATUS_CASES = [
    (ActivateConnectedWorkflowOperator, "active", False, "active"),
    (ActivateConnectedWorkflowOperator, "inactive", True, "active"),
    (ActivateConnectedWorkflowOperator, "draft", True, "active"),
    (DeactivateConnectedWorkflowOperator, "active", True, "inactive"),
    (DeactivateConnectedWorkflowOperator, "inactive", False, "inactive"),
    (DeactivateConnectedWorkflowOperator, "draft", False, "draft"),
]


@pytest.mark.parametrize(("operator", "current", "writes", "final"), STATUS_CASES)
def test_status_operators_write_only_when_needed(zoho, operator, current, writes, final):
    zoho.get(f"{LIST_URL}/{LEADS_ID}", **one(LEADS_ID, current))
    zoho.put(f"{LIST_URL}/{LEADS_ID}/actions/{operator.action}", **action_ok(LEADS_ID, operator.action + "d"))
    result = operator(task_id="t", connected_workflow_id=LEADS_ID).execute(context={})
    assert result == {"id": LEADS_ID, "name": "Lead Qualification Process", "status": final, "changed": writes}
    assert len(puts(zoho)) == int(writes)


@pytest.mark.parametrize(("operator", "current", "writes", "final"), STATUS_CASES)
def test_status_operators_dry_run_reads_but_never_writes(zoho, operator, current, writes, final):
    zoho.get(f"{LIST_URL}/{LEADS_ID}", **one(LEADS_ID, current))
    result = operator(task_id="t", connected_workflow_id=int(LEADS_ID), dry_run=True).execute(context={})
    assert result["dry_run"] is True
    assert result["would_change"] is writes
    assert [step["method"] for step in result["plan"]] == ["PUT"] * int(writes)
    assert puts(zoho) == []


def test_unknown_workflow_id_is_not_found(zoho):
    zoho.get(
        f"{LIST_URL}/123",
        **zoho_error(400, "INVALID_DATA", "The given ID seems to be invalid", resource_path_index=2),
    )
    with pytest.raises(ZohoCRMNotFoundError):
        ActivateConnectedWorkflowOperator(task_id="t", connected_workflow_id="123").execute(context={})
    assert puts(zoho) == []


def test_server_error_on_the_status_put_is_retried(zoho, recorded_sleeps):
    zoho.get(f"{LIST_URL}/{LEADS_ID}", **one(LEADS_ID, "inactive"))
    zoho.put(
        f"{LIST_URL}/{LEADS_ID}/actions/activate",
        [zoho_error(503, "", "unavailable"), action_ok(LEADS_ID, "activated")],
    )
    result = ActivateConnectedWorkflowOperator(task_id="t", connected_workflow_id=LEADS_ID).execute(context={})
    assert result["changed"] is True
    assert len(puts(zoho)) == 2


ALREADY = {
    "activate": ("ALREADY_ACTIVATED", "The connected workflow is already activated", {"resource_path_index": 2}),
    "deactivate": ("ALREADY_DEACTIVATED", "The connected workflow is already deactivated", {}),
}


@pytest.mark.parametrize(
    ("operator", "current", "final"),
    [
        (ActivateConnectedWorkflowOperator, "inactive", "active"),
        (DeactivateConnectedWorkflowOperator, "active", "inactive"),
    ],
)
def test_a_retried_status_put_answered_already_in_that_state_succeeds(zoho, recorded_sleeps, operator, current, final):
    # The first PUT took effect but its answer was lost (503); Zoho answers the retry "already".
    code, message, details = ALREADY[operator.action]
    zoho.get(f"{LIST_URL}/{LEADS_ID}", **one(LEADS_ID, current))
    zoho.put(
        f"{LIST_URL}/{LEADS_ID}/actions/{operator.action}",
        [zoho_error(503, "", "unavailable"), zoho_error(400, code, message, **details)],
    )
    result = operator(task_id="t", connected_workflow_id=LEADS_ID).execute(context={})
    assert result == {"id": LEADS_ID, "name": "Lead Qualification Process", "status": final, "changed": True}
    assert len(puts(zoho)) == 2


def test_the_other_actions_already_code_still_fails(zoho):
    code, message, details = ALREADY["activate"]
    zoho.get(f"{LIST_URL}/{LEADS_ID}", **one(LEADS_ID, "active"))
    zoho.put(f"{LIST_URL}/{LEADS_ID}/actions/deactivate", **zoho_error(400, code, message, **details))
    with pytest.raises(ZohoCRMValidationError, match="ALREADY_ACTIVATED"):
        DeactivateConnectedWorkflowOperator(task_id="t", connected_workflow_id=LEADS_ID).execute(context={})


def test_a_5xx_left_after_retries_surfaces_as_server_error(zoho, recorded_sleeps):
    zoho.get(f"{LIST_URL}/{LEADS_ID}", **one(LEADS_ID, "active"))
    zoho.put(f"{LIST_URL}/{LEADS_ID}/actions/deactivate", **zoho_error(500, "INTERNAL_ERROR", "Internal Server Error"))
    with pytest.raises(ZohoCRMServerError):
        DeactivateConnectedWorkflowOperator(task_id="t", connected_workflow_id=LEADS_ID).execute(context={})


@pytest.mark.parametrize("bad_id", ["", "abc", "12/../3", None, -4, "1 2"])
def test_bad_ids_fail_before_any_request(zoho, bad_id):
    for operator in (ActivateConnectedWorkflowOperator, DeactivateConnectedWorkflowOperator):
        with pytest.raises(ZohoCRMValidationError, match="connected_workflow_id must be a Zoho id"):
            operator(task_id="t", connected_workflow_id=bad_id).execute(context={})
    assert zoho.request_history == []

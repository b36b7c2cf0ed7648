"""Connected workflow operators and hook methods against the bundled emulator (pages 000, 001).

The emulator's request journal proves what was (not) written: re-runs, dry runs and lost answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm.exceptions import (
    ZohoCRMNotFoundError,
    ZohoCRMPermissionError,
    ZohoCRMValidationError,
)
from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
from airflow_provider_zohocrm.operators import (
    ActivateConnectedWorkflowOperator,
    CreateConnectedWorkflowOperator,
    DeactivateConnectedWorkflowOperator,
)

# Retry backoffs are recorded, not slept.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("recorded_sleeps")]

BASE = "/crm/v8/settings/connected_workflows"
FIRST_NEW_ID = "4876876000019340001"
LEADS_ACTIVE = "4876876000019209007"
ACCOUNTS_INACTIVE = "4876876000019209021"
VENDORS_DRAFT = "4876876000019209035"
CONTACTS_MODULE_ID = "4876876000000002179"
DEALS_MODULE_ID = "4876876000000002181"


def writes(emulator: Any) -> list[dict[str, Any]]:
    return [e for e in emulator.journal if e["path"].startswith("/crm/") and e["method"] in ("POST", "PUT", "DELETE")]


def workflows_named(emulator: Any, name: str) -> list[dict[str, Any]]:
    return [w for w in emulator.snapshot()["connected_workflows"] if w["name"].casefold() == name.casefold()]


def create(**kwargs: Any) -> dict[str, Any]:
    args = {"task_id": "create", "name": "contacts-process", "primary_module": "Contacts", **kwargs}
    return CreateConnectedWorkflowOperator(**args).execute(context={})


# ------------------------------------------------------------------------------ create


def test_create_then_rerun_reuses_without_a_second_write(emulator):
    first = create(description="contacts connected workflow sample")
    assert first == {"id": FIRST_NEW_ID, "name": "contacts-process", "status": "draft", "changed": True}
    assert len(writes(emulator)) == 1

    again = create(description="contacts connected workflow sample")
    assert again == {**first, "changed": False}
    assert len(writes(emulator)) == 1
    assert len(workflows_named(emulator, "contacts-process")) == 1


def test_rerun_with_if_exists_fail_raises_duplicate(emulator):
    create()
    with pytest.raises(ZohoCRMValidationError, match="already exists") as info:
        create(if_exists="fail")
    assert info.value.code == "DUPLICATE_DATA"
    assert len(writes(emulator)) == 1


def test_create_by_module_id_or_both(emulator):
    result = create(primary_module={"api_name": "Contacts", "id": CONTACTS_MODULE_ID})
    assert result["changed"] is True
    [created] = workflows_named(emulator, "contacts-process")
    assert created["primary_module"] == {"api_name": "Contacts", "id": CONTACTS_MODULE_ID}
    assert create(primary_module={"id": CONTACTS_MODULE_ID})["changed"] is False


def test_dry_run_sends_no_write(emulator):
    result = create(dry_run=True)
    assert result["dry_run"] is True
    assert [step["method"] for step in result["plan"]] == ["POST"]
    assert writes(emulator) == []
    assert workflows_named(emulator, "contacts-process") == []


def test_a_post_processed_but_its_answer_lost_is_adopted_never_duplicated(emulator):
    emulator.add_fault(kind="drop_after", method="POST", path=BASE)  # processed, then the connection resets
    result = create()
    assert result == {"id": FIRST_NEW_ID, "name": "contacts-process", "status": "draft", "changed": True}
    assert [(e["fault"], e["status"]) for e in writes(emulator)] == [("drop_after", None)]
    assert len(workflows_named(emulator, "contacts-process")) == 1


@pytest.mark.parametrize("status", [502, 503])
def test_a_post_processed_then_answered_5xx_is_adopted(emulator, status):
    emulator.add_fault(kind="fail_after", status=status, method="POST", path=BASE, count=3)
    assert create()["id"] == FIRST_NEW_ID
    assert len(workflows_named(emulator, "contacts-process")) == 1
    assert [(e["fault"], e["status"]) for e in writes(emulator)] == [("fail_after", status)]


def test_a_post_reset_before_processing_is_sent_again_once(emulator):
    emulator.add_fault(kind="reset", method="POST", path=BASE, count=1)
    assert create()["id"] == FIRST_NEW_ID
    assert len(workflows_named(emulator, "contacts-process")) == 1
    assert len(writes(emulator)) == 2  # the reset one (never processed) and the one that created it


def test_feature_not_supported_edition_is_a_permission_error(emulator):
    emulator.set_config(edition="free")
    with pytest.raises(ZohoCRMPermissionError, match="FEATURE_NOT_SUPPORTED"):
        create()
    with pytest.raises(ZohoCRMPermissionError, match="FEATURE_NOT_SUPPORTED"):
        ZohoCRMHook().create_connected_workflow("contacts-process", "Contacts")
    assert [e["status"] for e in writes(emulator)] == [400]


def test_no_permission_is_a_permission_error(emulator):
    emulator.set_config(revoked_permissions=["connected_workflows"])
    with pytest.raises(ZohoCRMPermissionError, match="NO_PERMISSION"):
        create()


def test_zoho_duplicate_data_surfaces_from_a_direct_hook_call(emulator):
    with pytest.raises(ZohoCRMValidationError, match="Duplicate connected workflow name") as info:
        ZohoCRMHook().create_connected_workflow("Lead Qualification Process", "Contacts")
    assert (info.value.status_code, info.value.code) == (400, "DUPLICATE_DATA")


def test_operator_refuses_a_name_taken_on_another_module_before_posting(emulator):
    with pytest.raises(ZohoCRMValidationError, match="already exists on module Leads") as info:
        create(name="lead qualification process")
    assert info.value.code == "DUPLICATE_DATA"
    assert writes(emulator) == []


def test_zoho_limit_exceeded_one_per_module_surfaces_from_a_direct_hook_call(emulator):
    with pytest.raises(ZohoCRMValidationError, match="only one is allowed per primary module") as info:
        ZohoCRMHook().create_connected_workflow("another-leads-process", "Leads")
    assert (info.value.status_code, info.value.code) == (400, "LIMIT_EXCEEDED")


def test_operator_refuses_a_second_workflow_on_a_module_before_posting(emulator):
    with pytest.raises(ZohoCRMValidationError, match="one per primary module") as info:
        create(name="another-leads-process", primary_module="Leads")
    assert info.value.code == "LIMIT_EXCEEDED"
    assert writes(emulator) == []


def test_unknown_module_is_zoho_invalid_data(emulator):
    with pytest.raises(ZohoCRMValidationError, match="The module is invalid") as info:
        create(primary_module="Nope")
    assert (info.value.status_code, info.value.code) == (400, "INVALID_DATA")
    assert info.value.json_path == "$.connected_workflows[0].primary_module.api_name"


def test_api_name_and_id_of_different_modules_is_ambiguity(emulator):
    with pytest.raises(ZohoCRMValidationError, match="Ambiguity") as info:
        create(primary_module={"api_name": "Contacts", "id": DEALS_MODULE_ID})
    assert info.value.code == "AMBIGUITY_DURING_PROCESSING"


@pytest.mark.parametrize(
    ("item", "code"),
    [
        ({"name": "x", "primary_module": {}}, "EXPECTED_FIELD_MISSING"),
        ({"primary_module": {"api_name": "Deals"}}, "MANDATORY_NOT_FOUND"),
        ({"name": "x" * 51, "primary_module": {"api_name": "Deals"}}, "INVALID_DATA"),
        ({"name": "a@b", "primary_module": {"api_name": "Deals"}}, "INVALID_DATA"),
    ],
)
def test_documented_body_errors_through_raw_hook_requests(emulator, item, code):
    # The operator and hook methods refuse these client-side (with the same code); a raw request
    # shows that Zoho (the emulator) answers them as documented and the hook types them.
    with pytest.raises(ZohoCRMValidationError) as info:
        ZohoCRMHook().request("POST", "settings/connected_workflows", json={"connected_workflows": [item]}, retry=False)
    assert (info.value.status_code, info.value.code) == (400, code)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"primary_module": {}}, "EXPECTED_FIELD_MISSING"),
        ({"name": ""}, "MANDATORY_NOT_FOUND"),
        ({"name": "x" * 51}, "INVALID_DATA"),
        ({"name": "a@b"}, "INVALID_DATA"),
    ],
)
def test_the_same_errors_are_raised_client_side_with_zohos_code(emulator, kwargs, code):
    with pytest.raises(ZohoCRMValidationError) as info:
        create(**kwargs)
    assert (info.value.status_code, info.value.code) == (None, code)
    assert emulator.journal == []


# ---------------------------------------------------------------------- activate/deactivate


def run_status(operator: type, workflow_id: str, **kwargs: Any) -> dict[str, Any]:
    return operator(task_id="t", connected_workflow_id=workflow_id, **kwargs).execute(context={})


@pytest.mark.parametrize(
    ("operator", "workflow_id", "before", "after"),
    [
        (ActivateConnectedWorkflowOperator, ACCOUNTS_INACTIVE, "inactive", "active"),
        (ActivateConnectedWorkflowOperator, VENDORS_DRAFT, "draft", "active"),
        (DeactivateConnectedWorkflowOperator, LEADS_ACTIVE, "active", "inactive"),
    ],
)
def test_status_change_then_rerun_without_a_write(emulator, operator, workflow_id, before, after):
    result = run_status(operator, workflow_id)
    assert (result["status"], result["changed"]) == (after, True)
    assert [(e["method"], e["path"], e["status"]) for e in writes(emulator)] == [
        ("PUT", f"{BASE}/{workflow_id}/actions/{operator.action}", 200)
    ]
    [stored] = [w for w in emulator.snapshot()["connected_workflows"] if w["id"] == workflow_id]
    assert stored["status"] == after

    again = run_status(operator, workflow_id)
    assert (again["status"], again["changed"]) == (after, False)
    assert len(writes(emulator)) == 1


@pytest.mark.parametrize(
    ("operator", "workflow_id", "status"),
    [
        (ActivateConnectedWorkflowOperator, LEADS_ACTIVE, "active"),
        (DeactivateConnectedWorkflowOperator, ACCOUNTS_INACTIVE, "inactive"),
        (DeactivateConnectedWorkflowOperator, VENDORS_DRAFT, "draft"),  # Zoho would refuse: a draft never ran
    ],
)
def test_already_in_the_wanted_state_succeeds_without_a_write(emulator, operator, workflow_id, status):
    result = run_status(operator, workflow_id)
    assert (result["status"], result["changed"]) == (status, False)
    assert writes(emulator) == []


@pytest.mark.parametrize("operator", [ActivateConnectedWorkflowOperator, DeactivateConnectedWorkflowOperator])
def test_status_dry_run_reads_and_sends_no_write(emulator, operator):
    workflow_id = ACCOUNTS_INACTIVE if operator is ActivateConnectedWorkflowOperator else LEADS_ACTIVE
    result = run_status(operator, workflow_id, dry_run=True)
    assert result["would_change"] is True
    assert len(result["plan"]) == 1
    assert writes(emulator) == []
    assert [e["method"] for e in emulator.journal if e["path"].startswith("/crm/")] == ["GET"]


@pytest.mark.parametrize("operator", [ActivateConnectedWorkflowOperator, DeactivateConnectedWorkflowOperator])
def test_unknown_id_is_not_found(emulator, operator):
    with pytest.raises(ZohoCRMNotFoundError, match="The given ID seems to be invalid"):
        run_status(operator, "4876876000019999999")
    assert writes(emulator) == []


def test_status_operator_on_a_free_edition_is_a_permission_error(emulator):
    emulator.set_config(edition="free")
    with pytest.raises(ZohoCRMPermissionError, match="FEATURE_NOT_SUPPORTED"):
        run_status(ActivateConnectedWorkflowOperator, ACCOUNTS_INACTIVE)


def test_a_reset_status_put_is_retried_and_lands_once(emulator):
    emulator.add_fault(kind="reset", method="PUT", path=f"{BASE}/{ACCOUNTS_INACTIVE}/actions/activate", count=1)
    result = run_status(ActivateConnectedWorkflowOperator, ACCOUNTS_INACTIVE)
    assert result["changed"] is True
    assert [e["status"] for e in writes(emulator)] == [None, 200]  # dropped, then answered


@pytest.mark.parametrize(
    ("operator", "workflow_id", "after", "code"),
    [
        (ActivateConnectedWorkflowOperator, ACCOUNTS_INACTIVE, "active", "ALREADY_ACTIVATED"),
        (DeactivateConnectedWorkflowOperator, LEADS_ACTIVE, "inactive", "ALREADY_DEACTIVATED"),
    ],
)
def test_a_status_put_whose_answer_was_lost_and_whose_retry_zoho_answers_already_succeeds(
    emulator, operator, workflow_id, after, code
):
    # The first PUT takes effect but a gateway answers 502; the retry finds the workflow changed.
    emulator.state.connected_workflows.answer_already_in_state(True)
    path = f"{BASE}/{workflow_id}/actions/{operator.action}"
    emulator.add_fault(kind="fail_after", status=502, method="PUT", path=path, count=1)
    result = run_status(operator, workflow_id)
    assert (result["status"], result["changed"]) == (after, True)
    assert [(e["path"], e["status"]) for e in writes(emulator)] == [(path, 502), (path, 400)]
    [stored] = [w for w in emulator.snapshot()["connected_workflows"] if w["id"] == workflow_id]
    assert stored["status"] == after
    assert emulator.journal[-1]["status"] == 400  # Zoho's own words were "already": nothing else was sent


def test_client_activate_and_deactivate_accept_already_in_that_state(emulator):
    emulator.state.connected_workflows.answer_already_in_state(True)
    workflows = ZohoCRMHook().client.connected_workflows
    assert workflows.activate(LEADS_ACTIVE)["code"] == "ALREADY_ACTIVATED"
    assert workflows.deactivate(ACCOUNTS_INACTIVE)["code"] == "ALREADY_DEACTIVATED"
    with pytest.raises(ZohoCRMValidationError, match="draft status cannot be deactivated"):
        workflows.deactivate(VENDORS_DRAFT)  # other refusals still raise


def test_direct_hook_calls(emulator):
    hook = ZohoCRMHook()
    new_id = hook.create_connected_workflow("deals-process", {"api_name": "Deals"}, "made by a @task")
    assert hook.get_connected_workflow(new_id)["status"] == "draft"
    assert hook.activate_connected_workflow(new_id)["code"] == "SUCCESS"
    assert hook.deactivate_connected_workflow(new_id)["details"] == {"id": new_id}
    assert hook.get_connected_workflow(new_id)["status"] == "inactive"
    assert {w["id"] for w in hook.get_connected_workflows()} >= {new_id, LEADS_ACTIVE}
    assert hook.ensure_connected_workflow("deals-process", "Deals")["changed"] is False

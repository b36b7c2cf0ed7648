"""Un-enroll answers as outcomes (unenroll/result.py): Zoho's 200, 207, 204 and both forms of its 400."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_zohocrm.unenroll.result import NO_CONTENT, NO_RESULT, Batch, BatchOutcome, answer_outcome
from unit.helpers import UNENROLL_URL, api_requests, record_ids

CADENCES = ("554023000004092008",)


def success(record_id: str) -> dict[str, Any]:
    details = {"id": record_id, "cadences": [{"name": "CadenceTest1", "id": CADENCES[0]}]}
    return {"code": "SUCCESS", "details": details, "message": "records manually unenrolled", "status": "success"}


def invalid(index: int) -> dict[str, Any]:
    details = {"api_name": "ids", "json_path": f"$.ids[{index}]"}
    return {"code": "INVALID_DATA", "details": details, "message": "given id seems to be invalid", "status": "error"}


def test_a_200_counts_each_record_once() -> None:
    ids = record_ids(2)
    assert answer_outcome(Batch(ids, CADENCES), {"data": [success(i) for i in ids]}) == BatchOutcome(2)


def test_a_207_mixes_successes_and_failures() -> None:
    ids = record_ids(2)
    outcome = answer_outcome(Batch(ids, CADENCES), {"data": [success(ids[0]), invalid(1)]})
    assert outcome == BatchOutcome(1, ((ids[1], "INVALID_DATA", "given id seems to be invalid"),))


def test_a_204_succeeds_every_record_with_an_explicit_no_content_note() -> None:
    ids = record_ids(3)
    outcome = answer_outcome(Batch(ids, CADENCES), {})
    assert outcome.succeeded == 3
    assert [(record_id, code) for record_id, code, _ in outcome.notes] == [(i, NO_CONTENT) for i in ids]
    assert outcome.failures == ()


@pytest.mark.parametrize("answer", [{"data": 5}, {"data": [None, "x"]}, {"other": []}, [1, 2], None])
def test_an_answer_of_another_shape_fails_every_record_unmentioned(answer: Any) -> None:
    ids = record_ids(2)
    outcome = answer_outcome(Batch(ids, CADENCES), answer)
    assert outcome.succeeded == 0
    assert [(record_id, code) for record_id, code, _ in outcome.failures] == [(i, NO_RESULT) for i in ids]


# ---------------------------------------------------------------- through the client, over HTTP


@pytest.mark.parametrize(
    "answer",
    [
        {"status_code": 400, "json": invalid(1)},  # one error object
        {"status_code": 400, "json": {"data": [invalid(1), invalid(2)]}},  # {"data": [error, ...]}
    ],
)
def test_both_forms_of_zohos_400_fail_every_record_of_the_call(hook, requests_mock, answer):
    requests_mock.post(UNENROLL_URL, **answer)
    ids = record_ids(3)
    result = hook.client.cadences.unenroll("Contacts", ids, CADENCES)
    assert (result["succeeded"], result["failed"], result["failed_by_code"]) == (0, 3, {"INVALID_DATA": 3})
    messages = {failure["record_id"]: failure["message"] for failure in result["failures"]}
    assert messages[ids[1]] == "given id seems to be invalid"
    assert "refused the whole call" in messages[ids[0]]
    assert len(api_requests(requests_mock)) == 1  # a 400 is not retried


def test_a_204_over_http_is_reported_not_dropped(hook, requests_mock):
    requests_mock.post(UNENROLL_URL, status_code=204)
    result = hook.client.cadences.unenroll("Contacts", record_ids(150), CADENCES)
    assert (result["succeeded"], result["failed"]) == (150, 0)
    assert result["succeeded_by_code"] == {NO_CONTENT: 150}
    assert len(result["notes"]) == 150


@pytest.mark.parametrize(
    ("body", "where"), [({"data": {"a": 1}}, "$.data"), ({"data": [7]}, "$.data[0]"), ({"data": "x"}, "$.data")]
)
def test_a_200_of_another_shape_fails_its_call_with_a_typed_code(hook, requests_mock, body, where):
    requests_mock.post(UNENROLL_URL, json=body)
    result = hook.client.cadences.unenroll("Contacts", record_ids(2), CADENCES)
    assert result["failed_by_code"] == {"UNEXPECTED_ANSWER": 2}
    assert where in result["failures"][0]["message"]

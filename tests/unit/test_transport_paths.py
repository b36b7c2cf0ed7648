"""Paths and methods are checked before anything is sent: a bad one never reaches the network."""

from __future__ import annotations

import pytest

from airflow_provider_zohocrm.exceptions import ZohoCRMValidationError
from airflow_provider_zohocrm.hooks import ZohoCRMHook
from airflow_provider_zohocrm.validation import check_path


@pytest.mark.parametrize("path", ["settings/automation/workflow_rules", "Leads/123/actions", "org", "a-b_c"])
def test_check_path_accepts(path):
    assert check_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "/abs",
        "a/../b",
        "..",
        "./a",
        "http://x",
        "//evil.example/x",
        "a?b=1",
        "a#b",
        "a//b",
        "a/",
        "",
        "a b",
        "a%2Fb",
        "a\\b",
        "a\n",
        "settings\r\nHost: evil",
        None,
        123,
    ],
    ids=repr,
)
def test_check_path_rejects(path):
    with pytest.raises(ZohoCRMValidationError) as info:
        check_path(path)
    assert info.value.json_path == "path"  # names the parameter


@pytest.mark.parametrize("path", ["../oauth", "/crm/v8/org", "https://evil.example/x", "org?x=1", "org/"])
def test_hook_request_rejects_bad_paths_without_sending(zoho_conn, requests_mock, path):
    hook = ZohoCRMHook()
    with pytest.raises(ZohoCRMValidationError):
        hook.request("GET", path)
    assert requests_mock.request_history == []


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "OPTIONS", "GET /x", ""])
def test_hook_request_rejects_bad_methods_without_sending(zoho_conn, requests_mock, method):
    with pytest.raises(ZohoCRMValidationError, match="method must be one of"):
        ZohoCRMHook().request(method, "org")
    assert requests_mock.request_history == []

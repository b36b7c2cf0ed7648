"""Drives Zoho's official SDK (zohocrmsdk8-0) against an emulator; run as a script, prints JSON.

Runs in its own process because the SDK's ``Initializer`` is process-global.
Usage: python sdk_probe.py BASE_URL CLIENT_ID CLIENT_SECRET REFRESH_TOKEN WORK_DIR FIND_USER(0|1)
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from zohocrmsdk.src.com.zoho.api.authenticator import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store import FileStore
from zohocrmsdk.src.com.zoho.crm.api import Initializer, SDKConfig
from zohocrmsdk.src.com.zoho.crm.api.cadences import CadencesOperations
from zohocrmsdk.src.com.zoho.crm.api.cadences import ResponseWrapper as CadencesWrapper
from zohocrmsdk.src.com.zoho.crm.api.cadences_execution import (
    ActionWrapper,
    BodyWrapper,
    CadencesExecutionOperations,
    SuccessResponse,
)
from zohocrmsdk.src.com.zoho.crm.api.cadences_execution import APIException as ExecutionError
from zohocrmsdk.src.com.zoho.crm.api.dc import DataCenter


def _action(response: Any) -> dict[str, Any]:
    wrapper = response.get_object()
    assert isinstance(wrapper, ActionWrapper), type(wrapper)
    items = []
    for item in wrapper.get_data():
        if isinstance(item, SuccessResponse):
            details = item.get_details()
            items.append(
                {
                    "kind": "success",
                    "code": item.get_code().get_value(),
                    "message": item.get_message(),
                    "id": str(details["id"]),
                    "cadences": [{"name": c.get_name(), "id": str(c.get_id())} for c in details["cadences"]],
                }
            )
        else:
            assert isinstance(item, ExecutionError), type(item)
            items.append({"kind": "error", "code": item.get_code().get_value(), "message": item.get_message()})
    return {"status": response.get_status_code(), "items": items}


def main(url: str, client_id: str, client_secret: str, refresh_token: str, work_dir: str, find_user: str) -> None:
    Initializer.initialize(
        environment=DataCenter.Environment(url, f"{url}/oauth/v2/token", url),
        token=OAuthToken(
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            find_user=find_user == "1",
        ),
        store=FileStore(os.path.join(work_dir, "sdk_tokens.csv")),
        sdk_config=SDKConfig(update_api_domain=False),
        resource_path=work_dir,
    )
    cadences_response = CadencesOperations().get_cadences()
    wrapper = cadences_response.get_object()
    assert isinstance(wrapper, CadencesWrapper), type(wrapper)
    cadences = [
        {
            "id": str(c.get_id()),
            "name": c.get_name(),
            "type": c.get_type(),
            "module": c.get_module().get_api_name(),
            "execution_type": c.get_execution_details().get_type(),
        }
        for c in wrapper.get_cadences()
    ]
    body = BodyWrapper()
    body.set_cadences_ids(["554023000004092008"])
    body.set_ids(["554023000001798647", "999000000000000001"])
    unenrol = _action(CadencesExecutionOperations().unenroll_cadences("Contacts", body))
    body.set_ids(["554023000001798647"])
    enrol = _action(CadencesExecutionOperations().enroll_cadences("Contacts", body))
    with open(os.path.join(work_dir, "sdk_tokens.csv")) as store:
        user_names = [row.split(",")[1] for row in store.read().splitlines()[1:]]
    report = {
        "cadences_status": cadences_response.get_status_code(),
        "cadences": cadences,
        "count": wrapper.get_info().get_count(),
        "unenrol": unenrol,
        "enrol": enrol,
        "user_names": user_names,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:])

"""P5: per-call cost of the hook vs a bare ``requests.Session`` on loopback (goal <= 1.15x), and vs
Zoho's official SDK (``zohocrmsdk8-0``) for the un-enroll call.

One thread makes calls back to back against the emulator in a child process with no latency, so
a call's time is the client's own work plus a loopback round trip. The hook's call includes what
a task gets for free: token lookup, retry policy, typed errors, JSON parsing. The bare session
sends the same request with a fixed header and parses the JSON. The SDK call is
``CadencesExecutionOperations().unenroll_cadences`` (the SDK has no workflow-rule or
connected-workflow APIs to compare). Rounds interleave the clients; medians of the round means.
Prints; asserts nothing.

    .venv/bin/python benchmarks/call_overhead.py [--calls 200] [--rounds 5] [--no-sdk]
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench_common import (
    CADENCE,
    UNENROLL_PATH,
    Emulator,
    bare_token,
    child_emulator,
    emit,
    isolate_airflow,
    parser,
    unenroll_body,
    use_connection,
)

GET_PATH = "settings/automation/cadences"


def sdk_unenroll(emulator: Emulator, body: dict[str, Any]) -> Callable[[], None]:
    """The official SDK pointed at the emulator (zoho-official-sdk.md section 4); imported only here."""
    from zohocrmsdk.src.com.zoho.api.authenticator import OAuthToken
    from zohocrmsdk.src.com.zoho.api.authenticator.store import FileStore
    from zohocrmsdk.src.com.zoho.crm.api import Initializer, SDKConfig
    from zohocrmsdk.src.com.zoho.crm.api.cadences_execution import (
        ActionWrapper,
        BodyWrapper,
        CadencesExecutionOperations,
    )
    from zohocrmsdk.src.com.zoho.crm.api.dc import DataCenter

    work_dir = tempfile.mkdtemp(prefix="zohocrm-bench-sdk-")
    Initializer.initialize(
        environment=DataCenter.Environment(emulator.url, f"{emulator.url}/oauth/v2/token", emulator.url),
        token=OAuthToken(
            client_id=emulator.client_id,
            client_secret=emulator.client_secret,
            refresh_token=emulator.refresh_token,
            find_user=False,
        ),
        store=FileStore(os.path.join(work_dir, "sdk_tokens.csv")),
        sdk_config=SDKConfig(update_api_domain=False),
        resource_path=work_dir,
    )
    wrapper = BodyWrapper()
    wrapper.set_cadences_ids(body["cadences_ids"])
    wrapper.set_ids(body["ids"])
    operations = CadencesExecutionOperations()

    def call() -> None:
        response = operations.unenroll_cadences("Contacts", wrapper)
        assert isinstance(response.get_object(), ActionWrapper), response.get_status_code()

    return call


def clients(emulator: Emulator, with_sdk: bool) -> dict[str, Callable[[], None]]:
    import requests

    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

    use_connection(emulator)
    hook = ZohoCRMHook()
    session = requests.Session()
    headers = {"Authorization": f"Zoho-oauthtoken {bare_token(emulator)}"}
    root = f"{emulator.url}/crm/v8"
    body = unenroll_body(0)

    def bare_get() -> None:
        response = session.get(f"{root}/{GET_PATH}", headers=headers, timeout=30, allow_redirects=False)
        response.raise_for_status()
        response.json()

    def bare_post() -> None:
        response = session.post(
            f"{root}/{UNENROLL_PATH}", json=body, headers=headers, timeout=30, allow_redirects=False
        )
        response.raise_for_status()
        response.json()

    runs = {
        "GET hook": lambda: hook.request("GET", GET_PATH) and None,
        "GET bare requests": bare_get,
        "unenroll hook": lambda: hook.request("POST", UNENROLL_PATH, json=body) and None,
        "unenroll bare requests": bare_post,
    }
    if with_sdk:
        runs["unenroll official SDK"] = sdk_unenroll(emulator, body)
    for run in runs.values():
        run()  # warm-up: tokens, connections, imports
    return runs


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--calls", type=int, default=200, help="calls per client per round")
    cli.add_argument("--rounds", type=int, default=5)
    cli.add_argument("--no-sdk", action="store_true")
    args = cli.parse_args()
    isolate_airflow()
    assert CADENCE  # the body's cadence is the emulator's seeded manual one
    with child_emulator(0, 10) as emulator:
        runs = clients(emulator, with_sdk=not args.no_sdk)
        means: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                started = time.perf_counter()
                for _ in range(args.calls):
                    run()
                means[name].append((time.perf_counter() - started) / args.calls)
    ms = {name: statistics.median(values) * 1000 for name, values in means.items()}
    get_ratio = ms["GET hook"] / ms["GET bare requests"]
    post_ratio = ms["unenroll hook"] / ms["unenroll bare requests"]
    print(f"{args.calls} calls x {args.rounds} rounds per client, emulator in a child process, no latency")
    for name, value in ms.items():
        print(f"  {name:<24} {value:6.3f} ms per call")
    print(f"hook / bare requests: GET {get_ratio:.3f}x, unenroll {post_ratio:.3f}x (goal <= 1.15x)")
    detail = f"GET {get_ratio:.3f}x, unenroll {post_ratio:.3f}x of bare requests"
    if "unenroll official SDK" in ms:
        sdk = ms["unenroll official SDK"]
        print(f"hook / official SDK (unenroll): {ms['unenroll hook'] / sdk:.3f}x ({sdk:.3f} ms per SDK call)")
        detail += f"; unenroll hook/official SDK {ms['unenroll hook'] / sdk:.3f}x"
    worst = max(get_ratio, post_ratio)
    emit(args, {"id": "P5", "value": round(worst, 3), "goal": "<= 1.15x", "met": worst <= 1.15, "detail": detail})


if __name__ == "__main__":
    main()

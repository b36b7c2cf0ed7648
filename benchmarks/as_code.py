"""P7: automation as code at scale: export and plan of 50 and 500 workflow rules over 10 modules.

An in-process emulator (its 6 modules plus 4 more standard ones, no seeded automation) gets the
rules spread evenly over the 10 modules through the API, then answers every call after a
latency (20 ms by default). For each size the Airflow-free client exports the modules, then
plans against the unedited export (no step). Each prints its time and the calls the emulator
served; the expected count is the floor the design allows: one list page per module (up to 200
rules each), one for the connected workflows, and one GET per rule. The peak of calls in flight
shows the connection's concurrency cap (``max_concurrency``) at work. Prints; asserts nothing
about time.

    .venv/bin/python benchmarks/as_code.py [--sizes 50,500] [--latency-ms 20] [--max-concurrency 10]
"""

from __future__ import annotations

import math
import tempfile
import time
from typing import Any

from bench_common import emit, isolate_airflow, local_emulator_info, parser

# Four more standard modules than the emulator seeds, so the rules spread over 10 modules.
EXTRA_MODULES = [
    ("Campaigns", "4876876000000002187"),
    ("Cases", "4876876000000002189"),
    ("Solutions", "4876876000000002191"),
    ("Quotes", "4876876000000002195"),
]


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _with_more_modules() -> None:
    """Make the emulator's org hold 10 modules (its state reads ``seed_modules`` when built or reset)."""
    from airflow_provider_zohocrm.testing.emulator import modules, state

    seeded = modules.seed_modules

    def ten() -> list[dict[str, Any]]:
        found = seeded()
        template = found[0]
        for api_name, module_id in EXTRA_MODULES:
            found.append({**template, "id": module_id, "api_name": api_name, "module_name": api_name})
            found[-1].update(singular_label=api_name.rstrip("s"), plural_label=api_name)
        return found

    state.seed_modules = ten


def _rule(module: str, number: int) -> dict[str, Any]:
    return {
        "name": f"Bench rule {number}",
        "module": {"api_name": module},
        "execute_when": {"type": "create_or_edit", "details": {"repeat": False}},
        "conditions": [
            {
                "sequence_number": 1,
                "criteria_details": {
                    "criteria": {
                        "comparator": "equal",
                        "field": {"api_name": "Name"},
                        "type": "value",
                        "value": f"{number}",
                    }
                },
                "instant_actions": {"actions": [{"id": "4876876000000329001", "type": "email_notifications"}]},
                "scheduled_actions": [
                    {
                        "execute_after": {"period": "days", "unit": number % 30},
                        "actions": [{"id": "4876876000000329701", "type": "tasks"}],
                    }
                ],
            }
        ],
    }


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--sizes", type=_ints, default=_ints("50,500"))
    cli.add_argument("--latency-ms", type=float, default=20.0)
    cli.add_argument("--max-concurrency", type=int, default=10)
    args = cli.parse_args()
    isolate_airflow()
    _with_more_modules()
    from airflow_provider_zohocrm.as_code import export_state, make_plan
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.connection import settings_from_mapping
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

    rows = []
    with ZohoCRMEmulator(seed=False, concurrency_limit=args.max_concurrency) as emulator:
        modules = list(emulator.snapshot()["modules"])
        connection = local_emulator_info(emulator).connection
        extra = {**connection["extra"], "max_concurrency": args.max_concurrency, "auth_cache": "memory"}
        settings = settings_from_mapping(login=connection["login"], password=connection["password"], extra=extra)
        for size in args.sizes:
            emulator.reset(seed=False)
            with ZohoCRMClient(settings) as client:
                for number in range(size):
                    client.workflow_rules.create(_rule(modules[number % len(modules)], number))
                emulator.set_config(latency_ms=args.latency_ms)
                per_module = math.ceil(size / len(modules))
                floor = len(modules) * max(1, math.ceil(per_module / 200)) + 1 + size
                directory = tempfile.mkdtemp(prefix="zohocrm-bench-as-code-")
                before = emulator.stats()["api_requests"]
                started = time.perf_counter()
                summary = export_state(client, modules, directory)
                export_s = time.perf_counter() - started
                export_calls = emulator.stats()["api_requests"] - before
                before = emulator.stats()["api_requests"]
                started = time.perf_counter()
                plan = make_plan(client, directory)
                plan_s = time.perf_counter() - started
                plan_calls = emulator.stats()["api_requests"] - before
                peak = emulator.stats()["peak_in_flight"]
                if sum(summary["modules"].values()) != size or plan.has_changes:
                    raise SystemExit(f"the export of {size} rules did not round-trip: {summary}")
                rows.append((size, export_s, export_calls, plan_s, plan_calls, floor, peak))

    print(f"{len(modules)} modules, {args.latency_ms:g} ms latency, max_concurrency {args.max_concurrency}")
    print(f"{'rules':>6} {'export s':>9} {'calls':>6} {'plan s':>8} {'calls':>6} {'floor':>6} {'peak':>5}")
    for size, export_s, export_calls, plan_s, plan_calls, floor, peak in rows:
        print(f"{size:>6} {export_s:>9.2f} {export_calls:>6} {plan_s:>8.2f} {plan_calls:>6} {floor:>6} {peak:>5}")
    at_floor = all(row[2] == row[5] and row[4] == row[5] for row in rows)
    largest = rows[-1]
    emit(
        args,
        {
            "id": "P7",
            "value": round(largest[3], 2),
            "goal": "calls = floor",
            "met": at_floor,
            "detail": "; ".join(
                f"{size} rules: export {export_s:.2f} s / plan {plan_s:.2f} s, {plan_calls} calls (floor {floor})"
                for size, export_s, _, plan_s, plan_calls, floor, _ in rows
            ),
        },
    )


if __name__ == "__main__":
    main()

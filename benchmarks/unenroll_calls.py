"""P2: API calls for R records x C cadences vs the floor ceil(R/100) * ceil(C/5) (goal: equal).

Zoho takes at most 100 record ids and 5 cadence ids per un-enroll call, so the floor is a hard
lower bound; more calls would waste API credits. For each (R, C) of a grid the hook un-enrolls R
records from C manual cadences of an in-process emulator (no latency) and the emulator counts the
calls it served. Prints; asserts nothing.

    .venv/bin/python benchmarks/unenroll_calls.py [--records 1,99,100,101,250,1000,5000] [--cadences 1,5,6,11]
"""

from __future__ import annotations

import math

from bench_common import emit, isolate_airflow, local_emulator_info, parser, record_ids, use_connection

FIRST_CADENCE = 554023000004093000


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    cli = parser(__doc__ or "")
    cli.add_argument("--records", type=_ints, default=_ints("1,99,100,101,250,1000,5000"))
    cli.add_argument("--cadences", type=_ints, default=_ints("1,5,6,11"))
    args = cli.parse_args()
    isolate_airflow()
    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

    rows = []
    with ZohoCRMEmulator(concurrency_limit=10) as emulator:
        cadences = [str(FIRST_CADENCE + i) for i in range(max(args.cadences))]
        for cadence_id in cadences:
            emulator.add_cadence(cadence_id, f"Bench {cadence_id[-3:]}", "Contacts")
        use_connection(local_emulator_info(emulator), max_concurrency=10)
        hook = ZohoCRMHook()
        offset = 0
        for count in args.records:
            for cadence_count in args.cadences:
                before = emulator.stats()["api_requests"]
                result = hook.unenroll_from_cadences(
                    "Contacts", record_ids(count, offset), cadences[:cadence_count], max_workers=8
                )
                calls = emulator.stats()["api_requests"] - before
                floor = math.ceil(count / 100) * math.ceil(cadence_count / 5)
                rows.append((count, cadence_count, calls, floor, result["failed"]))
                offset += count

    print(f"{'records':>8} {'cadences':>8} {'calls':>6} {'floor':>6} {'calls/floor':>11}")
    for count, cadence_count, calls, floor, _ in rows:
        print(f"{count:>8,} {cadence_count:>8} {calls:>6} {floor:>6} {calls / floor:>11.3f}")
    equal = sum(calls == floor for _, _, calls, floor, _ in rows)
    failed = sum(row[4] for row in rows)
    worst = max(calls / floor for _, _, calls, floor, _ in rows)
    print(f"{equal} of {len(rows)} cells at the floor; worst calls/floor {worst:.3f}; failed pairs {failed}")
    emit(
        args,
        {
            "id": "P2",
            "value": worst,
            "goal": "calls = floor",
            "met": equal == len(rows) and failed == 0,
            "detail": f"{equal}/{len(rows)} cells of R x C at ceil(R/100)*ceil(C/5); worst ratio {worst:.3f}",
        },
    )


if __name__ == "__main__":
    main()

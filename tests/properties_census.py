"""Census of invalid inputs: a fixed corpus over every public entry point, against the bundled emulator.

Not a test (no ``test_`` prefix): run it to measure, e.g. before and after a change::

    .venv/bin/python tests/properties_census.py [--by-entry] [--show N]

Each input is one entry point's valid baseline with one parameter replaced by a value of
``tests/unit/properties/corpus.py``. It ends in exactly one of: a typed error naming the parameter
(``ZohoCRMValidationError`` whose ``json_path``/``param_name`` starts with it), a typed error not
naming it, another exception type, or no error (accepted). Independently, "request sent" counts the
inputs after which the emulator had received any request (token requests included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.setrecursionlimit(1000)  # the default, whatever a caller set

_HOME = tempfile.mkdtemp(prefix="zohocrm-census-")
os.environ["AIRFLOW_HOME"] = _HOME
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ["ZOHO_CRM_TOKEN_CACHE_DIR"] = str(Path(_HOME) / "tokens")
os.environ["ZOHO_CRM_CHECKPOINT_DIR"] = str(Path(_HOME) / "checkpoints")

COLUMNS = ("named", "unnamed", "wrong type", "accepted", "request sent")
TITLES = {
    "named": "typed error naming the parameter",
    "unnamed": "typed error not naming it",
    "wrong type": "wrong exception type",
    "accepted": "accepted",
    "request sent": "request sent",
}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Airflow and the operators log to stdout/stderr directly; only the tables go out."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--by-entry", action="store_true", help="also print a row per entry point")
    parser.add_argument("--show", type=int, default=0, help="list up to N failing inputs per entry point")
    args = parser.parse_args()

    import logging

    logging.disable(logging.CRITICAL)
    from unit.properties import corpus
    from unit.properties.entry_points import all_entry_points, outcome
    from unit.properties.pending import owner_of

    from airflow_provider_zohocrm import retry
    from airflow_provider_zohocrm.auth.token_cache import MEMORY_CACHE
    from airflow_provider_zohocrm.testing.emulator.server import ZohoCRMEmulator

    retry._sleep = lambda seconds: None  # type: ignore[attr-defined]
    os.chdir(_HOME)  # a relative path an input names lands here, not in the working tree
    root = Path(_HOME) / "files"
    entries = all_entry_points(corpus.snapshot_files(root / "read"), corpus.write_paths(root / "write"))
    totals: Counter[str] = Counter()
    by_entry: dict[str, Counter[str]] = defaultdict(Counter)
    failures: dict[str, list[str]] = defaultdict(list)
    unexplained = 0
    started = time.monotonic()
    with _quiet(), ZohoCRMEmulator() as emulator:
        connection = json.loads(emulator.connection_json())
        connection["extra"]["auth_cache"] = "memory"
        os.environ["AIRFLOW_CONN_ZOHO_CRM_DEFAULT"] = json.dumps(connection)
        for entry in entries:
            for param, values in entry.params.items():
                for value in values:
                    before = emulator.stats()["requests"]
                    kind, exc = outcome(entry, param, value)
                    sent = emulator.stats()["requests"] > before
                    row = by_entry[entry.name]
                    for counter in (totals, row):
                        counter[kind] += 1
                        counter["request sent"] += sent
                        counter["inputs"] += 1
                    if kind != "named" or sent:
                        what = f"{type(exc).__name__}: {str(exc)[:90]}" if exc else "no error"
                        note = " [request sent]" if sent else ""
                        pending = owner_of(entry.name, param, value)
                        owner = f" (pending: {pending.owner.split('zohocrm/')[-1]})" if pending else " (UNEXPLAINED)"
                        unexplained += pending is None
                        failures[entry.name].append(f"{param}={corpus.label(value)} -> {kind}{note}{owner}: {what}")
                    if sent or kind == "accepted":
                        emulator.reset()
                        MEMORY_CACHE.clear()
    print(f"{totals['inputs']} invalid inputs over {len(entries)} entry points in {time.monotonic() - started:.0f} s\n")
    print(f"| {'outcome':<34} | {'inputs':>7} |")
    print(f"|{'-' * 36}|{'-' * 9}|")
    for column in COLUMNS:
        print(f"| {TITLES[column]:<34} | {totals[column]:>7,} |")
    failed = sum(1 for lines in failures.values() for _ in lines)
    print(f"\n{failed} failing inputs; {failed - unexplained} wait for a fix listed in unit/properties/pending.py")
    if args.by_entry:
        print()
        head = " | ".join(f"{column:>12}" for column in COLUMNS)
        print(f"| {'entry point':<62} | {'inputs':>6} | {head} |")
        for name, row in by_entry.items():
            cells = " | ".join(f"{row[column]:>12}" for column in COLUMNS)
            print(f"| {name:<62} | {row['inputs']:>6} | {cells} |")
    if args.show:
        for name, lines in failures.items():
            print(f"\n{name}:")
            for line in lines[: args.show]:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

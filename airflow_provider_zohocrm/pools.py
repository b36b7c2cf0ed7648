"""An Airflow pool sized to Zoho CRM's concurrency limit, so parallel tasks do not collect HTTP 429s.

Zoho counts the calls in flight per user and OAuth app, across every process and host: Free 5,
Standard/Starter 10, Professional 15, Enterprise/Zoho One/CRM Plus 20, Ultimate 25 (calls beyond
it are answered 429). The connection's ``max_concurrency`` extra caps calls within one process;
a pool caps them across tasks. Give every Zoho CRM task ``pool="zoho_crm"`` (and a batched
un-enroll ``pool_slots=max_workers``), and create the pool once per deployment::

    python -m airflow_provider_zohocrm.pools enterprise      # prints the command below
    airflow pools set zoho_crm 18 "Zoho CRM API concurrency (enterprise: 20 calls per user)"

Creating the pool is left to that command (or the UI / REST API): writing pools needs the
metadata database on Airflow 2.11 and the API server on 3.x. Imports nothing from Airflow.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_POOL = "zoho_crm"
# Calls the pool leaves free for what it cannot see: sensor triggers polling from the triggerer
# (deferred tasks hold no pool slot) and other clients of the same Zoho user and OAuth app.
DEFAULT_HEADROOM = 2

# Zoho's concurrency limit per user per OAuth app, by edition (the API-limits page, "concurrency").
EDITION_CONCURRENCY: dict[str, int] = {
    "free": 5,
    "standard": 10,
    "starter": 10,
    "professional": 15,
    "enterprise": 20,
    "zoho_one": 20,
    "crm_plus": 20,
    "ultimate": 25,
}


@dataclass(frozen=True)
class ZohoCRMPool:
    """A pool for one Zoho edition: its name, slots and description, and how to create it."""

    name: str
    slots: int
    description: str

    def command(self) -> str:
        """The ``airflow pools set`` command line that creates or resizes the pool (2.11 and 3.x)."""
        return shlex.join(["airflow", "pools", "set", self.name, str(self.slots), self.description])


def edition_concurrency(edition: str) -> int:
    """Zoho's concurrent-call limit for ``edition`` (case, spaces and dashes ignored)."""
    key = str(edition).strip().lower().replace(" ", "_").replace("-", "_")
    if key not in EDITION_CONCURRENCY:
        raise ValueError(f"unknown Zoho CRM edition {edition!r}; expected one of {', '.join(EDITION_CONCURRENCY)}")
    return EDITION_CONCURRENCY[key]


def recommended_pool_slots(edition: str, headroom: int = DEFAULT_HEADROOM) -> int:
    """Pool slots for ``edition``: its concurrency limit less ``headroom`` calls, at least 1."""
    if not isinstance(headroom, int) or isinstance(headroom, bool) or headroom < 0:
        raise ValueError(f"headroom must be an integer >= 0; got {headroom!r}")
    return max(1, edition_concurrency(edition) - headroom)


def zoho_crm_pool(edition: str, *, name: str = DEFAULT_POOL, headroom: int = DEFAULT_HEADROOM) -> ZohoCRMPool:
    """The pool to create for ``edition``; ``.command()`` is the CLI line that creates it."""
    if not name or not str(name).strip():
        raise ValueError("name must be a non-empty pool name")
    limit = edition_concurrency(edition)
    slots = recommended_pool_slots(edition, headroom)
    edition_name = str(edition).strip().lower()
    return ZohoCRMPool(
        name=str(name).strip(),
        slots=slots,
        description=f"Zoho CRM API concurrency ({edition_name}: {limit} calls per user)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the ``airflow pools set`` command for an edition."""
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_zohocrm.pools", description=main.__doc__ or "", allow_abbrev=False
    )
    parser.add_argument("edition", help=f"one of {', '.join(EDITION_CONCURRENCY)}")
    parser.add_argument("--name", default=DEFAULT_POOL)
    parser.add_argument("--headroom", type=int, default=DEFAULT_HEADROOM, help="calls left outside the pool")
    args = parser.parse_args(argv)
    try:
        pool = zoho_crm_pool(args.edition, name=args.name, headroom=args.headroom)
    except ValueError as exc:
        parser.error(str(exc))
    print(pool.command())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The pool helper: slots per Zoho edition, the ``airflow pools set`` command, no Airflow import."""

from __future__ import annotations

import shlex
import subprocess
import sys

import pytest

from airflow_provider_zohocrm.pools import (
    DEFAULT_HEADROOM,
    DEFAULT_POOL,
    EDITION_CONCURRENCY,
    ZohoCRMPool,
    edition_concurrency,
    main,
    recommended_pool_slots,
    zoho_crm_pool,
)


@pytest.mark.parametrize(
    ("edition", "limit"),
    [("free", 5), ("standard", 10), ("starter", 10), ("professional", 15), ("enterprise", 20), ("ultimate", 25)],
)
def test_limits_per_edition_follow_zoho(edition: str, limit: int) -> None:
    assert edition_concurrency(edition) == limit
    assert recommended_pool_slots(edition) == limit - DEFAULT_HEADROOM
    assert recommended_pool_slots(edition, headroom=0) == limit


@pytest.mark.parametrize("spelling", ["Enterprise", " ENTERPRISE ", "zoho one", "Zoho-One", "CRM Plus"])
def test_edition_names_are_forgiving(spelling: str) -> None:
    assert edition_concurrency(spelling) == 20


def test_slots_never_drop_below_one() -> None:
    assert recommended_pool_slots("free", headroom=5) == 1
    assert recommended_pool_slots("free", headroom=50) == 1


@pytest.mark.parametrize("headroom", [-1, 1.5, "2", True, None])
def test_headroom_must_be_a_non_negative_integer(headroom: object) -> None:
    with pytest.raises(ValueError, match="headroom"):
        recommended_pool_slots("enterprise", headroom=headroom)  # type: ignore[arg-type]


def test_an_unknown_edition_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown Zoho CRM edition 'gold'.*free.*ultimate"):
        edition_concurrency("gold")


def test_the_pool_and_its_command() -> None:
    pool = zoho_crm_pool("enterprise")
    assert pool == ZohoCRMPool(DEFAULT_POOL, 18, "Zoho CRM API concurrency (enterprise: 20 calls per user)")
    assert shlex.split(pool.command()) == ["airflow", "pools", "set", "zoho_crm", "18", pool.description]


def test_a_custom_name_and_headroom() -> None:
    pool = zoho_crm_pool("Professional", name="zoho_crm_eu", headroom=5)
    assert (pool.name, pool.slots) == ("zoho_crm_eu", 10)
    assert shlex.split(pool.command())[3:5] == ["zoho_crm_eu", "10"]
    with pytest.raises(ValueError, match="name"):
        zoho_crm_pool("free", name=" ")


def test_every_edition_yields_a_usable_pool() -> None:
    for edition, limit in EDITION_CONCURRENCY.items():
        pool = zoho_crm_pool(edition)
        assert 1 <= pool.slots < limit


def test_the_cli_prints_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ultimate", "--headroom", "3"]) == 0
    assert shlex.split(capsys.readouterr().out) == [
        "airflow",
        "pools",
        "set",
        "zoho_crm",
        "22",
        "Zoho CRM API concurrency (ultimate: 25 calls per user)",
    ]


def test_the_cli_rejects_an_unknown_edition(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["gold"])
    assert exit_info.value.code == 2
    assert "unknown Zoho CRM edition" in capsys.readouterr().err


def test_importing_it_does_not_import_airflow() -> None:
    code = (
        "import sys, airflow_provider_zohocrm.pools; print(sorted(m for m in sys.modules if m.startswith('airflow')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "['airflow_provider_zohocrm', 'airflow_provider_zohocrm.pools']"


def test_the_module_runs_as_a_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airflow_provider_zohocrm.pools", "free"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shlex.split(result.stdout)[3:5] == ["zoho_crm", "3"]

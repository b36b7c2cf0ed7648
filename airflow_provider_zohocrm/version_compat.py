"""Which Airflow line is running; read once, used to pick version-specific behaviour."""

from __future__ import annotations


def _airflow_version() -> tuple[int, int]:
    from airflow import __version__

    major, minor = __version__.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


AIRFLOW_V_3_0_PLUS: bool = _airflow_version() >= (3, 0)

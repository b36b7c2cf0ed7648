"""Apache Airflow provider for Zoho CRM automation.

Kept import-free on purpose: Airflow imports provider packages while parsing every DAG file.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

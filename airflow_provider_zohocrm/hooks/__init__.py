"""Hooks of the Zoho CRM provider."""

from __future__ import annotations

from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

__all__ = ["ZohoCRMHook"]

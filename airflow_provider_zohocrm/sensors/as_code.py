"""``AutomationVerifySensor``: wait until live Zoho CRM automation equals the files kept as code.

For drift watching: after an apply elsewhere, or while someone puts a hand-made change back. Each
poke reads the files (a local directory or an ``ObjectStoragePath`` URL, read afresh each time so a
checkout that moves is followed) and live Zoho, and logs what still differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseSensorOperator, PokeReturnValue

from airflow_provider_zohocrm.connection import DEFAULT_CONN_ID

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook


class AutomationVerifySensor(BaseSensorOperator):
    """Poke until live Zoho equals the automation files at ``path`` (no difference left).

    :param path: the directory of files: a local path or an ``ObjectStoragePath`` URL.
    :param zoho_crm_conn_id: the Zoho CRM connection to use.

    The XCom value is ``[]`` (no differences) once done. A bad ``path`` or plan file, refused
    credentials or an error that outlived the hook's retry budget fail the task at once; a timeout
    raises ``AirflowSensorTimeout`` (a skip with ``soft_fail=True``). ``mode="reschedule"`` frees the
    worker slot between pokes.
    """

    template_fields: Sequence[str] = ("zoho_crm_conn_id", "path")
    ui_color = "#e42527"
    ui_fgcolor = "#ffffff"

    def __init__(self, *, path: str, zoho_crm_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.zoho_crm_conn_id = zoho_crm_conn_id

    @cached_property
    def hook(self) -> ZohoCRMHook:
        """Built on first use inside ``poke`` (never while the DAG file is parsed)."""
        from airflow_provider_zohocrm.hooks.zoho_crm import ZohoCRMHook

        return ZohoCRMHook(zoho_crm_conn_id=self.zoho_crm_conn_id)

    def poke(self, context: Context) -> PokeReturnValue:
        from airflow_provider_zohocrm.operators.as_code import verify_location

        differences = verify_location(self, self.path)
        if differences:
            self.log.info("%d difference(s) left; poking again in %s s", len(differences), self.poke_interval)
            return PokeReturnValue(is_done=False)
        self.log.info("Live Zoho equals the files at %s", self.path)
        return PokeReturnValue(is_done=True, xcom_value=[])

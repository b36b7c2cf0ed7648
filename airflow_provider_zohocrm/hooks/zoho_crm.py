"""``ZohoCRMHook``: the Airflow connection, a shared OAuth token, retries and typed errors.

The module imports nothing heavy: the transport (requests, tenacity) loads on the first call.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import BaseHook

from airflow_provider_zohocrm.api.cadences import CadencesAPI
from airflow_provider_zohocrm.api.connected_workflows import ConnectedWorkflowsAPI
from airflow_provider_zohocrm.api.workflow_rules import WorkflowRulesAPI
from airflow_provider_zohocrm.connection import (
    CONN_TYPE,
    DEFAULT_CONN_ID,
    ZohoCRMConnectionSettings,
    settings_from_connection,
)
from airflow_provider_zohocrm.connection_form import connection_form_widgets, ui_field_behaviour

if TYPE_CHECKING:
    import requests

    from airflow_provider_zohocrm.auth.token_cache import TokenCache
    from airflow_provider_zohocrm.transport import ZohoTransport


class ZohoCRMHook(WorkflowRulesAPI, ConnectedWorkflowsAPI, CadencesAPI, BaseHook):
    """Talk to the Zoho CRM REST API through an Airflow connection of type ``zoho_crm``.

    :param zoho_crm_conn_id: the connection (login = client id, password = client secret,
        extras: refresh_token, data_center, environment, api_version, accounts_url, api_url, ...).
    :param timeout: seconds per HTTP request; overrides the connection's ``timeout`` extra.
    :param max_attempts: attempts per call, first included; overrides ``max_attempts``.
    :param max_retry_seconds: time budget for one call's retries; overrides ``max_retry_seconds``.
    :param token_cache: a shared access-token cache to use instead of the per-host file cache.
    """

    conn_name_attr = "zoho_crm_conn_id"
    default_conn_name = DEFAULT_CONN_ID
    conn_type = CONN_TYPE
    hook_name = "Zoho CRM"

    def __init__(
        self,
        zoho_crm_conn_id: str = DEFAULT_CONN_ID,
        *,
        timeout: float | None = None,
        max_attempts: int | None = None,
        max_retry_seconds: float | None = None,
        token_cache: TokenCache | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.zoho_crm_conn_id = zoho_crm_conn_id
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self._token_cache = token_cache

    @classmethod
    def for_connection(cls, conn: Any, **kwargs: Any) -> ZohoCRMHook:
        """A hook for an already fetched ``Connection`` (e.g. fetched asynchronously in a trigger)."""
        hook = cls(zoho_crm_conn_id=conn.conn_id, **kwargs)
        hook.__dict__["settings"] = settings_from_connection(
            conn, timeout=hook._timeout, max_attempts=hook._max_attempts, max_retry_seconds=hook._max_retry_seconds
        )
        return hook

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Extra fields of the connection form (Airflow 2.11 to 3.1 UIs)."""
        return connection_form_widgets()

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Relabelled and hidden standard fields of the connection form."""
        return ui_field_behaviour()

    @cached_property
    def settings(self) -> ZohoCRMConnectionSettings:
        """The validated connection; read on first use, never in ``__init__``."""
        return settings_from_connection(
            self.get_connection(self.zoho_crm_conn_id),
            timeout=self._timeout,
            max_attempts=self._max_attempts,
            max_retry_seconds=self._max_retry_seconds,
        )

    @cached_property
    def transport(self) -> ZohoTransport:
        from airflow_provider_zohocrm.transport import ZohoTransport

        return ZohoTransport(self.settings, shared_cache=self._token_cache)

    def get_conn(self) -> requests.Session:
        """The keep-alive ``requests.Session`` used for every call of this hook."""
        return self.transport.session

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        retry: bool = True,
    ) -> dict[str, Any]:
        """Call ``{api domain}/crm/{api_version}/{path}`` and return its JSON body (``{}`` if empty).

        Retries 429/5xx/connection errors within the retry budget, refreshes the token once on
        ``INVALID_TOKEN`` and raises a :mod:`~airflow_provider_zohocrm.exceptions` error otherwise.
        Pass ``retry=False`` for writes that must not be repeated blindly.
        """
        return self.transport.request(method, path, params=params, json=json, retry=retry)

    def test_connection(self) -> tuple[bool, str]:
        """Mint (or reuse) an access token and make one cheap read; never reveals a secret."""
        from airflow_provider_zohocrm.exceptions import ZohoCRMError

        try:
            self.request("GET", "settings/automation/workflow_rules", params={"per_page": 1, "page": 1})
        except ZohoCRMError as exc:
            return False, str(exc)
        except Exception as exc:  # a connection lookup failure, for instance
            return False, f"{type(exc).__name__}: could not test the connection {self.zoho_crm_conn_id!r}"
        return True, f"Connected to Zoho CRM ({self.settings.data_center}, {self.settings.environment})"

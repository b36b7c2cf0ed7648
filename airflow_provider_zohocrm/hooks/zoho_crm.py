"""``ZohoCRMHook``: an Airflow connection of type ``zoho_crm`` turned into a :class:`ZohoCRMClient`.

The hook reads and validates the connection (on first use, never in ``__init__``) and builds one
client from it; every call goes through ``hook.client``. The hook's own call methods are thin
delegates kept for DAGs written against them. The module imports nothing heavy: the client (and
with it requests and tenacity) loads on the first call.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import AirflowNotFoundException, BaseHook

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
    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.transport import ZohoTransport


class _Delegate:
    """A hook method that is ``hook.client.<family>.<method>`` (or ``hook.client.<method>``)."""

    def __init__(self, family: str | None, method: str) -> None:
        self.family = family
        self.method = method
        self.__doc__ = f"Same as ``hook.client.{family + '.' if family else ''}{method}(...)``."

    def __get__(self, hook: Any, owner: type | None = None) -> Any:
        if hook is None:
            return self
        target = hook.client if self.family is None else getattr(hook.client, self.family)
        return getattr(target, self.method)


class ZohoCRMHook(BaseHook):
    """Talk to the Zoho CRM REST API through an Airflow connection of type ``zoho_crm``.

    :param zoho_crm_conn_id: the connection (login = client id, password = client secret,
        extras: refresh_token, data_center, environment, api_version, accounts_url, api_url, ...).
    :param timeout: seconds per HTTP request; overrides the connection's ``timeout`` extra.
    :param max_attempts: attempts per call, first included; overrides ``max_attempts``.
    :param max_retry_seconds: time budget for one call's retries; overrides ``max_retry_seconds``.
    :param token_cache: a shared access-token cache to use instead of the per-host file cache.
    :param connection: an already fetched ``Connection`` to use instead of looking the id up.
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
        connection: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.zoho_crm_conn_id = zoho_crm_conn_id
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self._token_cache = token_cache
        self._connection = connection

    @classmethod
    def for_connection(cls, conn: Any, **kwargs: Any) -> ZohoCRMHook:
        """A hook for an already fetched ``Connection``."""
        return cls(zoho_crm_conn_id=conn.conn_id, connection=conn, **kwargs)

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
        conn = self._connection if self._connection is not None else self._lookup(self.zoho_crm_conn_id)
        return settings_from_connection(
            conn, timeout=self._timeout, max_attempts=self._max_attempts, max_retry_seconds=self._max_retry_seconds
        )

    def _lookup(self, conn_id: Any) -> Any:
        """The Airflow connection ``conn_id``; a bad or unknown id is a typed error naming ``zoho_crm_conn_id``."""
        from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError
        from airflow_provider_zohocrm.validation import preview

        hint = "Pass the id of a connection of type zoho_crm (Admin > Connections, or an AIRFLOW_CONN_ variable)"
        if not isinstance(conn_id, str) or not conn_id.strip() or len(conn_id) > 250 or not conn_id.isprintable():
            raise ZohoCRMConnectionConfigError(
                f"zoho_crm_conn_id must be a connection id (printable text); got {preview(conn_id)}",
                details={"param_name": "zoho_crm_conn_id"},
                hint=hint,
            )
        try:
            return self.get_connection(conn_id)
        except AirflowNotFoundException as exc:  # a secrets backend or metadata DB failure propagates as it is
            raise ZohoCRMConnectionConfigError(
                f"zoho_crm_conn_id {conn_id!r}: no such connection",
                details={"param_name": "zoho_crm_conn_id", "conn_id": conn_id},
                hint=hint,
            ) from exc

    @cached_property
    def client(self) -> ZohoCRMClient:
        """The Airflow-free client every call of this hook goes through."""
        from airflow_provider_zohocrm.client import ZohoCRMClient

        return ZohoCRMClient(self.settings, token_cache=self._token_cache)

    @property
    def transport(self) -> ZohoTransport:
        return self.client.transport

    def get_conn(self) -> requests.Session:
        """The keep-alive ``requests.Session`` used for every call of this hook."""
        return self.client.transport.session

    request = _Delegate(None, "request")
    get_workflow_rules = _Delegate("workflow_rules", "list_all")
    get_workflow_rule = _Delegate("workflow_rules", "get")
    update_workflow_rule = _Delegate("workflow_rules", "update")
    set_workflow_rule_status = _Delegate("workflow_rules", "set_status")
    reorder_workflow_rules = _Delegate("workflow_rules", "reorder")
    get_connected_workflows = _Delegate("connected_workflows", "list_all")
    get_connected_workflow = _Delegate("connected_workflows", "get")
    create_connected_workflow = _Delegate("connected_workflows", "create")
    activate_connected_workflow = _Delegate("connected_workflows", "activate")
    deactivate_connected_workflow = _Delegate("connected_workflows", "deactivate")
    find_connected_workflow = _Delegate("connected_workflows", "find")
    ensure_connected_workflow = _Delegate("connected_workflows", "ensure")
    get_cadences = _Delegate("cadences", "list_all")
    unenroll_from_cadences = _Delegate("cadences", "unenroll")

    def test_connection(self) -> tuple[bool, str]:
        """Prove the credentials: a token minted now (never a cached one), then one cheap read.

        Each test costs one of the 10 tokens Zoho mints per refresh token in 10 minutes. The
        message never holds a secret.
        """
        from airflow_provider_zohocrm.exceptions import ZohoCRMError, ZohoCRMTokenThrottleError

        try:
            self.client.verify_credentials()
        except ZohoCRMTokenThrottleError as exc:
            return False, (
                f"Could not test the credentials now ({exc.code}): {exc.message}. Test again after that time; "
                "until then this says nothing about whether the credentials are right"
            )
        except ZohoCRMError as exc:
            return False, str(exc)
        except Exception as exc:  # a connection lookup failure, for instance
            return False, f"{type(exc).__name__}: could not test the connection {self.zoho_crm_conn_id!r}"
        return True, f"Connected to Zoho CRM ({self.settings.data_center}, {self.settings.environment})"

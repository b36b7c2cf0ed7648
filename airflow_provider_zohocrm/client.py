"""``ZohoCRMClient``: Zoho CRM automation calls without Airflow.

One client per connection settings: it owns the transport (session, token manager, retry policy,
concurrency slots) and one object per API family. Scripts, a command line and the triggerer use
it directly; ``ZohoCRMHook`` only turns an Airflow connection into settings and builds one::

    from airflow_provider_zohocrm.client import ZohoCRMClient
    from airflow_provider_zohocrm.connection import settings_from_mapping

    with ZohoCRMClient(settings_from_mapping(login=..., password=..., extra={"refresh_token": ...})) as zoho:
        rules = zoho.workflow_rules.list_all("Leads")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_zohocrm.api.base import send_planned
from airflow_provider_zohocrm.api.cadences import CadencesAPI
from airflow_provider_zohocrm.api.connected_workflows import ConnectedWorkflowsAPI
from airflow_provider_zohocrm.api.workflow_rules import WorkflowRulesAPI
from airflow_provider_zohocrm.transport import ZohoTransport

if TYPE_CHECKING:
    from types import TracebackType

    from airflow_provider_zohocrm.auth.token_cache import TokenCache
    from airflow_provider_zohocrm.connection import ZohoCRMConnectionSettings
    from airflow_provider_zohocrm.plan import PlannedRequest

# What verify_credentials reads: cheap, and within the scope every automation call needs.
CHECK_PATH = "settings/automation/workflow_rules"


class ZohoCRMClient:
    """Typed Zoho CRM calls for one connection.

    :param settings: the validated connection (:class:`~airflow_provider_zohocrm.connection.ZohoCRMConnectionSettings`).
    :param token_cache: a shared access-token cache to use instead of the one the settings name.
    """

    def __init__(self, settings: ZohoCRMConnectionSettings, *, token_cache: TokenCache | None = None) -> None:
        self.settings = settings
        self.transport = ZohoTransport(settings, shared_cache=token_cache)
        # ``request(method, path, *, params=None, json=None, retry=True)``: any call, relative to
        # ``{api domain}/crm/{api_version}/``; its JSON body (``{}`` if empty), typed errors, retries.
        self.request = self.transport.request
        self.workflow_rules = WorkflowRulesAPI(self.transport)
        self.connected_workflows = ConnectedWorkflowsAPI(self.transport)
        self.cadences = CadencesAPI(self.transport)

    def verify_credentials(self) -> None:
        """Prove the connection works now: a token the accounts server mints for it, then one cheap read.

        Never answered from a token cache, so a wrong or regenerated client secret or a revoked
        refresh token fails here (``ZohoCRMAuthError``) even while an older good token is cached.
        The read (one workflow rule) needs the token's scope to cover the automation APIs; it
        goes out with the new token, which
        :meth:`~airflow_provider_zohocrm.auth.oauth.TokenManager.mint_fresh` put in the caches.
        """
        self.transport.tokens.mint_fresh()
        self.request("GET", CHECK_PATH, params={"per_page": 1, "page": 1})

    def send(self, request: PlannedRequest) -> list[dict[str, Any]]:
        """Send a write planned by an API module's builder (as a dry run shows it); Zoho's result items."""
        return send_planned(self.transport, request)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> ZohoCRMClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ZohoCRMClient({self.settings!r})"

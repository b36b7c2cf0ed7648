"""The Zoho CRM Airflow connection: which fields it has and how they are read and checked.

Everything that can be wrong with a connection is reported here, naming the field and the
connection id, before a single request goes out.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_zohocrm import data_centers

if TYPE_CHECKING:
    # Not imported at run time here: exceptions imports airflow, whose provider discovery calls
    # get_provider_info, which imports this module (via connection_form) — a circular import.
    from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

CONN_TYPE = "zoho_crm"
DEFAULT_CONN_ID = "zoho_crm_default"
API_VERSIONS = ("v8", "v7")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_MAX_RETRY_SECONDS = 300.0
# Below every paid edition's per-user concurrency limit (Standard 10 ... Ultimate 25); Free is 5.
DEFAULT_MAX_CONCURRENCY = 8
AUTH_CACHES = ("file", "memory", "variable")

# Extra keys the connection understands (also the keys of the UI form fields).
EXTRA_FIELDS = (
    "refresh_token",
    "data_center",
    "environment",
    "api_version",
    "accounts_url",
    "api_url",
    "timeout",
    "max_attempts",
    "max_retry_seconds",
    "max_concurrency",
    "auth_cache",
)


@dataclass(frozen=True)
class ZohoCRMConnectionSettings:
    """A validated Zoho CRM connection. ``repr`` hides the secrets."""

    conn_id: str
    client_id: str
    client_secret: str
    refresh_token: str
    data_center: str
    environment: str
    api_version: str
    accounts_url: str
    api_url: str
    api_url_overridden: bool
    timeout: float
    max_attempts: int
    max_retry_seconds: float
    max_concurrency: int
    auth_cache: str

    def __repr__(self) -> str:
        return (
            f"ZohoCRMConnectionSettings(conn_id={self.conn_id!r}, data_center={self.data_center!r}, "
            f"environment={self.environment!r}, accounts_url={self.accounts_url!r}, api_url={self.api_url!r})"
        )

    __str__ = __repr__

    @property
    def token_url(self) -> str:
        return f"{self.accounts_url}/oauth/v2/token"


def get_extra(extras: dict[str, Any], key: str) -> Any:
    """Read ``key``, falling back to the ``extra__zoho_crm__`` form older UIs saved; "" is unset."""
    for name in (key, f"extra__{CONN_TYPE}__{key}"):
        value = extras.get(name)
        if value is not None and value != "":
            return value
    return None


def settings_from_connection(
    conn: Any,
    *,
    timeout: float | None = None,
    max_attempts: int | None = None,
    max_retry_seconds: float | None = None,
) -> ZohoCRMConnectionSettings:
    """Validate an Airflow ``Connection`` into settings; hook arguments override the extras."""
    conn_id = str(getattr(conn, "conn_id", None) or DEFAULT_CONN_ID)
    extras = conn.extra_dejson or {}
    if not isinstance(extras, dict):
        raise _error(conn_id, "extra", "must be a JSON object")

    def choice(key: str, allowed: tuple[str, ...] | dict[str, Any], default: str) -> str:
        value = get_extra(extras, key)
        if value is None:
            return default
        value = str(value).strip().lower()
        if value not in allowed:
            raise _error(conn_id, key, f"is {value!r}; expected one of {', '.join(allowed)}")
        return value

    client_id = _required(conn_id, "login (Client ID)", getattr(conn, "login", None))
    client_secret = _required(conn_id, "password (Client Secret)", getattr(conn, "password", None))
    refresh_token = _required(conn_id, "refresh_token", get_extra(extras, "refresh_token"))
    data_center = choice("data_center", data_centers.DATA_CENTERS, data_centers.DEFAULT_DATA_CENTER)
    environment = choice("environment", data_centers.ENVIRONMENTS, data_centers.DEFAULT_ENVIRONMENT)
    api_version = choice("api_version", API_VERSIONS, API_VERSIONS[0])

    accounts_override = get_extra(extras, "accounts_url")
    api_override = get_extra(extras, "api_url")
    accounts_url = (
        check_base_url(accounts_override, conn_id, "accounts_url")
        if accounts_override is not None
        else data_centers.accounts_url(data_center)
    )
    api_url = (
        check_base_url(api_override, conn_id, "api_url")
        if api_override is not None
        else data_centers.api_url(data_center, environment)
    )
    return ZohoCRMConnectionSettings(
        conn_id=conn_id,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        data_center=data_center,
        environment=environment,
        api_version=api_version,
        accounts_url=accounts_url,
        api_url=api_url,
        api_url_overridden=api_override is not None,
        timeout=_positive(conn_id, "timeout", timeout, get_extra(extras, "timeout"), DEFAULT_TIMEOUT, float),
        max_attempts=int(
            _positive(
                conn_id, "max_attempts", max_attempts, get_extra(extras, "max_attempts"), DEFAULT_MAX_ATTEMPTS, int
            )
        ),
        max_retry_seconds=_positive(
            conn_id,
            "max_retry_seconds",
            max_retry_seconds,
            get_extra(extras, "max_retry_seconds"),
            DEFAULT_MAX_RETRY_SECONDS,
            float,
        ),
        max_concurrency=int(
            _positive(
                conn_id, "max_concurrency", None, get_extra(extras, "max_concurrency"), DEFAULT_MAX_CONCURRENCY, int
            )
        ),
        auth_cache=choice("auth_cache", AUTH_CACHES, AUTH_CACHES[0]),
    )


def check_base_url(value: Any, conn_id: str, field: str) -> str:
    """Accept ``https://host[:port][/path]``, or plain http only to a loopback host."""
    if not isinstance(value, str):
        raise _error(conn_id, field, "must be a URL string")
    parts = urlsplit(value.strip())
    # Checked first, so that the messages below never echo credentials or a token in a query.
    if parts.username or parts.password or parts.query or parts.fragment:
        raise _error(conn_id, field, "must not contain credentials, a query or a fragment")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _error(conn_id, field, f"is {value!r}; expected an https:// URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise _error(
            conn_id, field, f"uses plain http to {parts.hostname!r}; http is only allowed to loopback hosts, use https"
        )
    return value.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _required(conn_id: str, field: str, value: Any) -> str:
    if value is None or str(value).strip() == "":
        raise _error(conn_id, field, "is missing")
    return str(value).strip()


def _positive(conn_id: str, field: str, override: Any, extra: Any, default: float, kind: type) -> float:
    value = override if override is not None else extra
    if value is None:
        return default
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise _error(conn_id, field, f"is {value!r}; expected a positive number") from None
    if number <= 0:
        raise _error(conn_id, field, f"is {value!r}; expected a positive number")
    return float(number)


def _error(conn_id: str, field: str, problem: str) -> ZohoCRMConnectionConfigError:
    from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

    return ZohoCRMConnectionConfigError(
        f"Zoho CRM connection {conn_id!r}: field {field} {problem}",
        details={"param_name": field, "conn_id": conn_id},
        hint=f"Edit the connection {conn_id!r} (Admin > Connections, or its AIRFLOW_CONN_ variable)",
    )

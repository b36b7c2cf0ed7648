"""The Zoho CRM connection: which fields it has and how they are read and checked.

``EXTRAS`` declares every extra once; the parser below, the ``DEFAULT_*`` constants and the UI
form (:mod:`~airflow_provider_zohocrm.connection_form`) all derive from it, so they cannot drift.
Everything that can be wrong with a connection is reported here, naming the field and the
connection id, before a single request goes out. Imports nothing from Airflow: scripts build
settings with :func:`settings_from_mapping`.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from airflow_provider_zohocrm import data_centers

if TYPE_CHECKING:
    # Not imported at run time here: exceptions imports airflow, whose provider discovery calls
    # get_provider_info, which imports this module (via connection_form) — a circular import.
    from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

CONN_TYPE = "zoho_crm"
DEFAULT_CONN_ID = "zoho_crm_default"

ExtraKind = Literal["secret", "choice", "url", "positive_float", "positive_int"]


@dataclass(frozen=True)
class ExtraField:
    """One connection extra: how it is parsed and checked, its default, and how the form shows it.

    Kinds: ``secret`` (a string the UI masks), ``choice`` (one of ``choices``, case-insensitive),
    ``url`` (an override checked by :func:`check_base_url`; unset means "derive it"),
    ``positive_float`` and ``positive_int``.
    """

    key: str
    kind: ExtraKind
    label: str
    description: str
    default: str | float | None = None  # None: unset (URLs) or required
    choices: tuple[str, ...] = ()
    required: bool = False
    maximum: float = math.inf  # numbers: the largest sensible value (a bound turns "1e400" into an error)

    def parse(self, conn_id: str, value: Any) -> Any:
        """The checked value of this extra (``None`` meaning unset), or its default."""
        if self.required:
            return _required(conn_id, self.key, value)
        if value is None:
            return self.default
        if self.kind == "choice":
            choice = value.strip().lower() if isinstance(value, str) else None
            if choice not in self.choices:
                raise _error(conn_id, self.key, f"is {_preview(value)}; expected one of {', '.join(self.choices)}")
            return choice
        if self.kind == "url":
            return check_base_url(value, conn_id, self.key)
        if self.kind in ("positive_float", "positive_int"):
            return _positive(conn_id, self.key, value, integer=self.kind == "positive_int", maximum=self.maximum)
        return _required(conn_id, self.key, value)


EXTRAS: tuple[ExtraField, ...] = (
    ExtraField(
        "refresh_token",
        "secret",
        "Refresh Token",
        "OAuth refresh token from Zoho's API console (self-client).",
        required=True,
    ),
    ExtraField(
        "data_center",
        "choice",
        "Data Center",
        "Where the Zoho org lives.",
        default=data_centers.DEFAULT_DATA_CENTER,
        choices=tuple(data_centers.DATA_CENTERS),
    ),
    ExtraField(
        "environment",
        "choice",
        "Environment",
        "Production org, or its sandbox or developer org.",
        default=data_centers.DEFAULT_ENVIRONMENT,
        choices=tuple(data_centers.ENVIRONMENTS),
    ),
    ExtraField(
        "api_version", "choice", "API Version", "Zoho CRM REST API version.", default="v8", choices=("v8", "v7")
    ),
    ExtraField(
        "accounts_url",
        "url",
        "Accounts URL",
        "Override of the accounts server (e.g. an emulator). Leave empty normally.",
    ),
    ExtraField(
        "api_url",
        "url",
        "API URL",
        "Override of the API domain (e.g. an emulator or proxy). Leave empty normally.",
    ),
    ExtraField("timeout", "positive_float", "Timeout (seconds)", "Per-request timeout.", default=30.0, maximum=3600),
    ExtraField(
        "max_attempts",
        "positive_int",
        "Max Attempts",
        "Attempts per call on 429/5xx/connection errors, the first included.",
        default=6,
        maximum=100,
    ),
    ExtraField(
        "max_retry_seconds",
        "positive_float",
        "Retry Budget (seconds)",
        "Longest time one call may spend retrying.",
        default=300.0,
        maximum=86400,
    ),
    # 8: below every paid edition's per-user concurrency limit (Standard 10 ... Ultimate 25); Free is 5.
    ExtraField(
        "max_concurrency",
        "positive_int",
        "Max Concurrent Calls",
        "Calls in flight at once per credential in one process (Zoho limits concurrency per user).",
        default=8,
        maximum=100,
    ),
    # Not named like a secret ("token_cache"): Airflow would mask every "memory" in the task logs.
    ExtraField(
        "auth_cache",
        "choice",
        "Token Cache",
        "file: one access token per host; variable: one per deployment (Airflow "
        "Variables, for workers on several hosts); memory: per process.",
        default="file",
        choices=("file", "memory", "variable"),
    ),
)

_BY_KEY = {field.key: field for field in EXTRAS}

# Extra keys the connection understands (also the keys of the UI form fields), in form order.
EXTRA_FIELDS = tuple(_BY_KEY)
API_VERSIONS = _BY_KEY["api_version"].choices
AUTH_CACHES = _BY_KEY["auth_cache"].choices


def _default(key: str) -> Any:
    return _BY_KEY[key].default


DEFAULT_TIMEOUT: float = _default("timeout")
DEFAULT_MAX_ATTEMPTS: int = _default("max_attempts")
DEFAULT_MAX_RETRY_SECONDS: float = _default("max_retry_seconds")
DEFAULT_MAX_CONCURRENCY: int = _default("max_concurrency")


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


def get_extra(extras: Mapping[str, Any], key: str) -> Any:
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
    return settings_from_mapping(
        conn_id=getattr(conn, "conn_id", None),
        login=getattr(conn, "login", None),
        password=getattr(conn, "password", None),
        extra=conn.extra_dejson,
        timeout=timeout,
        max_attempts=max_attempts,
        max_retry_seconds=max_retry_seconds,
    )


def settings_from_mapping(
    *,
    conn_id: str | None = None,
    login: Any = None,
    password: Any = None,
    extra: Any = None,
    timeout: float | None = None,
    max_attempts: int | None = None,
    max_retry_seconds: float | None = None,
) -> ZohoCRMConnectionSettings:
    """Validate plain connection values into settings, without Airflow (scripts, the triggerer).

    :param login: the OAuth client id; ``password``: its client secret.
    :param extra: the extras as a mapping (keys of ``EXTRAS``; the ``extra__zoho_crm__`` form too).
    :param timeout: overrides the ``timeout`` extra; likewise ``max_attempts`` and ``max_retry_seconds``.
    """
    conn_id = _conn_id(conn_id)
    extras = {} if extra is None else extra
    if not isinstance(extras, Mapping):
        raise _error(conn_id, "extra", "must be a JSON object")
    _check_extra_keys(conn_id, extras)
    overrides = {"timeout": timeout, "max_attempts": max_attempts, "max_retry_seconds": max_retry_seconds}

    client_id = _required(conn_id, "login (Client ID)", login)
    client_secret = _required(conn_id, "password (Client Secret)", password)
    values: dict[str, Any] = {}
    for field in EXTRAS:
        override = overrides.get(field.key)
        values[field.key] = field.parse(conn_id, override if override is not None else get_extra(extras, field.key))

    accounts_override = values.pop("accounts_url")
    api_override = values.pop("api_url")
    return ZohoCRMConnectionSettings(
        conn_id=conn_id,
        client_id=client_id,
        client_secret=client_secret,
        accounts_url=accounts_override or data_centers.accounts_url(values["data_center"]),
        api_url=api_override or data_centers.api_url(values["data_center"], values["environment"]),
        api_url_overridden=api_override is not None,
        **values,
    )


def check_base_url(value: Any, conn_id: str, field: str) -> str:
    """Accept ``https://host[:port][/path]``, or plain http only to a loopback host."""
    if not isinstance(value, str):
        raise _error(conn_id, field, "must be a URL string")
    text = value.strip()
    # No message before the credentials check echoes the URL: it may hold a password or a token.
    if len(text) > _URL_MAX_LENGTH or any(char.isspace() or not char.isprintable() for char in text):
        raise _error(conn_id, field, f"must be a URL of at most {_URL_MAX_LENGTH} characters without spaces")
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        raise _error(conn_id, field, "is not a valid URL (check the brackets of an IPv6 host and the port)") from None
    if parts.username or parts.password or parts.query or parts.fragment:
        raise _error(conn_id, field, "must not contain credentials, a query or a fragment")
    if parts.scheme not in ("https", "http") or not parts.hostname or len(parts.hostname) > 253:
        raise _error(conn_id, field, f"is {_preview(text)}; expected an https:// URL")
    if port == 0:
        raise _error(conn_id, field, f"is {text!r}; port 0 is not a port a server listens on")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise _error(
            conn_id, field, f"uses plain http to {parts.hostname!r}; http is only allowed to loopback hosts, use https"
        )
    return text.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _required(conn_id: str, field: str, value: Any) -> str:
    """Text that is there: no other type, no control characters (they would end up in a form or header)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _error(conn_id, field, "is missing")
    if not isinstance(value, str):
        raise _error(conn_id, field, f"must be text; got a {type(value).__name__}")
    text = value.strip()
    if len(text) > _TEXT_MAX_LENGTH or not text.isprintable():
        # The value is not shown: it may be a secret.
        raise _error(conn_id, field, f"must be printable text of at most {_TEXT_MAX_LENGTH} characters")
    return text


def _positive(conn_id: str, field: str, value: Any, *, integer: bool, maximum: float) -> int | float:
    """A number above 0 and at most ``maximum``: an int or float, or its plain decimal text (no bool, NaN, inf)."""
    number = _number(value, integer)
    if number is None or not 0 < number <= maximum:
        whole = "whole " if integer else ""
        raise _error(conn_id, field, f"is {_preview(value)}; expected a positive {whole}number, at most {maximum:g}")
    return number


def _number(value: Any, integer: bool) -> int | float | None:
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 30 or not (_INTEGER if integer else _DECIMAL).fullmatch(text):
            return None
        value = int(text) if integer else float(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and abs(value) > _NUMBER_LIMIT:  # beyond any bound; float() would overflow
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if integer:
        return int(value) if float(value).is_integer() else None
    return float(value)


def _conn_id(conn_id: Any) -> str:
    if conn_id is None or conn_id == "":
        return DEFAULT_CONN_ID
    if not isinstance(conn_id, str) or len(conn_id) > 250 or not conn_id.isprintable():
        raise _error(
            DEFAULT_CONN_ID, "conn_id", f"must be printable text of at most 250 characters; got {_preview(conn_id)}"
        )
    return conn_id


def _check_extra_keys(conn_id: str, extras: Mapping[Any, Any]) -> None:
    """Every key must be an extra this connection reads: a typo must not fall back to a default unnoticed."""
    prefix = f"extra__{CONN_TYPE}__"
    for key in extras:
        name = key[len(prefix) :] if isinstance(key, str) and key.startswith(prefix) else key
        if name in _BY_KEY:
            continue
        close = difflib.get_close_matches(name, EXTRA_FIELDS, n=1) if isinstance(name, str) else []
        raise _error(
            conn_id,
            f"extra.{key}" if isinstance(key, str) and len(key) <= 100 else "extra",
            f"has the key {_preview(key)}, which is not a setting of this connection"
            + (f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(EXTRA_FIELDS)}"),
        )


_TEXT_MAX_LENGTH = 1000
_NUMBER_LIMIT = 10**15
_URL_MAX_LENGTH = 2048
_INTEGER = re.compile(r"\+?[0-9]+")
_DECIMAL = re.compile(r"\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _preview(value: Any) -> str:
    """``validation.preview``, imported on use (validation imports exceptions, which import Airflow)."""
    from airflow_provider_zohocrm.validation import preview as show

    return show(value)


def _error(conn_id: str, field: str, problem: str) -> ZohoCRMConnectionConfigError:
    from airflow_provider_zohocrm.exceptions import ZohoCRMConnectionConfigError

    return ZohoCRMConnectionConfigError(
        f"Zoho CRM connection {conn_id!r}: field {field} {problem}",
        details={"param_name": field, "conn_id": conn_id},
        hint=f"Edit the connection {conn_id!r} (Admin > Connections, or its AIRFLOW_CONN_ variable)",
    )

"""HTTP to Zoho CRM: one keep-alive session, auth header, 401 refresh, retries, typed errors.

Imported lazily by the hook: ``requests`` and ``tenacity`` load only when a task makes a call.
Errors raised here never chain to a ``requests`` exception: those hold the prepared request, with
its Authorization header, and error reporters that walk ``__context__`` would send it on.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import get_environ_proxies

from airflow_provider_zohocrm import __version__, deadline
from airflow_provider_zohocrm.answers import describe_location, host_of, parse_json
from airflow_provider_zohocrm.auth.oauth import TokenManager
from airflow_provider_zohocrm.auth.token_cache import AccessToken, FileTokenCache, TokenCache
from airflow_provider_zohocrm.connection import ZohoCRMConnectionSettings
from airflow_provider_zohocrm.data_centers import is_zoho_api_domain
from airflow_provider_zohocrm.exceptions import (
    ZohoCRMRedirectError,
    ZohoCRMServerError,
    ZohoCRMTransportError,
    error_from_response,
)
from airflow_provider_zohocrm.retry import RetryPolicy, is_token_rejection
from airflow_provider_zohocrm.validation import check_request_args

log = logging.getLogger(__name__)

_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]+$")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class ZohoSession(requests.Session):
    """A ``requests.Session`` that reads the environment once per host instead of on every call.

    With ``trust_env`` a plain session scans every environment variable for proxies and stats
    ``~/.netrc`` (three GIL-releasing syscalls) on each request: a quarter of a hook call's CPU
    with 40 variables (benchmarks/call_overhead.py), more in a worker's larger environment, and
    threads of a batched un-enroll queue for the GIL meanwhile. Here the proxies (``HTTPS_PROXY``,
    ``NO_PROXY`` ...) and the CA bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) are read on
    the first call to a host and reused. ``~/.netrc`` is not read at all: a matching entry would
    replace the ``Authorization: Zoho-oauthtoken`` header with Basic credentials.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self._environment: dict[tuple[str, str], tuple[dict[str, str], str | None]] = {}
        adapter = deadline.DeadlineAdapter()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send within a deadline: a numeric ``timeout`` bounds the whole exchange, body included.

        A late exchange is cut by the watchdog (``deadline.py``) and reported as
        ``deadline.DeadlineExceeded``, a ``requests.Timeout``.
        """
        timeout = kwargs.get("timeout")
        if kwargs.get("stream") or isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            return super().send(request, **kwargs)
        watch = deadline.start(float(timeout))
        try:
            return super().send(request, **kwargs)
        except Exception:
            if not watch.fired:
                raise
        finally:
            deadline.finish(watch)
        raise deadline.DeadlineExceeded(f"no complete answer within {timeout:g} s")

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        parts = urlsplit(str(url))
        key = (parts.scheme, parts.netloc)
        found = self._environment.get(key)
        if found is None:
            no_proxy = proxies.get("no_proxy") if proxies else None
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            found = self._environment[key] = (get_environ_proxies(str(url), no_proxy=no_proxy), bundle)
        env_proxies, bundle = found
        proxies = dict(proxies or {})
        for scheme, proxy in env_proxies.items():
            proxies.setdefault(scheme, proxy)
        if (verify is True or verify is None) and bundle:
            verify = bundle
        return super().merge_environment_settings(url, proxies, stream, verify, cert)


_SLOTS: dict[str, tuple[int, threading.BoundedSemaphore]] = {}
_SLOTS_GUARD = threading.Lock()


def concurrency_slots(key: str, limit: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore capping calls in flight for one credential.

    Zoho counts concurrent calls per user; every hook and thread of a process using the same
    credential draws from the same slots, so a batched unenroll cannot exceed the limit. The
    first connection of a credential sets the cap; another ``max_concurrency`` for the same
    credential is logged as ignored rather than silently dropped.
    """
    with _SLOTS_GUARD:
        found = _SLOTS.get(key)
        if found is None:
            found = _SLOTS[key] = (limit, threading.BoundedSemaphore(limit))
        elif found[0] != limit:
            log.warning(
                "max_concurrency %d is ignored: this process already caps calls with the same Zoho "
                "credential at %d (set by the first connection that used it); give both connections "
                "the same value",
                limit,
                found[0],
            )
        return found[1]


class ZohoTransport:
    """Sends authenticated requests for one connection and turns failures into typed errors."""

    def __init__(self, settings: ZohoCRMConnectionSettings, shared_cache: TokenCache | None = None) -> None:
        self.settings = settings
        self.policy = RetryPolicy.for_settings(settings)
        self.session = ZohoSession()
        self.session.headers["User-Agent"] = f"airflow-provider-zohocrm/{__version__}"
        if shared_cache is None and settings.auth_cache != "memory":
            shared_cache = _shared_cache_or_none(settings.auth_cache, self.policy)
        self.tokens = TokenManager(settings, self.session, shared_cache, policy=self.policy)
        self.slots = concurrency_slots(self.tokens.key, settings.max_concurrency)

    def close(self) -> None:
        self.session.close()

    def api_root(self, token: AccessToken) -> str:
        """``{api domain}/crm/{version}``; the token's domain is used only if it is Zoho's own.

        An explicit ``api_url`` always wins, and sandbox/developer environments keep their host
        because Zoho's token response names the production domain.
        """
        settings = self.settings
        domain = settings.api_url
        if (
            not settings.api_url_overridden
            and settings.environment == "production"
            and token.api_domain
            and is_zoho_api_domain(token.api_domain)
        ):
            domain = token.api_domain.rstrip("/")
        return f"{domain}/crm/{settings.api_version}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        retry: bool = True,
    ) -> dict[str, Any]:
        """Call ``{api root}/{path}`` and return the parsed body (``{}`` for an empty one)."""
        # The one gate of a raw call: every argument checked before a token or a request is asked for.
        method = check_request_args(method, path, params, json, retry=retry)

        def attempt() -> dict[str, Any]:
            return self._attempt(method, path, params, json)

        if not retry:
            return attempt()
        return self.policy.call(attempt, describe=f"{method} {path}")

    def _attempt(self, method: str, path: str, params: dict[str, Any] | None, body: Any) -> dict[str, Any]:
        token = self.tokens.get()
        response = self._send(token, method, path, params, body)
        code = _error_code(response)
        if is_token_rejection(response.status_code, code):
            # The token expired or was killed early (a 16th token, a revocation): one new token,
            # never the rejected one again, and one more try.
            log.info("Zoho rejected the access token (%s); renewing it once", code)
            token = self.tokens.renew(token)
            response = self._send(token, method, path, params, body)
        return self._parse(response)

    def _send(
        self, token: AccessToken, method: str, path: str, params: dict[str, Any] | None, body: Any
    ) -> requests.Response:
        url = f"{self.api_root(token)}/{path}"
        started = time.monotonic()
        failure = None
        try:
            with self.slots:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers={"Authorization": f"Zoho-oauthtoken {token.value}"},
                    timeout=self.settings.timeout,
                    allow_redirects=False,
                )
        except requests.RequestException as exc:
            # Only the class is kept: the exception holds the request, Authorization header and all.
            failure = (type(exc).__name__, isinstance(exc, requests.Timeout))
        if failure is not None:  # raised outside the handler, so nothing chains to the original
            raise self._transport_error(method, path, url, *failure)
        log.debug(
            "%s %s -> HTTP %s in %.0f ms", method, path, response.status_code, (time.monotonic() - started) * 1000
        )
        return response

    def _transport_error(self, method: str, path: str, url: str, cause: str, timed_out: bool) -> ZohoCRMTransportError:
        """The sanitised error for a failed exchange: what failed, the failure's class name and the host."""
        host = host_of(url)
        details = {"host": host, "cause": cause}
        if timed_out:
            return ZohoCRMTransportError(
                f"{method} {path}: no complete answer from Zoho CRM ({host}) within {self.settings.timeout:g} s",
                details=details,
                hint="Raise the connection's timeout extra if this call is legitimately slow",
            )
        return ZohoCRMTransportError(
            f"{method} {path}: could not reach Zoho CRM ({cause}, host {host})",
            details=details,
            hint="Check network access to the API domain and the connection's data center",
        )

    def _parse(self, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if status < 300 and (status == 204 or not response.content):
            return {}
        if 300 <= status < 400:
            target = describe_location(response.headers.get("Location"))
            raise ZohoCRMRedirectError(
                f"Zoho CRM answered HTTP {status}, a redirect to {target}; "
                "redirects are never followed (the access token would go along)",
                status_code=status,
                details={"api_url": self.settings.api_url},
                hint=f"Check the connection's data center, environment and api_url (now {self.settings.api_url})",
            )
        body, problem = parse_json(response)
        if status < 300:
            if not isinstance(body, dict):
                why = problem or f"a JSON {type(body).__name__}"
                raise ZohoCRMServerError(
                    f"Zoho CRM answered HTTP {status} with a body that is not a JSON object ({why})",
                    status_code=status,
                    hint="Check that api_url points at Zoho CRM",
                )
            return body
        raise error_from_response(status, body, retry_after=_retry_after(response))


def _error_code(response: requests.Response) -> Any:
    """The ``code`` of a 401's error envelope (only 401s are read here: they decide a token renewal)."""
    if response.status_code != 401:
        return None
    body, _ = parse_json(response)
    return body.get("code") if isinstance(body, dict) else None


def _shared_cache_or_none(kind: str, policy: RetryPolicy) -> TokenCache | None:
    """The configured cross-process cache, or None (process memory only) if the host has no usable one."""
    host_cache = FileTokenCache()
    try:
        host_cache.ensure_dir()
    except OSError as exc:
        log.warning("Token file cache unavailable (%s); tokens are cached in this process only", exc)
        return None
    if kind == "variable":
        from airflow_provider_zohocrm.auth.variable_cache import VariableTokenCache

        return VariableTokenCache(host_cache, policy=policy)
    return host_cache

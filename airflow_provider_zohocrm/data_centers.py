"""Zoho data centers: which accounts server and API domain serve each region and environment.

Zoho runs one isolated stack per region; an org's refresh token only works against the accounts
server of the region it was created in, and sandbox/developer orgs use their own API hosts.
"""

from __future__ import annotations

import re

# data center -> (accounts host, API top-level domain). AE is in the server list of Zoho's published
# API definitions; the UK API host follows the others' pattern but no Zoho source seen names it
# (only accounts.zoho.uk is seen), so it is unverified.
DATA_CENTERS: dict[str, tuple[str, str]] = {
    "us": ("accounts.zoho.com", "com"),
    "eu": ("accounts.zoho.eu", "eu"),
    "in": ("accounts.zoho.in", "in"),
    "au": ("accounts.zoho.com.au", "com.au"),
    "jp": ("accounts.zoho.jp", "jp"),
    "cn": ("accounts.zoho.com.cn", "com.cn"),
    "ca": ("accounts.zohocloud.ca", "ca"),
    "sa": ("accounts.zoho.sa", "sa"),
    "uk": ("accounts.zoho.uk", "uk"),
    "ae": ("accounts.zoho.ae", "ae"),
}

# environment -> API host prefix
ENVIRONMENTS: dict[str, str] = {"production": "www", "sandbox": "sandbox", "developer": "developer"}

DEFAULT_DATA_CENTER = "us"
DEFAULT_ENVIRONMENT = "production"

_API_HOST = re.compile(
    r"^(?:www|sandbox|developer)\.zohoapis\.(?:" + "|".join(re.escape(tld) for _, tld in DATA_CENTERS.values()) + r")$"
)


def accounts_url(data_center: str) -> str:
    """The accounts (OAuth) server of a data center."""
    return f"https://{DATA_CENTERS[data_center][0]}"


def api_url(data_center: str, environment: str) -> str:
    """The API domain of a data center's production, sandbox or developer environment."""
    return f"https://{ENVIRONMENTS[environment]}.zohoapis.{DATA_CENTERS[data_center][1]}"


def is_zoho_api_domain(url: str) -> bool:
    """True for ``https://{www|sandbox|developer}.zohoapis.<known tld>`` and nothing else.

    The token response names the API domain to use; accepting it only when it is one of Zoho's
    own hosts means a tampered or misrouted response cannot redirect our Authorization header.
    """
    prefix = "https://"
    if not url.startswith(prefix):
        return False
    host = url[len(prefix) :].rstrip("/")
    return bool(_API_HOST.fullmatch(host))

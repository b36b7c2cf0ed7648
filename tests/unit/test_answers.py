"""Reading any answer: JSON too deep for the parser, non-JSON, hosts and redirect targets for messages."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_zohocrm.answers import describe_location, host_of, parse_json


def _response(content: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = content
    return response


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"a": [1, 2]}', ({"a": [1, 2]}, None)),
        (b"[1]", ([1], None)),
        (b"<html/>", (None, "not JSON")),
        (b"", (None, "not JSON")),
        (b"[" * 100_000 + b"]" * 100_000, (None, "JSON nested too deeply to read")),
    ],
    ids=["object", "array", "html", "empty", "deep"],
)
def test_parse_json(content, expected):
    assert parse_json(_response(content)) == expected


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.zohoapis.com/crm/v8/org", "www.zohoapis.com"),
        ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
        ("", "?"),
        (None, "?"),
        ("http://[::1", "?"),
    ],
)
def test_host_of(url, host):
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("https://accounts.zoho.eu/oauth/v2/token?refresh_token=x#y", "https://accounts.zoho.eu/oauth/v2/token"),
        ("https://user:secret@evil.example:8443/steal", "https://evil.example:8443/steal"),
        ("https://evil.example:notaport/x", "https://evil.example/x"),
        ("/crm/v8/org?x=1", "/crm/v8/org"),
        (None, "nowhere (no Location header)"),
        ("", "nowhere (no Location header)"),
        ("http://[::1", "an unreadable location"),
    ],
)
def test_describe_location(location, shown):
    assert describe_location(location) == shown

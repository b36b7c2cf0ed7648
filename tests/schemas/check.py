"""JSON schemas of Zoho CRM v8 answers, written from Zoho's published API definitions (zoho/crm-oas, v8.0).

Each ``<name>.json`` beside this module restates, in the project's own words, what Zoho's
definitions and example bodies allow for one answer: required keys, types, nullable fields, and
that Zoho may add keys of its own (``additionalProperties`` is left open unless Zoho's
definitions close it). The emulator's answers are checked against them, so the emulator cannot
drift into shapes Zoho never sends.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@cache
def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((HERE / f"{name}.json").read_text())
    return loaded


def assert_matches(name: str, body: Any) -> None:
    """Fail with every violation listed if ``body`` does not match the schema ``name``."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema(name))
    problems = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not problems, f"{name}: " + "; ".join(
        f"at {'/'.join(map(str, p.absolute_path)) or '(root)'}: {p.message}" for p in problems
    )

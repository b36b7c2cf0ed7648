"""Lazy (PEP 562) exports for the operators, sensors and triggers packages.

DAG files import these packages on every parse; resolving a name imports only the module that
defines it, so a DAG using one operator never pays for the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose ``exports`` map names to submodules."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value  # resolved once; later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__

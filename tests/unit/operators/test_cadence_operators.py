"""The old name of ``test_cadences.py``: no tests, only the names ``tests/unit/unenroll/test_checkpoint_store.py``
imports from here. Delete this module once that import reads ``from ..operators.test_cadences import ...``."""

from __future__ import annotations

from unit.helpers import UNENROLL_URL as URL

from .test_cadences import CADENCES, CADENCES_URL, TASK, answer, op, unenroll_calls

__all__ = ["CADENCES", "CADENCES_URL", "TASK", "URL", "answer", "op", "unenroll_calls"]

"""Helpers for this repository's own tests, scripts and benchmarks; not part of the wheel.

Tests import them as ``support.<module>`` (``tests/`` is on ``sys.path`` via the rootdir
conftest); scripts outside ``tests/`` put ``<repo>/tests`` on ``sys.path`` themselves.
"""

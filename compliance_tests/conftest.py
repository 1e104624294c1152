"""Fixtures shared across suites. pytest accepts ``pytest_plugins`` only in this top-level conftest."""

pytest_plugins = ["compliance.sandbox.testing"]

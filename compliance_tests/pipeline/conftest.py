"""Fixtures for the main job's tests: headless Chromium (shared definition with the report tests)."""

from compliance_tests.report.conftest import browser  # noqa: F401 (a fixture, used by name)

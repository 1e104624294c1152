"""Shared fixtures for the report tests: a run directory maker and headless Chromium (per module)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.report.screenshot import CHROMIUM, CHROMIUM_ARGS
from compliance_tests.report.report_builders import baseline_findings, write_inputs


class Run:
    """One `compliance report` invocation over fixture inputs."""

    def __init__(self, directory: Path, exit_code: int) -> None:
        self.dir = directory
        self.exit_code = exit_code

    @property
    def report(self) -> dict:
        return json.loads((self.dir / "report.json").read_text())

    def text(self, name: str) -> str:
        return (self.dir / name).read_text()


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., Run]:
    """make_run(findings=None, name=..., extra_args=[...], graph=True) -> Run, in tmp_path/reports/<name>."""

    def _make(findings: dict | None = None, *, name: str = "20250101T000000Z", extra_args: list[str] | None = None,
              graph: bool = True, deployed_outputs: bool = True, today: str = "2025-06-01") -> Run:
        run_dir = tmp_path / "reports" / name
        write_inputs(run_dir, findings if findings is not None else baseline_findings(), graph=graph,
                     deployed_outputs=deployed_outputs)
        code = main(["report", "--in", str(run_dir), "--quiet", "--today", today, *(extra_args or [])])
        return Run(run_dir, code)

    return _make


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium for one test module.

    Module-scoped on purpose: while Playwright's sync API is open it holds an
    asyncio loop in this thread, and the Pulumi engine that other suites run in
    this process (render, sandbox deploys) cannot start its own loop then.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()

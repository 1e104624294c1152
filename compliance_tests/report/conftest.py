"""Shared fixtures for the report tests: a run directory maker and headless Chromium (per module)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.report.screenshot import headless_chromium
from compliance_tests.report.report_builders import (
    LIVE_KEY_ARN,
    STREAM,
    WAIVER,
    baseline_findings,
    declared,
    live,
    write_inputs,
)


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
    with headless_chromium() as instance:
        yield instance


@pytest.fixture
def mixed_run(make_run, tmp_path):
    """A run with a failure, an error on a live ARN, a waived failure and an unmapped check: every branch of
    every format."""
    findings = baseline_findings()
    findings["preview"][0] = declared("ENC-01", "preview", "fail", STREAM, message="encryptionType | NONE",
                                      severity="high")
    findings["preview"][2] = dataclasses.replace(findings["preview"][2], status="fail", message="no TLS-only policy")
    findings["live"][1] = live("KMS-01", "error", LIVE_KEY_ARN, "k", "AWS::KMS::Key",
                               message="AccessDenied: kms:GetKeyRotationStatus")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVER)
    return make_run(findings, extra_args=["--waivers", str(waivers)])

"""Running ``python -m compliance audit`` in-process and reading what it wrote."""

from __future__ import annotations

import io
import uuid
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from compliance import REPO_ROOT
from compliance.cli import main
from compliance.findings import Finding, FindingsFile

MOTO_READ_GAPS = REPO_ROOT / "compliance" / "audit" / "moto-read-gaps.json"
GREEN = ("pass", "not_applicable")


@dataclass
class AuditRun:
    exit_code: int
    file: FindingsFile
    output: str

    @property
    def findings(self) -> list[Finding]:
        return self.file.findings

    def with_status(self, *statuses: str) -> list[Finding]:
        return [f for f in self.findings if f.status in statuses]

    def of(self, control: str) -> list[Finding]:
        return [f for f in self.findings if f.control == control]

    def not_green(self) -> set[tuple[str, str]]:
        """(control, resource name) of every finding that is neither pass nor not_applicable."""
        return {(f.control, f.resource.name) for f in self.findings if f.status not in GREEN}


def run_audit_cli(out_root: Path, *args: str) -> AuditRun:
    out = out_root / f"audit-{uuid.uuid4().hex[:8]}"
    buffer = io.StringIO()
    with redirect_stdout(buffer), redirect_stderr(buffer):
        code = main(["audit", "--max-attempts", "2", "--out", str(out), *args])
    return AuditRun(code, FindingsFile.read(out / "audit.json"), buffer.getvalue())


def sandbox_args(stack, *extra: str, endpoint: str | None = None) -> list[str]:
    """Audit one sandbox stack: its endpoint, region and suffix, with the sandbox's gaps and moto's read gaps."""
    return ["--endpoint-url", endpoint or stack.endpoint, "--region", stack.region, "--suffix", stack.suffix,
            "--known-gaps", str(stack.gaps_path), "--known-gaps", str(MOTO_READ_GAPS), *extra]

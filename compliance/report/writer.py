"""Write a run directory: report.json and every format rendered from it, the inputs, the manifest, the history."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from compliance.findings import write_json_atomic
from compliance.report.csvfile import render_csv
from compliance.report.history import history
from compliance.report.html import render_history_html, render_report_html
from compliance.report.junit import render_junit
from compliance.report.manifest import write_manifest
from compliance.report.markdown import render_markdown
from compliance.report.sarif import render_sarif
from compliance.report.schema import validate_report

OUTPUT_FILES = {
    "report.json": "the one machine-readable result",
    "index.html": "the auditor's report",
    "summary.md": "Markdown summary (PR comment, job summary)",
    "findings.csv": "one finding a row",
    "junit.xml": "one test case per control and resource",
    "report.sarif": "SARIF 2.1.0 for code scanning",
    "manifest.json": "SHA-256 of every file of the run, chained to the previous run",
}
HISTORY_PAGE = "index.html"


def write_text_atomic(path: Path, text: str) -> None:
    """Write text so that a reader never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def copy_inputs(out_dir: Path, files: dict[str, Path | None]) -> None:
    """Keep the run's inputs beside its outputs (under their canonical names) so the manifest covers them."""
    for name, source in files.items():
        if source is None:
            continue
        target = out_dir / name
        if target.exists() and target.resolve() == Path(source).resolve():
            continue
        shutil.copyfile(source, target)


def write_run(report: dict[str, Any], out_dir: Path) -> Path:
    """Render every format into ``out_dir``, seal it, and refresh the history page beside it.

    Returns the path of the run's HTML report.
    """
    validate_report(report, "built report")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / "report.json", report)
    write_text_atomic(out_dir / "index.html", render_report_html(report))
    write_text_atomic(out_dir / "summary.md", render_markdown(report))
    write_text_atomic(out_dir / "findings.csv", render_csv(report))
    write_text_atomic(out_dir / "junit.xml", render_junit(report))
    write_text_atomic(out_dir / "report.sarif", json.dumps(render_sarif(report), indent=2, sort_keys=True) + "\n")
    write_manifest(out_dir, report["generatedAt"])
    write_text_atomic(out_dir.parent / HISTORY_PAGE, render_history_html(history(out_dir.parent)))
    return out_dir / "index.html"

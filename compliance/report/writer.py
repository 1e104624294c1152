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
from compliance.report.manifest import previous_entry, write_manifest
from compliance.report.markdown import render_markdown
from compliance.report.ocsf import OCSF_FILE, render_ocsf
from compliance.report.pdf import PDF_FILE, render_pdf
from compliance.report.sarif import render_sarif
from compliance.report.schema import validate_report

OUTPUT_FILES = {
    "report.json": "the one machine-readable result",
    "index.html": "the auditor's report",
    "summary.md": "Markdown summary (PR comment, job summary)",
    "findings.csv": "one finding a row",
    "junit.xml": "one test case per control and resource",
    "report.sarif": "SARIF 2.1.0 for code scanning",
    OCSF_FILE: "OCSF Compliance Findings (class 2003) for SIEMs and Security Lake",
    PDF_FILE: "the HTML report printed, for an audit file (report --pdf)",
    "manifest.json": "SHA-256 of every file of the run, chained to the previous run",
}
HISTORY_PAGE = "index.html"


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write bytes so that a reader never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write text (UTF-8, newlines as given) so that a reader never sees a half-written file."""
    write_bytes_atomic(path, text.encode("utf-8"))


def copy_inputs(out_dir: Path, files: dict[str, Path | None]) -> None:
    """Keep the run's inputs beside its outputs (under their canonical names) so the manifest covers them."""
    for name, source in files.items():
        if source is None:
            continue
        target = out_dir / name
        if target.exists() and target.resolve() == Path(source).resolve():
            continue
        shutil.copyfile(source, target)


def _pdf_title(report: dict[str, Any]) -> str:
    scope = report["scope"]
    suffix = f" (suffix {scope['suffix']})" if scope["suffix"] else ""
    return f"Compliance report: {scope['stack'] or 'stack'}{suffix} · {report['generatedAt']} · exit {report['exitCode']}"


def write_run(report: dict[str, Any], out_dir: Path, pdf: bool = False) -> Path:
    """Render every format into ``out_dir``, seal it, and refresh the history page beside it.

    Everything is rendered before the first file is written (the PDF in Chromium
    too), so a renderer that fails leaves the run as it was. Returns the path of
    the run's HTML report.
    """
    validate_report(report, "built report")
    out_dir = Path(out_dir).resolve()
    html = render_report_html(report)
    texts = {
        "index.html": html,
        "summary.md": render_markdown(report),
        "findings.csv": render_csv(report),
        "junit.xml": render_junit(report),
        "report.sarif": json.dumps(render_sarif(report), indent=2, sort_keys=True) + "\n",
        OCSF_FILE: render_ocsf(report, out_dir.name),
    }
    pdf_bytes = render_pdf(html, out_dir.name, previous_entry(out_dir), _pdf_title(report)) if pdf else None
    out_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_dir / "report.json", report)
    for name, text in texts.items():
        write_text_atomic(out_dir / name, text)
    if pdf_bytes is not None:
        write_bytes_atomic(out_dir / PDF_FILE, pdf_bytes)
    write_manifest(out_dir, report["generatedAt"])
    write_text_atomic(out_dir.parent / HISTORY_PAGE, render_history_html(history(out_dir.parent)))
    return out_dir / "index.html"

"""HTML for auditors: one self-contained file per run (index.html), and the history page of all runs.

Jinja2 with autoescape on every template and StrictUndefined: every value from
the report (resource names, tags, messages, evidence) is escaped, and a
template that names a missing field fails instead of printing nothing. No
network: styles and the filter script are inlined from ``templates/``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from compliance.catalog import FRAMEWORKS
from compliance.findings import LAYERS, SEVERITIES
from compliance.report.accounts import account_rows, control_accounts
from compliance.report.status import STATUS_ORDER

TEMPLATES = Path(__file__).parent / "templates"
STATUS_LABELS = {
    "pass": "passed", "fail": "failed", "error": "errored", "waived": "waived",
    "not_applicable": "not applicable", "not_run": "not run",
}


def _pretty_json(value: Any) -> str:
    """Evidence as indented JSON text; the template escapes it like any other text."""
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _inline_asset(name: str) -> Markup:
    """Our own stylesheet or script, inlined verbatim (not a template: no Jinja syntax is read in it)."""
    return Markup((TEMPLATES / name).read_text())


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pretty_json"] = _pretty_json
    env.filters["percent"] = _percent
    env.globals.update(
        LAYERS=LAYERS, SEVERITIES=SEVERITIES, STATUSES=STATUS_ORDER, STATUS_LABELS=STATUS_LABELS,
        FRAMEWORKS=FRAMEWORKS, inline_asset=_inline_asset,
    )
    return env


def render_report_html(report: dict[str, Any]) -> str:
    controls = {c["id"]: c for c in report["controls"]}
    by_control: dict[str, list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        by_control.setdefault(finding["control"], []).append(finding)
    return environment().get_template("report.html.j2").render(
        report=report, controls=controls, findings_by_control=by_control,
        accounts=account_rows(report), control_accounts=control_accounts(report),
    )


def render_history_html(history: dict[str, Any]) -> str:
    return environment().get_template("history.html.j2").render(history=history)

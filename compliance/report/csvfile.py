"""CSV: one finding a row, for spreadsheets. Evidence is a JSON cell; waiver fields are flat columns.

Every status appears in ``status``: a finding's (pass, fail, error, waived,
not_applicable) on its row (``record`` = ``finding``), and a control's status in a
layer that has no finding to carry it (a layer not run, missing, incomplete or
empty, a control it recorded nothing for) on a row of its own (``record`` =
``layer``, no finding id, the reason as message). ``exceptions`` names the
exceptions that silenced a finding.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

COLUMNS = (
    "record", "finding_id", "control", "control_title", "layer", "status", "original_status", "enforcement", "severity",
    "resource_id", "resource_type", "resource_name", "region", "account", "account_name", "check", "message", "evidence", "remediation",
    "drift", "waiver_owner", "waiver_reason", "waiver_expires", "expired_waiver_owner", "expired_waiver_expires",
    "source_file", "source_line", "exceptions",
)


def finding_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    controls = {c["id"]: c for c in report["controls"]}
    rows = []
    for f in report["findings"]:
        control = controls.get(f["control"])
        waiver = f["waiver"] or {}
        expired = f["expiredWaiver"] or {}
        source = f["source"] or {}
        rows.append({
            "record": "finding", "finding_id": f["id"], "control": f["control"], "control_title": control["title"] if control else "",
            "layer": f["layer"], "status": f["status"], "original_status": f["originalStatus"],
            "enforcement": f["enforcement"], "severity": f["severity"],
            "resource_id": f["resource"]["id"], "resource_type": f["resource"]["type"],
            "resource_name": f["resource"].get("name", ""), "region": f["resource"].get("region", ""),
            "account": f["resource"].get("account", ""), "account_name": f["resource"].get("account_name", ""),
            "check": f["check"], "message": f["message"],
            "evidence": json.dumps(f["evidence"], sort_keys=True, separators=(",", ":")),
            "remediation": control["remediation"] if control else "",
            "drift": "yes" if f["drift"] else "no",
            "waiver_owner": waiver.get("owner", ""), "waiver_reason": waiver.get("reason", ""),
            "waiver_expires": waiver.get("expires", ""),
            "expired_waiver_owner": expired.get("owner", ""), "expired_waiver_expires": expired.get("expires", ""),
            "source_file": source.get("file", ""), "source_line": str(source.get("line", "")),
            "exceptions": "; ".join(f"{e['kind']}: {e['subject']} ({e['detail']})"
                                    for e in (f["evidence"].get("exceptions") or []) if isinstance(e, dict)),
        })
    return rows + _layer_rows(report)


def _layer_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    """A control's layer status that no finding carries: why the layer has nothing (or nothing to trust) for it."""
    rows = []
    for control in report["controls"]:
        for layer, cell in control["layers"].items():
            if cell["status"] is None or not (cell["findings"] == 0 or cell["reason"]):
                continue
            rows.append({**dict.fromkeys(COLUMNS, ""), "record": "layer", "control": control["id"],
                         "control_title": control["title"], "layer": layer, "status": cell["status"],
                         "original_status": cell["status"], "enforcement": control["enforcement"],
                         "severity": control["severity"], "message": cell["reason"] or cell["status"],
                         "evidence": "{}", "remediation": control["remediation"], "drift": "no"})
    return rows


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def _spreadsheet_safe(value: str) -> str:
    """A cell starting with = + - @ is a formula to a spreadsheet: prefix it with ' so it stays text.

    A value that starts with ' is prefixed too, so ``read_csv`` can undo the prefix exactly.
    """
    return "'" + value if value[:1] in _FORMULA_STARTS else value


def read_csv(text: str) -> list[dict[str, str]]:
    """The rows of a findings CSV, with the spreadsheet-safety prefix removed."""
    return [{k: v[1:] if v[:1] == "'" else v for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def render_csv(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in finding_rows(report):
        writer.writerow({k: _spreadsheet_safe(v) for k, v in row.items()})
    return buffer.getvalue()

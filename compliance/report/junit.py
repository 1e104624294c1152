"""JUnit XML for CI: one test suite per layer, one test case per control and resource.

fail -> <failure>, error -> <error>, waived and not_applicable -> <skipped> with
the reason. A control the catalog checks at a layer that produced no finding
for it gets one skipped case, so the CI view lists every control.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from compliance.findings import LAYERS

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return _ILLEGAL_XML.sub("\ufffd", str(value))


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": _text(classname), "name": _text(name), "time": "0"})


def render_junit(report: dict[str, Any]) -> str:
    root = ET.Element("testsuites", {"name": f"compliance {report['scope']['stack']}".strip()})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for layer in LAYERS:
        findings = [f for f in report["findings"] if f["layer"] == layer]
        present = report["summary"]["byLayer"][layer]["present"]
        if not present and not findings:
            continue
        suite = ET.SubElement(root, "testsuite", {"name": f"compliance.{layer}"})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for f in findings:
            resource = f["resource"].get("name") or f["resource"]["id"]
            case = _case(suite, f"{layer}.{f['control']}", f"{f['control']} {resource}" + (
                f" [{f['check']}]" if f["control"] == "UNMAPPED" else ""))
            counts["tests"] += 1
            detail = f"{f['message']}\nresource: {f['resource']['id']}\ncheck: {f['check']}"
            if f["status"] == "fail":
                counts["failures"] += 1
                ET.SubElement(case, "failure", {"type": f["enforcement"], "message": _text(f["message"])}).text = \
                    _text(detail)
            elif f["status"] == "error":
                counts["errors"] += 1
                ET.SubElement(case, "error", {"type": "evaluation", "message": _text(f["message"])}).text = \
                    _text(detail)
            elif f["status"] == "waived":
                counts["skipped"] += 1
                w = f["waiver"]
                ET.SubElement(case, "skipped", {"message": _text(
                    f"waived by {w['owner']} until {w['expires']}: {w['reason']}")})
            elif f["status"] == "not_applicable":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", {"message": _text(f["message"] or "not applicable")})
        for control in report["controls"]:
            cell = control["layers"][layer]
            if cell["status"] is not None and cell["findings"] == 0:
                case = _case(suite, f"{layer}.{control['id']}", f"{control['id']} (no resources)")
                counts["tests"] += 1
                if cell["status"] == "error":
                    counts["errors"] += 1
                    ET.SubElement(case, "error", {"type": "evaluation",
                                                  "message": f"{layer} layer incomplete: {control['id']} not evaluated"})
                else:
                    counts["skipped"] += 1
                    ET.SubElement(case, "skipped", {"message": f"{control['id']}: {cell['status'].replace('_', ' ')}"})
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""JUnit XML for CI: one test suite per layer, one test case per control and resource.

Every status maps (``JUNIT_ELEMENT``): fail -> <failure>, error -> <error>, waived,
not_applicable and not_run -> <skipped> with the reason (who waived it, why it does
not apply, why the layer did not run), pass -> a plain test case. A control the
catalog checks at a layer that produced no finding for it gets one case with the
layer's reason (an error when the layer was expected, skipped when not), so the CI
view lists every control. A suite per layer that ran or was expected.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from compliance.findings import LAYERS
from compliance.report.accounts import account_properties, resource_label

JUNIT_ELEMENT = {"fail": "failure", "error": "error", "waived": "skipped", "not_applicable": "skipped",
                 "not_run": "skipped", "pass": None}
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return _ILLEGAL_XML.sub("\ufffd", str(value))


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": _text(classname), "name": _text(name), "time": "0"})


def _skipped_message(f: dict[str, Any]) -> str:
    if f["status"] == "waived":
        w = f["waiver"] or {}
        return f"waived by {w.get('owner', '?')} until {w.get('expires', '?')}: {w.get('reason', '')}"
    return f["message"] or "not applicable"


def _finding_case(suite: ET.Element, layer: str, f: dict[str, Any], counts: dict[str, int]) -> None:
    resource = resource_label(f["resource"])
    case = _case(suite, f"{layer}.{f['control']}", f"{f['control']} {resource}" + (
        f" [{f['check']}]" if f["control"] == "UNMAPPED" else ""))
    counts["tests"] += 1
    element = JUNIT_ELEMENT[f["status"]]
    detail = f"{f['message']}\nresource: {f['resource']['id']}\ncheck: {f['check']}" + "".join(
        f"\n{key}: {value}" for key, value in account_properties(f["resource"]).items())
    if element == "failure":
        counts["failures"] += 1
        ET.SubElement(case, "failure", {"type": f["enforcement"], "message": _text(f["message"])}).text = _text(detail)
    elif element == "error":
        counts["errors"] += 1
        ET.SubElement(case, "error", {"type": "evaluation", "message": _text(f["message"])}).text = _text(detail)
    elif element == "skipped":
        counts["skipped"] += 1
        ET.SubElement(case, "skipped", {"message": _text(_skipped_message(f))})


def _cell_case(suite: ET.Element, layer: str, control: dict[str, Any], counts: dict[str, int]) -> None:
    """A control the layer judged with no finding, or whose layer failed as a whole: why."""
    cell = control["layers"][layer]
    case = _case(suite, f"{layer}.{control['id']}",
                 f"{control['id']} (no finding)" if cell["findings"] == 0 else f"{control['id']} (layer)")
    counts["tests"] += 1
    reason = cell["reason"] or f"{control['id']}: {cell['status'].replace('_', ' ')}"
    element = JUNIT_ELEMENT[cell["status"]]
    if element == "error":
        counts["errors"] += 1
        ET.SubElement(case, "error", {"type": "evaluation", "message": _text(reason)})
    elif element == "failure":
        counts["failures"] += 1
        ET.SubElement(case, "failure", {"type": control["enforcement"], "message": _text(reason)})
    elif element == "skipped":
        counts["skipped"] += 1
        ET.SubElement(case, "skipped", {"message": _text(reason)})


def render_junit(report: dict[str, Any]) -> str:
    root = ET.Element("testsuites", {"name": f"compliance {report['scope']['stack']}".strip()})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for layer in LAYERS:
        findings = [f for f in report["findings"] if f["layer"] == layer]
        data = report["summary"]["byLayer"][layer]
        if not (data["present"] or data["expected"]) and not findings:
            continue
        suite = ET.SubElement(root, "testsuite", {"name": f"compliance.{layer}"})
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for f in findings:
            _finding_case(suite, layer, f, counts)
        for control in report["controls"]:
            cell = control["layers"][layer]
            if cell["status"] is not None and (cell["findings"] == 0 or cell["reason"]):
                _cell_case(suite, layer, control, counts)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

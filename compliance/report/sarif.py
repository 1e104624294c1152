"""SARIF 2.1.0 for GitHub code scanning.

One rule per catalog control (and one per unmapped checkov check). Every status
maps (``SARIF_MAPPING``):

* fail -> a result (``kind: fail``);
* waived -> a result with an accepted external suppression naming owner, reason
  and expiry (an exception a waiver accepted says which);
* error -> a tool execution notification (level error), also for a control whose
  expected layer did not deliver (no finding at all); the invocation is then
  unsuccessful;
* pass, not_applicable, not_run -> counted per status in ``run.properties``
  (GitHub code scanning documents no ``kind`` but fail: results that are not
  alerts stay out of ``results``), with the layers that did not run and their reasons.

A result points at the program file and line that declares its resource when the
graph knows it, and always names the resource (URN or ARN) as a logical location.
Exceptions and findings not observable in the sandbox are listed in ``run.properties``.
"""

from __future__ import annotations

from typing import Any

from compliance.catalog import FRAMEWORKS
from compliance.report import TOOL_NAME, TOOL_VERSION
from compliance.report.accounts import account_properties, resource_label

SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_MAPPING = {"fail": "result", "waived": "suppressed result", "error": "toolExecutionNotification",
                 "pass": "run.properties", "not_applicable": "run.properties", "not_run": "run.properties"}
# GitHub ranks alerts by this property (CVSS-like scale).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def _level(enforcement: str) -> str:
    return "error" if enforcement == "mandatory" else "warning"


def _rule_id(finding: dict[str, Any]) -> str:
    return f"UNMAPPED/{finding['check']}" if finding["control"] == "UNMAPPED" else finding["control"]


def _rules(report: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for c in report["controls"]:
        tags = ["compliance", c["severity"], *(f"{FRAMEWORKS[k]} {ref}" for k, refs in c["frameworks"].items()
                                              for ref in refs)]
        rules.append({
            "id": c["id"],
            "name": c["id"].replace("-", ""),
            "shortDescription": {"text": c["title"]},
            "fullDescription": {"text": c["rationale"]},
            "help": {"text": f"Remediation: {c['remediation']}"},
            "defaultConfiguration": {"level": _level(c["enforcement"])},
            "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY[c["severity"]],
                           "precision": "high", "layers": c["catalogLayers"]},
        })
    unmapped = sorted({f["check"]: f for f in report["findings"] if f["control"] == "UNMAPPED"}.items())
    for check, f in unmapped:
        rules.append({
            "id": f"UNMAPPED/{check}",
            "shortDescription": {"text": f"checkov {check} (no catalog control covers it)"},
            "defaultConfiguration": {"level": "note"},
            "properties": {"tags": ["checkov", "unmapped"], "security-severity": SECURITY_SEVERITY[f["severity"]]},
        })
    return rules


def _location(f: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": f["resource"]["id"], "name": f["resource"].get("name") or
                              f["resource"]["id"], "kind": "resource"}],
    }
    if f["source"]:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": f["source"]["file"], "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(1, int(f["source"]["line"]))},
        }
    return location


def render_sarif(report: dict[str, Any]) -> dict[str, Any]:
    rules = _rules(report)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    notifications = []
    for f in report["findings"]:
        rule_id = _rule_id(f)
        resource = resource_label(f["resource"])
        if f["status"] == "error":
            notifications.append({
                "level": "error",
                "message": {"text": f"{rule_id} could not be evaluated on {resource} ({f['layer']}): {f['message']}"},
                "associatedRule": {"id": rule_id, "index": index[rule_id]},
            })
            continue
        if f["status"] not in ("fail", "waived"):
            continue
        result: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "kind": "fail",
            "level": _level(f["enforcement"]),
            "message": {"text": f"[{f['layer']}] {resource}: {f['message']}"},
            "locations": [_location(f)],
            "partialFingerprints": {"complianceFindingId/v1": f["id"]},
            "properties": {"layer": f["layer"], "check": f["check"], "resourceId": f["resource"]["id"],
                           "resourceType": f["resource"]["type"], "drift": f["drift"],
                           **account_properties(f["resource"])},
        }
        if f["status"] == "waived":
            w = f["waiver"] or {}
            accepted = "an exception, " if f["originalStatus"] == "error" else ""
            result["suppressions"] = [{"kind": "external", "status": "accepted", "justification":
                                       f"{accepted}{w.get('reason', '')} (owner {w.get('owner', '?')}, until "
                                       f"{w.get('expires', '?')})"}]
        results.append(result)
    notifications += _layer_notifications(report, index)
    invocation = {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": TOOL_VERSION, "rules": rules}},
            "automationDetails": {"id": f"compliance/{report['scope']['stack'] or 'stack'}/"},
            "invocations": [invocation],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": _run_properties(report),
        }],
    }


def _layer_notifications(report: dict[str, Any], index: dict[str, int]) -> list[dict[str, Any]]:
    """An error cell without an error finding: a layer that did not deliver, or a control it recorded nothing for."""
    notifications = []
    for c in report["controls"]:
        for layer, cell in c["layers"].items():
            if cell["status"] == "error" and cell["reason"]:
                notifications.append({
                    "level": "error",
                    "message": {"text": f"{c['id']} not evaluated in the {layer} layer: {cell['reason']}"},
                    "associatedRule": {"id": c["id"], "index": index[c["id"]]},
                })
    return notifications


def _run_properties(report: dict[str, Any]) -> dict[str, Any]:
    summary = report["summary"]
    return {
        "catalogVersion": report["catalog"]["version"],
        "exitCode": report["exitCode"],
        "exitReason": report["exitReason"],
        "expectedLayers": report["expected"]["layers"],
        "layers": {layer: {"present": d["present"], "expected": d["expected"], "reason": d["reason"]}
                   for layer, d in summary["byLayer"].items()},
        "controlStatuses": {k: v for k, v in summary["controls"].items() if k != "total"},
        "findingStatuses": {k: v for k, v in summary["findings"].items() if k != "total"},
        "exceptions": [{k: e[k] for k in ("id", "kind", "layer", "control", "subject", "detail", "source", "state")}
                       for e in report["exceptions"]["entries"]],
        "notObservable": len(report["notObservable"]["entries"]),
    }

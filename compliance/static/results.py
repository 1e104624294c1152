"""checkov results -> findings, through the catalog's ``checkov`` lists.

- A check the catalog maps to a control gives one finding per (control,
  resource, check): ``pass`` or ``fail`` with the control's enforcement and
  severity, about the Pulumi resource (URN, type, logical name), with evidence
  (checkov check id, Terraform address, the program's file and line).
- A failed check no control claims gives a ``UNMAPPED`` finding, advisory: it
  is reported, it does not fail the run. Passed unmapped checks are counted only.
- A static control none of whose checks ran on any resource is
  ``not_applicable`` (the stack has no resource of those types); a static control
  that lists no checkov check at all is an ``error``: the catalog promises a
  static check that does not exist.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from compliance.catalog import Catalog
from compliance.errors import EvaluationError
from compliance.findings import Finding, ResourceRef
from compliance.static.checkov_run import CheckovReport
from compliance.static.convert import Plan

LAYER = "static"
UNMAPPED = "UNMAPPED"


@dataclass
class Mapped:
    findings: list[Finding]
    unmapped_passed: int
    unmapped_failed: int


def _message(result: dict, failed: bool) -> str:
    name = result.get("check_name", result["check_id"])
    details = "; ".join(str(d) for d in result.get("details") or [])
    if failed and details:
        return f"{name}: {details}"
    return name


def plan_findings(report: CheckovReport, plan: Plan, catalog: Catalog, plan_file: str) -> Mapped:
    owners = catalog.by_checkov_id()
    by_address = plan.by_address()
    findings: list[Finding] = []
    unmapped = Counter()
    for status, results in (("pass", report.passed), ("fail", report.failed)):
        for result in results:
            address = result.get("resource_address") or result.get("resource")
            entry = by_address.get(address)
            if entry is None:
                raise EvaluationError(f"checkov reported {result['check_id']} on {address}, which is not in the plan")
            check = result["check_id"]
            control_id = owners.get(check)
            if control_id is None:
                unmapped[status] += 1
                if status == "pass":
                    continue
            control = catalog[control_id] if control_id else None
            evidence = {"checkovCheck": check, "terraformAddress": address, "planFile": plan_file,
                        "file": entry.source}
            if result.get("details"):
                evidence["details"] = [str(d) for d in result["details"]]
            findings.append(Finding(
                control=control_id or UNMAPPED,
                layer=LAYER,
                status=status,
                resource=ResourceRef(id=entry.urn, type=entry.pulumi_type, name=entry.name),
                message=_message(result, status == "fail"),
                check=check,
                enforcement=control.enforcement if control else "advisory",
                severity=control.severity if control else "low",
                evidence=evidence,
            ))
    return Mapped(findings, unmapped["pass"], unmapped["fail"])


def secrets_findings(report: CheckovReport, catalog: Catalog, root: Path, stack: str) -> list[Finding]:
    """Hard-coded credentials in the repository; one pass finding per control when there are none.

    The catalog maps checkov's credential detectors (AWS keys, private keys,
    vendor tokens) to a control; its high-entropy heuristics (CKV_SECRET_6, 19)
    stay unmapped, so their many false positives are advisory.
    """
    owners = catalog.by_checkov_id()
    findings = []
    seen: set[tuple[str, str, int]] = set()
    for result in report.failed:
        check = result["check_id"]
        control_id = owners.get(check)
        control = catalog[control_id] if control_id else None
        path = str(result.get("file_path", "")).lstrip("/")
        line = (result.get("file_line_range") or [0])[0]
        if (check, path, line) in seen:  # two secrets on one line: one finding
            continue
        seen.add((check, path, line))
        findings.append(Finding(
            control=control_id or UNMAPPED,
            layer=LAYER,
            status="fail",
            resource=ResourceRef(id=f"file:{path}:{line}", type="file", name=path),
            message=f"{result.get('check_name', check)} in {path} line {line}",
            check=check,
            enforcement=control.enforcement if control else "advisory",
            severity=control.severity if control else "low",
            evidence={"checkovCheck": check, "file": f"{path}:{line}", "framework": "secrets"},
        ))
    secret_controls = sorted({c for check, c in owners.items() if check.startswith("CKV_SECRET_")})
    failed_controls = {f.control for f in findings}
    for control_id in secret_controls:
        if control_id in failed_controls:
            continue
        control = catalog[control_id]
        findings.append(Finding(
            control=control_id,
            layer=LAYER,
            status="pass",
            resource=ResourceRef(id=f"repository:{stack}", type="repository", name=root.name),
            message="checkov's secrets scan found no hard-coded credentials in the repository",
            check="CKV_SECRET_*",
            enforcement=control.enforcement,
            severity=control.severity,
            evidence={"framework": "secrets", "root": root.name},
        ))
    return findings


def coverage_findings(findings: list[Finding], catalog: Catalog, stack: str) -> list[Finding]:
    """not_applicable / error findings for static controls that produced no result."""
    seen = {f.control for f in findings}
    extra = []
    for control in catalog.with_layer(LAYER):
        if control.id in seen:
            continue
        if control.checkov:
            status, message = "not_applicable", "the stack has no resource that its checkov checks apply to"
        else:
            status, message = "error", "the catalog claims a static check but lists no checkov check for it"
        extra.append(Finding(
            control=control.id, layer=LAYER, status=status, resource=ResourceRef.stack(stack), message=message,
            check=",".join(control.checkov), enforcement=control.enforcement, severity=control.severity,
        ))
    return extra

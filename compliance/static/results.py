"""checkov results -> findings, through the catalog's ``checkov`` lists.

A control's static verdict on a resource is decided by *our* checks
(``CKV_IOT_*``), which call the control's decision module
(``policies/controls/``). checkov's built-in checks that the catalog lists for the
control corroborate: their results ride along as evidence of our finding
("checkov also: CKV_AWS_185 passed"), and a built-in that disagrees with our
verdict is marked, never merged into it. A control that has no check of ours yet
is still decided by the checks the catalog lists.

- One finding per (control, resource, deciding check): ``pass``, ``fail``,
  ``not_applicable`` (our check said the control does not apply: checkov reports
  it as skipped, marked ``not_applicable:``) or ``error`` (our check could not
  decide: a failure whose details are all marked ``unknown:``, or a claimed check
  that checkov skipped), about the Pulumi resource (URN, type, logical name), with
  evidence (checkov check id, Terraform address, the program's file and line).
- A built-in result on a resource none of the control's deciding checks judged is
  kept as a ``not_applicable`` finding that says so (a disagreement when it failed).
- A failed check no control claims gives a ``UNMAPPED`` finding, advisory: it
  is reported, it does not fail the run. Passed unmapped checks are counted only.
- A static control none of whose checks ran on any resource is
  ``not_applicable`` (the stack has no resource of those types); a static control
  that lists no checkov check at all is an ``error``: the catalog promises a
  static check that does not exist. A deciding check that ``--checkov-args``
  deselected is an ``error`` carrying the exception (``compliance.static.scan``),
  so its control is never read as not applicable.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.catalog import Catalog, Control
from compliance.errors import EvaluationError
from compliance.findings import Finding, ResourceRef
from compliance.static.checkov_run import CheckovReport
from compliance.static.convert import Plan, PlanResource
from controls.verdict import NOT_APPLICABLE, UNKNOWN, marked_status

LAYER = "static"
UNMAPPED = "UNMAPPED"


@dataclass
class Mapped:
    findings: list[Finding]
    unmapped_passed: int
    unmapped_failed: int


@dataclass(frozen=True)
class _Result:
    check: str
    status: str  # pass | fail | error | not_applicable
    message: str
    details: tuple[str, ...]
    entry: PlanResource


def deciding_checks(control: Control) -> tuple[str, ...]:
    """Our checks decide; a control without one yet is decided by the checks the catalog lists."""
    return control.deciding_checks or control.checkov


def _status(outcome: str, details: list[str]) -> str:
    marks = {marked_status(d) for d in details}
    if outcome == "fail":
        return "error" if details and marks == {UNKNOWN} else "fail"
    if outcome == "skipped":
        return "not_applicable" if details and marks == {NOT_APPLICABLE} else "error"
    return "pass"


def _message(result: dict[str, Any], status: str, details: list[str]) -> str:
    name = result.get("check_name", result["check_id"])
    if status in ("fail", "error", "not_applicable") and details:
        return f"{name}: {'; '.join(details)}"
    if status == "error":
        return f"{name}: checkov skipped this check ({result.get('suppress_comment') or 'no reason given'}), so it was not evaluated"
    return name


def _collect(report: CheckovReport, plan: Plan, owners: dict[str, str]) -> tuple[list[_Result], Counter[str]]:
    by_address = plan.by_address()
    collected: list[tuple[str, _Result]] = []
    unmapped: Counter[str] = Counter()
    for outcome, results in (("pass", report.passed), ("fail", report.failed), ("skipped", report.skipped)):
        for result in results:
            address = result.get("resource_address") or result.get("resource")
            entry = by_address.get(address)
            if entry is None:
                raise EvaluationError(f"checkov reported {result['check_id']} on {address}, which is not in the plan")
            check = result["check_id"]
            details = [str(d) for d in result.get("details") or []]
            if check not in owners:
                if outcome != "skipped":
                    unmapped[outcome] += 1
                if outcome != "fail":
                    continue
            status = _status(outcome, details)
            collected.append((owners.get(check, UNMAPPED),
                              _Result(check, status, _message(result, status, details), tuple(details), entry)))
    return [r for _, r in collected], unmapped


def plan_findings(report: CheckovReport, plan: Plan, catalog: Catalog, plan_file: str,
                  deselected: frozenset[str] = frozenset()) -> Mapped:
    """``deselected``: our deciding checks ``--checkov-args`` kept from running (their controls are errors)."""
    owners = catalog.by_checkov_id()
    results, unmapped = _collect(report, plan, owners)
    deciding: dict[tuple[str, str], list[_Result]] = defaultdict(list)
    corroborating: dict[tuple[str, str], list[_Result]] = defaultdict(list)
    findings: list[Finding] = []
    for result in results:
        control_id = owners.get(result.check)
        if control_id is None:
            findings.append(_finding(None, result, plan_file, {}))
            continue
        key = (control_id, result.entry.address)
        target = deciding if result.check in deciding_checks(catalog[control_id]) else corroborating
        target[key].append(result)
    for key, ours in deciding.items():
        control = catalog[key[0]]
        others = corroborating.get(key, [])
        for result in ours:
            findings.append(_finding(control, result, plan_file, _corroboration(result.status, others)))
    for key, others in corroborating.items():
        if key in deciding:
            continue
        control = catalog[key[0]]
        for result in others:
            failed = result.status == "fail"
            ours = deciding_checks(control)
            why = (f"{', '.join(ours)} {'was' if len(ours) == 1 else 'were'} deselected"
                   if set(ours) <= deselected else f"none of {', '.join(ours)} judges this resource")
            note = (f"{why}; checkov's {result.check} "
                    f"{'failed' if failed else 'passed'}: {result.message}")
            findings.append(_finding(control, _Result(result.check, "not_applicable", note, result.details,
                                                      result.entry), plan_file,
                                     {"corroboratedBy": result.check, "builtinDisagrees": failed}))
    return Mapped(findings, unmapped["pass"], unmapped["fail"])


def _corroboration(status: str, others: list[_Result]) -> dict[str, Any]:
    """checkov's built-ins on the same control and resource, and those that disagree with our verdict."""
    if not others:
        return {}
    verdicts = [{"check": r.check, "status": r.status} for r in sorted(others, key=lambda r: r.check)]
    disagreeing = [v["check"] for v in verdicts if v["status"] in ("pass", "fail") and status in ("pass", "fail")
                   and v["status"] != status]
    return {"checkovAlso": verdicts, **({"builtinDisagrees": disagreeing} if disagreeing else {})}


def _finding(control: Control | None, result: _Result, plan_file: str, extra: dict[str, Any]) -> Finding:
    entry = result.entry
    evidence: dict[str, Any] = {"checkovCheck": result.check, "terraformAddress": entry.address,
                                "planFile": plan_file, "file": entry.source, **extra}
    if result.details:
        evidence["details"] = list(result.details)
    message = result.message
    if extra.get("builtinDisagrees") and isinstance(extra["builtinDisagrees"], list):
        message += f" (checkov's {', '.join(extra['builtinDisagrees'])} disagrees)"
    return Finding(
        control=control.id if control else UNMAPPED,
        layer=LAYER,
        status=result.status,
        resource=ResourceRef(id=entry.urn, type=entry.pulumi_type, name=entry.name),
        message=message,
        check=result.check,
        enforcement=control.enforcement if control else "advisory",
        severity=control.severity if control else "low",
        evidence=evidence,
    )


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

"""report.ocsf.json: the report as OCSF Compliance Findings (class_uid 2003), for SIEMs and Security Lake.

One finding per (control, resource, layer): the findings a layer recorded for a
control on one resource (several checks may judge it) become one OCSF finding
whose ``compliance.checks`` lists each check with its own status. A control's
status in a layer that no finding carries (a layer not run, missing, incomplete
or empty, a control it recorded nothing for) is a finding of its own on the
stack, with the reason, exactly as ``findings.csv`` lists it: all six report
statuses appear. An unmapped checkov check (no control covers it) is one finding
per (check, resource, layer) with no ``compliance.control``.

Built with py-ocsf-models' pydantic models (OCSF 1.5.0): constructing a model
validates it, and the tests re-parse the file with the same models. The cloud
profile (``cloud``: provider, account, region) is OCSF's, but py-ocsf-models
declares it on Detection Finding only, so ``CloudComplianceFinding`` adds it to
Compliance Finding with the library's own ``Cloud`` object. The field mapping is
the table in docs/evidence.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.activity_id import ActivityID
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.events.findings.compliance_finding_type_id import ComplianceFindingTypeID
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.account import Account, TypeID
from py_ocsf_models.objects.check import Check
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.compliance import Compliance
from py_ocsf_models.objects.compliance_status import StatusID as ComplianceStatusID
from py_ocsf_models.objects.evidence_artifacts import EvidenceArtifacts
from py_ocsf_models.objects.finding_info import FindingInformation
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.remediation import Remediation
from py_ocsf_models.objects.resource_details import ResourceDetails

from compliance.catalog import FRAMEWORKS
from compliance.report.status import worst

OCSF_FILE = "report.ocsf.json"
VENDOR = "iot-sensor-platform"
UNMAPPED = "UNMAPPED"
STACK_RESOURCE_TYPE = "pulumi:pulumi:Stack"

# Catalog severity -> OCSF severity_id.
SEVERITY_ID = {"critical": SeverityID.Critical, "high": SeverityID.High, "medium": SeverityID.Medium,
               "low": SeverityID.Low}
# Report status -> the compliance result (compliance.status_id, and each check's status_id / status caption).
# error: "the check did not yield a result due to missing information" is OCSF's Warning. A waived finding keeps
# the result it had (its originalStatus); the waiver shows in the finding's status (Suppressed).
COMPLIANCE_STATUS = {
    "pass": (ComplianceStatusID.Pass, "Pass"),
    "fail": (ComplianceStatusID.Fail, "Fail"),
    "error": (ComplianceStatusID.Warning, "Warning"),
    "not_applicable": (ComplianceStatusID.Other, "Not Applicable"),
    "not_run": (ComplianceStatusID.Unknown, "Unknown"),
}
# Report status -> the finding's workflow status (status_id): only a waiver suppresses a finding.
FINDING_STATUS = {"waived": (StatusID.Suppressed, "Suppressed")}
NEW = (StatusID.New, "New")


class CloudComplianceFinding(ComplianceFinding):
    """OCSF Compliance Finding with the cloud profile (``cloud``), which py-ocsf-models models on Detection Finding only."""

    cloud: Cloud


def _epoch_ms(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso).timestamp() * 1000)


def _uid(*parts: str) -> str:
    """A finding's identity across runs: the same (stack, control, layer, resource) gets the same uid."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def _compliance_result(status: str, original: str) -> tuple[ComplianceStatusID, str]:
    return COMPLIANCE_STATUS[original if status == "waived" else status]


def _frameworks(control: dict[str, Any] | None) -> tuple[list[str] | None, list[str] | None]:
    if not control or not control["frameworks"]:
        return None, None
    standards = [FRAMEWORKS[key] for key in control["frameworks"]]
    requirements = [f"{FRAMEWORKS[key]} {ref}" for key, refs in control["frameworks"].items() for ref in refs]
    return standards, requirements


def _region(resource: dict[str, Any], regions: list[str]) -> str | None:
    return resource.get("region") or (regions[0] if len(regions) == 1 else None)


class _Context:
    """What every finding of one report shares: time, product, cloud, the run."""

    def __init__(self, report: dict[str, Any], run: str) -> None:
        self.report = report
        self.run = run
        self.scope = report["scope"]
        self.time = _epoch_ms(report["generatedAt"])
        self.time_dt = dt.datetime.fromisoformat(report["generatedAt"])
        self.controls = {c["id"]: c for c in report["controls"]}
        self.tools = {i["layer"]: f"{i['tool']['name']} {i['tool']['version']}" for i in report["inputs"]}
        self.metadata_base = {
            "product": Product(name=report["tool"]["name"], vendor_name=VENDOR, version=report["tool"]["version"]),
            "version": OCSF_VERSION, "profiles": ["cloud"], "correlation_uid": run,
        }

    def cloud(self, region: str | None) -> Cloud:
        """The account only where a live layer named it (a preview/static-only run has none): never a placeholder."""
        account = self.scope["account"]
        return Cloud(provider="AWS", region=region,
                     account=Account(uid=account, name=account, type_id=TypeID.AWS_Account, type="AWS Account")
                     if account else None)


def _finding(ctx: _Context, *, key: tuple[str, ...], title: str, control: dict[str, Any] | None, layer: str,
             status: str, original: str, severity: str, resource: ResourceDetails, region: str | None,
             checks: list[Check], evidences: list[EvidenceArtifacts] | None, message: str, detail: str,
             unmapped: dict[str, Any]) -> CloudComplianceFinding:
    uid = _uid(ctx.scope["stack"], ctx.scope["suffix"], ctx.scope["account"], *key)
    result_id, _ = _compliance_result(status, original)
    workflow_id, workflow = FINDING_STATUS.get(status, NEW)
    standards, requirements = _frameworks(control)
    return CloudComplianceFinding(
        metadata=Metadata(uid=f"{ctx.run}/{uid}", event_code=control["id"] if control else key[0], labels=[layer],
                          **ctx.metadata_base),
        class_name="Compliance Finding", activity_id=ActivityID.Create, activity_name="Create",
        type_uid=ComplianceFindingTypeID.Create,
        type_name="Compliance Finding: Create",
        time=ctx.time, time_dt=ctx.time_dt,
        severity_id=SEVERITY_ID[severity], severity=severity.capitalize(),
        status_id=workflow_id, status=workflow, status_detail=detail or None,
        message=message,
        finding_info=FindingInformation(uid=uid, title=title, desc=message, created_time=ctx.time,
                                        data_sources=[ctx.tools[layer]] if layer in ctx.tools else None,
                                        types=[f"{layer} layer"]),
        compliance=Compliance(control=control["id"] if control else None, desc=control["title"] if control else None,
                              standards=standards, requirements=requirements, status_id=result_id, checks=checks),
        remediation=Remediation(desc=control["remediation"]) if control else None,
        resources=[resource], evidences=evidences or None,
        cloud=ctx.cloud(region),
        unmapped={"status": status, "originalStatus": original, "layer": layer, **unmapped},
    )


def _resource_details(resource: dict[str, Any], urn: str | None, region: str | None) -> ResourceDetails:
    """uid: the resource's id in its layer (an ARN in the live layer, the Pulumi URN in preview and static)."""
    data = {"urn": urn} if urn and urn != resource["id"] else None
    return ResourceDetails(uid=resource["id"], name=resource.get("name") or resource["id"], type=resource["type"],
                           region=region, cloud_partition="aws" if region else None, data=data)


def _check(finding: dict[str, Any]) -> Check:
    result_id, caption = _compliance_result(finding["status"], finding["originalStatus"])
    return Check(uid=finding["check"], name=finding["check"], status=caption, status_id=result_id,
                 severity=finding["severity"], severity_id=SEVERITY_ID[finding["severity"]],
                 desc=finding["message"])


def _evidence(finding: dict[str, Any]) -> EvidenceArtifacts:
    return EvidenceArtifacts(name=finding["check"], data={"findingId": finding["id"], **finding["evidence"]})


def _detail(findings: list[dict[str, Any]]) -> str:
    """Why the status is what it is, where the message alone does not say: a waiver, an expired one."""
    notes = []
    for f in findings:
        if f["waiver"]:
            w = f["waiver"]
            notes.append(f"waived by {w['owner']} until {w['expires']}: {w['reason']}")
        if f["expiredWaiver"]:
            w = f["expiredWaiver"]
            notes.append(f"waiver by {w['owner']} expired {w['expires']}: no longer waives")
    return "; ".join(dict.fromkeys(notes))


def _groups(report: dict[str, Any]) -> Iterator[tuple[tuple[str, str, str], list[dict[str, Any]]]]:
    """Findings grouped by (control, or the check of an unmapped one; layer; resource id), in report order."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for f in report["findings"]:
        name = f["check"] if f["control"] == UNMAPPED else f["control"]
        groups.setdefault((name, f["layer"], f["resource"]["id"]), []).append(f)
    yield from groups.items()


def _from_findings(ctx: _Context, key: tuple[str, str, str], findings: list[dict[str, Any]]) -> CloudComplianceFinding:
    first = findings[0]
    control = ctx.controls.get(first["control"])
    status = worst(f["status"] for f in findings)
    original = worst(f["originalStatus"] for f in findings if f["status"] == status)
    region = _region(first["resource"], ctx.scope["regions"])
    name = first["resource"].get("name") or first["resource"]["id"]
    title = (f"{control['id']} {control['title']}: {name}" if control
             else f"{first['check']} (unmapped static check): {name}")
    return _finding(
        ctx, key=key, title=title, control=control, layer=first["layer"], status=status, original=original,
        severity=control["severity"] if control else first["severity"],
        resource=_resource_details(first["resource"], first["urn"], region), region=region,
        checks=[_check(f) for f in findings], evidences=[_evidence(f) for f in findings],
        message="; ".join(dict.fromkeys(f["message"] for f in findings)), detail=_detail(findings),
        unmapped={"enforcement": first["enforcement"], "findingIds": [f["id"] for f in findings],
                  "drift": any(f["drift"] for f in findings),
                  **({"source": first["source"]} if first["source"] else {})},
    )


def _layer_cells(ctx: _Context) -> Iterator[CloudComplianceFinding]:
    """A control's status in a layer that no finding carries (the rows ``findings.csv`` marks ``record: layer``)."""
    stack = ctx.scope["stack"] or "stack"
    region = ctx.scope["regions"][0] if len(ctx.scope["regions"]) == 1 else None
    for control in ctx.report["controls"]:
        for layer, cell in control["layers"].items():
            if cell["status"] is None or not (cell["findings"] == 0 or cell["reason"]):
                continue
            resource = ResourceDetails(uid=f"stack:{stack}", name=stack, type=STACK_RESOURCE_TYPE, region=region,
                                       cloud_partition="aws" if region else None)
            result_id, caption = COMPLIANCE_STATUS[cell["status"]]  # error or not_run: no finding was waived
            reason = cell["reason"] or f"{control['id']}: {cell['status'].replace('_', ' ')} in the {layer} layer"
            yield _finding(
                ctx, key=(control["id"], layer, f"stack:{stack}", "layer"),
                title=f"{control['id']} {control['title']}: the {layer} layer", control=control, layer=layer,
                status=cell["status"], original=cell["status"], severity=control["severity"], resource=resource,
                region=region, checks=[Check(uid=f"{layer} layer", name=f"{layer} layer", status=caption,
                                             status_id=result_id)],
                evidences=None, message=reason, detail=reason,
                unmapped={"enforcement": control["enforcement"], "findingIds": [], "record": "layer"},
            )


def build_ocsf(report: dict[str, Any], run: str) -> list[CloudComplianceFinding]:
    ctx = _Context(report, run)
    return [*(_from_findings(ctx, key, findings) for key, findings in _groups(report)), *_layer_cells(ctx)]


def render_ocsf(report: dict[str, Any], run: str) -> str:
    """report.ocsf.json: a JSON array of OCSF Compliance Findings (unset fields left out)."""
    events = [event.model_dump(mode="json", exclude_none=True) for event in build_ocsf(report, run)]
    return json.dumps(events, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

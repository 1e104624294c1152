"""Run the case program through every layer once, and read each layer's verdict on each case.

One render (graph.json), one gate over gRPC, one checkov run, one sandbox deploy and
one audit serve every case. A layer's verdict on a case is the combination of that
layer's findings of the case's control on the case's subject (the live layer on its
``live_subject`` when the subject is no live resource): ``fail`` if any failed,
``error`` if any errored, ``not_applicable`` if all said so, ``pass`` otherwise, and
``missing`` when the layer said nothing about it, which never counts as agreement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from compliance.audit.aws import RetryPolicy
from compliance.audit.gaps import KnownGaps, load_gaps, parse_gaps
from compliance.audit.runner import AuditRequest, run_audit
from compliance.audit.scope import Scope
from compliance.cases.program import Planned, case_program, logical_name, plan_cases
from compliance.cases.table import load_fixtures
from compliance.catalog import Catalog, load_catalog
from compliance.engine import project_name, run_program
from compliance.findings import Finding
from compliance.gate.pack import PackProcess
from compliance.gate.run import evaluate
from compliance.pipeline.stages import MOTO_READ_GAPS
from compliance.render.build import graph_from_run
from compliance.render.synthetic import SyntheticMocks
from compliance.sandbox.clients import DUMMY_CREDENTIALS
from compliance.sandbox.deploy import SandboxStack, deploy_program
from compliance.static.scan import ScanOptions, run_scan
from controls.cases import Case

STACK = "cases"
SUFFIX = "cases"
REGION = "sa-east-1"
LAYERS = ("preview", "static", "live")


@dataclass
class CaseResult:
    case: Case
    short: str
    verdicts: dict[str, str] = field(default_factory=dict)  # layer -> pass|fail|error|not_applicable|missing
    messages: dict[str, str] = field(default_factory=dict)

    def expected_layers(self, catalog: Catalog, layers: Iterable[str]) -> list[str]:
        return [layer for layer in layers if layer in catalog[self.case.control].layers]

    def disagreements(self, catalog: Catalog, layers: Iterable[str]) -> list[str]:
        """The layers whose verdict is not the case's expected one (a served-elsewhere layer is not judged)."""
        wrong = []
        for layer in self.expected_layers(catalog, layers):
            if layer == "live" and self.case.not_live:
                continue
            expected = "not_applicable" if layer in self.case.gaps else self.case.expect
            if self.verdicts.get(layer) != expected:
                wrong.append(layer)
        return wrong


def config_for(suffix: str = SUFFIX, region: str = REGION) -> dict[str, str]:
    return {"aws:region": region, f"{project_name()}:environmentSuffix": suffix}


def combined(findings: list[Finding]) -> tuple[str, str]:
    if not findings:
        return "missing", "the layer reported nothing on this resource for this control"
    statuses = {f.status for f in findings}
    for status in ("fail", "error"):
        if status in statuses:
            return status, "; ".join(f.message for f in findings if f.status == status)
    if statuses == {"not_applicable"}:
        return "not_applicable", "; ".join(f.message for f in findings)
    return "pass", "; ".join(f.message for f in findings if f.status == "pass")


def _by_urn(findings: list[Finding]) -> dict[tuple[str, str], list[Finding]]:
    found: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        found[(finding.control, finding.resource.id)].append(finding)
    return found


def run_cases(cases: list[Case], *, layers: Iterable[str] = LAYERS, endpoint: str | None = None,
              work_dir: Path, catalog: Catalog | None = None) -> list[CaseResult]:
    """Every case through ``layers``; ``live`` needs a sandbox ``endpoint``."""
    layers = tuple(layers)
    catalog = catalog or load_catalog()
    planned = plan_cases(cases)
    results = {p.short: CaseResult(p.case, p.short) for p in planned}
    config = config_for()
    if "preview" in layers or "static" in layers:
        _declared_layers(planned, config, layers, work_dir, catalog, results)
    if "live" in layers:
        if endpoint is None:
            raise ValueError("the live layer needs a sandbox endpoint")
        _live_layer(planned, config, endpoint, catalog, results)
    return list(results.values())


def _main(planned: list[Planned]):
    return case_program(planned, load_fixtures(), SUFFIX)


def _declared_layers(planned: list[Planned], config: dict[str, str], layers: tuple[str, ...], work_dir: Path,
                     catalog: Catalog, results: dict[str, CaseResult]) -> None:
    run = run_program(STACK, SyntheticMocks(config["aws:region"]), config=config, main=_main(planned), preview=True)
    graph = graph_from_run(run)
    urns = {r.name: r.urn for r in run.registrations}
    layer_findings: dict[str, list[Finding]] = {}
    if "preview" in layers:
        with PackProcess(project=graph.project, stack=graph.stack, config=graph.config) as pack:
            layer_findings["preview"] = evaluate(graph, pack, catalog=catalog).findings
    if "static" in layers:
        layer_findings["static"] = run_scan(graph, ScanOptions(out_dir=work_dir / "static", secrets=False),
                                            "cases").findings
    for layer, findings in layer_findings.items():
        index = _by_urn(findings)
        for p in planned:
            urn = urns.get(p.logical(p.case.subject), "")
            verdict, message = combined(index.get((p.case.control, urn), []))
            results[p.short].verdicts[layer], results[p.short].messages[layer] = verdict, message


def _identities(resource: dict[str, str]) -> set[str]:
    return {v for v in (resource.get("id"), resource.get("arn"), resource.get("physicalName")) if v}


def _live_layer(planned: list[Planned], config: dict[str, str], endpoint: str, catalog: Catalog,
                results: dict[str, CaseResult]) -> None:
    deployable = [p for p in planned if not p.case.not_live]
    for p in planned:
        if p.case.not_live:
            results[p.short].verdicts["live"] = "not_deployed"
            results[p.short].messages["live"] = f"not deployed: {p.case.not_live}"
    if not deployable:
        return
    stack = deploy_program(STACK, config, endpoint=endpoint, region=config["aws:region"], main=_main(deployable))
    regions = {r.inputs["region"] for p in deployable for r in p.case.resources if isinstance(r.inputs.get("region"), str)}
    findings = _audit(stack, endpoint, catalog, tuple(sorted(regions - {stack.region})))
    by_name = {r["name"]: r for r in stack.resources}
    for p in deployable:
        subject = by_name.get(p.logical(p.case.live_subject or p.case.subject), {})
        identities = _identities(subject)
        mine = [f for f in findings if f.control == p.case.control
                and identities & {f.resource.id, f.resource.name}]
        verdict, message = combined(mine)
        if p.case.gaps.get("live"):
            verdict, message = "not_applicable", f"not observable in the sandbox: {p.case.gaps['live']} ({verdict})"
        results[p.short].verdicts["live"], results[p.short].messages["live"] = verdict, message


def _audit(stack: SandboxStack, endpoint: str, catalog: Catalog, other_regions: tuple[str, ...]) -> list[Finding]:
    """The audit of the case stack, in its region and in every other region a case placed a resource in."""
    session = boto3.Session(**DUMMY_CREDENTIALS, region_name=stack.region)
    read_gaps = load_gaps([MOTO_READ_GAPS])
    deployed = parse_gaps([g.to_json() for g in stack.gaps], "the case stack's gaps")
    gaps = KnownGaps((*read_gaps.gaps, *deployed))
    request = AuditRequest(regions=(stack.region, *other_regions), scope=Scope(suffix=SUFFIX), endpoint_url=endpoint,
                           retry=RetryPolicy(max_attempts=2), gaps=gaps)
    return run_audit(session, request, catalog).findings


def names_of(planned: list[Planned]) -> dict[str, str]:
    """Logical name -> case name, for reading a graph or a report of the case program."""
    return {logical_name(p.qualified(r.key)): p.case.name for p in planned for r in p.case.resources}


def table_rows(results: list[CaseResult], catalog: Catalog, layers: Iterable[str]) -> list[dict[str, Any]]:
    layers = tuple(layers)
    return [{"case": r.case.name, "control": r.case.control, "expect": r.case.expect,
             **{layer: r.verdicts.get(layer, "-") for layer in layers},
             "agree": not r.disagreements(catalog, layers)} for r in results]

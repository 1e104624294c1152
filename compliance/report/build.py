"""The join: findings files + catalog (+ graph, waivers, deployed outputs) -> the report dict.

The report dict is the one machine-readable result (``report.json``); every
other format is rendered from it. Same inputs give the same dict, apart from
``generatedAt`` in the header.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from compliance import REPO_ROOT
from compliance.catalog import FRAMEWORKS, Catalog
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION, EvaluationError
from compliance.findings import LAYERS, SEVERITIES, now_iso
from compliance.graph import Graph
from compliance.report import TOOL_NAME, TOOL_VERSION
from compliance.report.drift import DECLARING_LAYERS, ResourceIndex, find_drift
from compliance.report.inputs import LayerInput, sha256_of
from compliance.report.schema import SCHEMA_VERSION
from compliance.report.status import count, pass_rate, worst
from compliance.report.waivers import Waiver, apply_waivers

UNMAPPED = "UNMAPPED"


def _natural_key(text: str) -> list[Any]:
    """``AC-2`` before ``AC-10``; ``SR 1.2`` before ``SR 1.10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _display_path(path: Path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return path.name


def _scope(inputs: list[LayerInput], graph: Graph | None) -> dict[str, Any]:
    """Account, regions, stack and suffix, from the findings files' scopes and the graph."""
    scopes = [i.findings_file.scope for i in inputs]
    regions: set[str] = set()
    for scope in scopes:
        if isinstance(scope.get("regions"), list):
            regions |= {r for r in scope["regions"] if isinstance(r, str)}
        if isinstance(scope.get("region"), str):
            regions.add(scope["region"])
    if graph is not None and graph.config.get("aws:region"):
        regions.add(graph.config["aws:region"])

    def first(key: str, fallback: str = "") -> str:
        return next((str(s[key]) for s in scopes if s.get(key) not in (None, "")), fallback)

    live = next((i.findings_file.scope for i in inputs if i.layer == "live"), {})
    return {
        "account": str(live.get("account", "")),
        "endpoint": str(live.get("endpoint", live.get("endpointUrl", "")) or ""),
        "regions": sorted(regions),
        "stack": graph.stack if graph is not None else first("stack"),
        "suffix": first("suffix", (graph.config_value("environmentSuffix") or "") if graph is not None else ""),
    }


def _layer_header(layer_input: LayerInput) -> dict[str, Any]:
    ff = layer_input.findings_file
    return {
        "layer": layer_input.layer,
        "file": layer_input.path.name,
        "sha256": layer_input.sha256,
        "tool": {"name": ff.tool_name, "version": ff.tool_version},
        "startedAt": ff.started_at,
        "finishedAt": ff.finished_at,
        "complete": ff.complete,
        "findings": len(ff.findings),
        "scope": ff.scope,
    }


def _findings(inputs: list[LayerInput], catalog: Catalog, graph: Graph | None) -> list[dict[str, Any]]:
    by_urn = graph.by_urn() if graph is not None else {}
    findings = []
    for layer_input in inputs:
        for finding in layer_input.findings_file.findings:
            if finding.control != UNMAPPED and finding.control not in catalog:
                raise EvaluationError(f"{layer_input.path}: finding {finding.id} names control {finding.control}, "
                                      "which is not in policies/controls.yaml; fix the stage that wrote it")
            data = finding.to_dict()
            resource = by_urn.get(finding.resource.id)
            data["urn"] = resource["urn"] if resource else None
            data["source"] = resource.get("source") if resource else None
            data["drift"] = False
            findings.append(data)
    return sorted(findings, key=lambda f: (f["control"], LAYERS.index(f["layer"]), f["resource"]["id"], f["check"],
                                           f["id"]))


def _link_live_findings(findings: list[dict[str, Any]], index: ResourceIndex) -> None:
    """A live finding that names exactly one graph resource gets its URN and program line."""
    by_urn = index.graph.by_urn()
    for finding in findings:
        if finding["layer"] == "live" and finding["urn"] is None:
            urns = index.urns_for(finding["resource"])
            if len(urns) == 1:
                urn = next(iter(urns))
                finding["urn"] = urn
                finding["source"] = by_urn[urn].get("source")


def _control_rows(catalog: Catalog, findings: list[dict[str, Any]], inputs: list[LayerInput],
                  drifted: set[str]) -> list[dict[str, Any]]:
    present = {i.layer: i.findings_file.complete for i in inputs}
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        grouped[(finding["control"], finding["layer"])].append(finding)
    rows = []
    for control in catalog.controls.values():
        layers: dict[str, dict[str, Any]] = {}
        for layer in LAYERS:
            mine = grouped.get((control.id, layer), [])
            if layer not in control.layers and not mine:
                layers[layer] = {"status": None, "findings": 0}
            elif layer not in present:
                layers[layer] = {"status": "not_run", "findings": 0}
            elif not mine and not present[layer]:
                layers[layer] = {"status": "error", "findings": 0}  # an incomplete run never reached it
            else:
                layers[layer] = {"status": worst(f["status"] for f in mine), "findings": len(mine)}
        statuses = [v["status"] for v in layers.values() if v["status"] is not None]
        rows.append({
            "id": control.id,
            "title": control.title,
            "severity": control.severity,
            "enforcement": control.enforcement,
            "rationale": control.rationale,
            "remediation": control.remediation,
            "catalogLayers": list(control.layers),
            "frameworks": {k: list(v) for k, v in sorted(control.frameworks.items())},
            "status": worst(statuses, default="not_run"),
            "layers": layers,
            "findingIds": [f["id"] for layer in LAYERS for f in grouped.get((control.id, layer), [])],
            "drift": control.id in drifted,
        })
    return rows


def _framework_views(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    views = []
    for key, name in FRAMEWORKS.items():
        requirements: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            for ref in row["frameworks"].get(key, []):
                requirements[ref].append(row)
        views.append({
            "id": key,
            "name": name,
            "controlsCovered": sum(1 for row in rows if row["frameworks"].get(key)),
            "requirements": [
                {"ref": ref, "controls": [r["id"] for r in mapped], "status": worst(r["status"] for r in mapped)}
                for ref, mapped in sorted(requirements.items(), key=lambda item: _natural_key(item[0]))
            ],
        })
    return views


def _summary(rows: list[dict[str, Any]], findings: list[dict[str, Any]], inputs: list[LayerInput],
             drift: list[dict[str, Any]], waivers: dict[str, Any]) -> dict[str, Any]:
    controls = count(r["status"] for r in rows)
    by_layer = {}
    present = {i.layer: i for i in inputs}
    for layer in LAYERS:
        counts = count(r["layers"][layer]["status"] for r in rows if r["layers"][layer]["status"] is not None)
        by_layer[layer] = {
            "present": layer in present,
            "complete": present[layer].findings_file.complete if layer in present else False,
            "controls": counts,
            "passRate": pass_rate(counts) if layer in present else None,
        }
    return {
        "controls": {**controls, "total": len(rows)},
        "bySeverity": {sev: count(r["status"] for r in rows if r["severity"] == sev) for sev in SEVERITIES},
        "byLayer": by_layer,
        "findings": {**count(f["status"] for f in findings), "total": len(findings)},
        "unmapped": {**count(f["status"] for f in findings if f["control"] == UNMAPPED),
                     "total": sum(1 for f in findings if f["control"] == UNMAPPED)},
        "passRate": pass_rate(controls),
        "drift": len(drift),
        "expiredWaivers": sum(1 for w in waivers["entries"] if w["state"] == "expired"),
    }


def _exit(findings: list[dict[str, Any]], inputs: list[LayerInput]) -> tuple[int, str]:
    incomplete = [i.path.name for i in inputs if not i.findings_file.complete]
    errored = sorted({f["control"] for f in findings if f["status"] == "error"})
    if incomplete or errored:
        parts = ([f"incomplete: {', '.join(incomplete)}"] if incomplete else []) + (
            [f"could not evaluate: {', '.join(errored)}"] if errored else [])
        return EXIT_ERROR, "; ".join(parts)
    failed = sorted({f["control"] for f in findings if f["status"] == "fail" and f["enforcement"] == "mandatory"})
    if failed:
        return EXIT_VIOLATION, f"mandatory controls failed: {', '.join(failed)}"
    return EXIT_OK, "every evaluated mandatory control passed or is waived"


def build_report(
    inputs: list[LayerInput],
    catalog: Catalog,
    catalog_path: Path,
    *,
    graph: Graph | None = None,
    graph_path: Path | None = None,
    waivers: list[Waiver] | None = None,
    waivers_path: Path | None = None,
    deployed_outputs: dict[str, Any] | None = None,
    today: dt.date | None = None,
    git: dict[str, Any] | None = None,
    generated_at: str | None = None,
) -> dict[str, Any]:
    today = today or dt.datetime.now(dt.UTC).date()
    findings = _findings(inputs, catalog, graph)
    waiver_section = apply_waivers(findings, waivers or [], today)
    waiver_section["file"] = waivers_path.name if waivers_path else None
    drift_section: dict[str, Any] = {"evaluated": False, "reason": "", "items": []}
    layers_present = {i.layer for i in inputs}
    if graph is None:
        drift_section["reason"] = "no resource graph given (--graph): live resources cannot be matched to declared ones"
    elif "live" not in layers_present or not layers_present & set(DECLARING_LAYERS):
        drift_section["reason"] = "drift compares the live layer with the preview or static layer; one side is missing"
    else:
        index = ResourceIndex(graph, deployed_outputs)
        _link_live_findings(findings, index)
        drift_section = {"evaluated": True, "reason": "", "items": find_drift(findings, index)}
    drifted = {d["control"] for d in drift_section["items"]}
    rows = _control_rows(catalog, findings, inputs, drifted)
    code, reason = _exit(findings, inputs)
    return {
        "schemaVersion": SCHEMA_VERSION,
        "generatedAt": generated_at or now_iso(),
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "catalog": {"version": catalog.version, "file": _display_path(catalog_path), "sha256": sha256_of(catalog_path)},
        "git": git or {"commit": "", "dirty": False},
        "scope": _scope(inputs, graph),
        "graph": ({"file": Path(graph_path).name if graph_path else "", "resources": len(graph.custom_resources()),
                   "sha256": sha256_of(graph_path) if graph_path else ""} if graph is not None else None),
        "inputs": [_layer_header(i) for i in inputs],
        "summary": _summary(rows, findings, inputs, drift_section["items"], waiver_section),
        "controls": rows,
        "frameworks": _framework_views(rows),
        "findings": findings,
        "drift": drift_section,
        "waivers": waiver_section,
        "exitCode": code,
        "exitReason": reason,
    }

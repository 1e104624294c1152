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
from compliance.report.exceptions import exceptions_section
from compliance.report.expectations import LayerState, layer_cell, layer_states
from compliance.report.gaps import gaps_section, refuse_gaps_off_the_sandbox
from compliance.report.inputs import LayerInput, sha256_of
from compliance.report.schema import SCHEMA_VERSION
from compliance.report.status import count, pass_rate, worst
from compliance.report.waivers import DEFAULT_MAX_DAYS, WaiverFile, apply_waivers

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
            if data["status"] == "waived":  # only a waiver in --waivers waives (an older stage wrote this)
                data["status"] = "error"
                data["message"] = (f"recorded as waived by the {finding.layer} stage, but only a waiver in --waivers "
                                   f"waives; rerun the stage: {finding.message}")
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


def _control_rows(catalog: Catalog, findings: list[dict[str, Any]], states: dict[str, LayerState],
                  drifted: set[str]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for finding in findings:
        grouped[(finding["control"], finding["layer"])].append(finding)
    rows = []
    for control in catalog.controls.values():
        layers = {layer: layer_cell(control, states[layer], grouped.get((control.id, layer), [])) for layer in LAYERS}
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


def _summary(rows: list[dict[str, Any]], findings: list[dict[str, Any]], states: dict[str, LayerState],
             drift: list[dict[str, Any]], waivers: dict[str, Any], exceptions: dict[str, Any],
             gaps: dict[str, Any]) -> dict[str, Any]:
    controls = count(r["status"] for r in rows)
    by_layer = {}
    for layer in LAYERS:
        counts = count(r["layers"][layer]["status"] for r in rows if r["layers"][layer]["status"] is not None)
        by_layer[layer] = {**states[layer].to_summary(), "controls": counts,
                           "passRate": pass_rate(counts) if states[layer].present else None}
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
        "exceptions": {state: exceptions[state] for state in ("refused", "waived", "unused")},
        "notObservable": len(gaps["entries"]),
    }


def _names(items: list[str], limit: int = 12) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _exit(rows: list[dict[str, Any]], findings: list[dict[str, Any]], states: dict[str, LayerState],
          exceptions: dict[str, Any]) -> tuple[int, str]:
    """Green only when every expected evaluation happened and passed or was waived."""
    layer_problems = [s.problem for s in states.values() if s.problem]
    # Controls errored for a reason of their own (a layer's problem already explains the others).
    errored = [r["id"] for r in rows
               if any(c["status"] == "error" and c["reason"] not in layer_problems for c in r["layers"].values())]
    errored += sorted({f["control"] for f in findings if f["status"] == "error" and f["control"] == UNMAPPED})
    refused = [f"{e['subject']} ({e['control']}, {e['kind']})" for e in exceptions["entries"]
               if e["state"] == "refused"]
    if layer_problems or errored or refused:
        parts = [*layer_problems]
        if refused:
            parts.append(f"exceptions refused (no waiver covers them): {_names(refused, 6)}")
        if errored:
            parts.append(f"could not evaluate: {_names(errored)}")
        return EXIT_ERROR, "; ".join(parts)
    failed = sorted({f["control"] for f in findings if f["status"] == "fail" and f["enforcement"] == "mandatory"})
    if failed:
        return EXIT_VIOLATION, f"mandatory controls failed: {', '.join(failed)}"
    expected = [layer for layer, state in states.items() if state.expected]
    return EXIT_OK, (f"every expected layer ran ({', '.join(expected)}) and every evaluated mandatory control passed "
                     "or is waived")


def build_report(
    inputs: list[LayerInput],
    catalog: Catalog,
    catalog_path: Path,
    *,
    graph: Graph | None = None,
    graph_path: Path | None = None,
    waivers: WaiverFile | None = None,
    waivers_path: Path | None = None,
    max_waiver_days: int = DEFAULT_MAX_DAYS,
    expected: tuple[str, ...] = LAYERS,
    expected_by: str = "",
    deployed_outputs: dict[str, Any] | None = None,
    today: dt.date | None = None,
    git: dict[str, Any] | None = None,
    generated_at: str | None = None,
) -> dict[str, Any]:
    """``expected``: the layers this kind of run must deliver (``expected_by`` says who decided: a flag, a job)."""
    today = today or dt.datetime.now(dt.UTC).date()
    findings = _findings(inputs, catalog, graph)
    scope = _scope(inputs, graph)
    refuse_gaps_off_the_sandbox(findings, scope["endpoint"])
    waiver_file = waivers or WaiverFile(version=2, waivers=[])
    waiver_section = apply_waivers(findings, waiver_file.waivers, today)
    waiver_section.update(file=waivers_path.name if waivers_path else None, version=waiver_file.version,
                          warnings=list(waiver_file.warnings), maxDays=max_waiver_days)
    exception_section = exceptions_section(inputs, findings)
    gap_section = gaps_section(findings)
    states = layer_states(inputs, expected)
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
    rows = _control_rows(catalog, findings, states, drifted)
    code, reason = _exit(rows, findings, states, exception_section)
    return {
        "schemaVersion": SCHEMA_VERSION,
        "generatedAt": generated_at or now_iso(),
        "tool": {"name": TOOL_NAME, "version": TOOL_VERSION},
        "catalog": {"version": catalog.version, "file": _display_path(catalog_path), "sha256": sha256_of(catalog_path)},
        "git": git or {"commit": "", "dirty": False},
        "scope": scope,
        "graph": ({"file": Path(graph_path).name if graph_path else "", "resources": len(graph.custom_resources()),
                   "sha256": sha256_of(graph_path) if graph_path else ""} if graph is not None else None),
        "expected": {"layers": list(expected), "by": expected_by or "report --expect (default: every layer)"},
        "inputs": [_layer_header(i) for i in inputs],
        "summary": _summary(rows, findings, states, drift_section["items"], waiver_section, exception_section,
                            gap_section),
        "controls": rows,
        "frameworks": _framework_views(rows),
        "findings": findings,
        "drift": drift_section,
        "waivers": waiver_section,
        "exceptions": exception_section,
        "notObservable": gap_section,
        "exitCode": code,
        "exitReason": reason,
    }

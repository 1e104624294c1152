"""One gate run: the engine's side of ``pulumi preview --policy-pack`` against a resource graph.

GetAnalyzerInfo, Configure (levels and config from ``--policy-pack-config``,
reconciled as the CLI does), Analyze for every resource, AnalyzeStack for all
of them; then the one check CrossGuard cannot make (``retainOnDelete``, DES-01)
from the graph's options. Analyze calls are pipelined (a few in flight) so the
gate and the pack work at the same time.
"""

from __future__ import annotations

import subprocess
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2

from compliance.catalog import Catalog, load_catalog
from compliance.errors import EvaluationError
from compliance.exceptions import SCOPE_KEY, StageException
from compliance.findings import Finding, FindingsFile, exit_code_for, now_iso
from compliance.gate.config import configure_request, load_config_file, reconcile
from compliance.gate.exceptions import pack_exceptions
from compliance.gate.pack import PACK_DIR, PackProcess, stack_identity
from compliance.gate.protocol import MessageBuilder
from compliance.gate.results import (
    RETAIN_CHECK,
    RETAIN_CONTROL,
    STACK_KEY,
    Outcomes,
    PolicyMeta,
    build_findings,
    policy_metas,
)
from compliance.graph import Graph
from controls import des_01
from controls.verdict import FAIL

IN_FLIGHT = 4
ANALYZE_TIMEOUT_S = 120.0
ANALYZE_STACK_TIMEOUT_S = 900.0


@dataclass
class GateResult:
    pack_name: str
    pack_version: str
    pack_dir: Path
    graph: Graph
    findings: list[Finding]
    outcomes: Outcomes
    policies: dict[str, PolicyMeta]
    levels: dict[str, str]
    scope: dict[str, Any]
    started_at: str
    finished_at: str = ""
    complete: bool = True
    retained: list[dict[str, Any]] = field(default_factory=list)
    exceptions: dict[str, list[StageException]] = field(default_factory=dict)

    def findings_file(self) -> FindingsFile:
        return FindingsFile(layer="preview", tool_name=self.pack_name, tool_version=self.pack_version,
                            scope=self.scope, started_at=self.started_at, finished_at=self.finished_at,
                            complete=self.complete, findings=self.findings)

    def exit_code(self) -> int:
        return exit_code_for(self.findings, complete=self.complete)


def _retain_on_delete(graph: Graph, outcomes: Outcomes, level: str) -> list[dict[str, Any]]:
    """DES-01's half that the Analyzer protocol does not carry: retainOnDelete, from the graph (``controls.des_01``)."""
    retained = []
    for resource in graph.resources:
        verdict = des_01.decide(des_01.Options(retain_on_delete=bool(resource["options"].get("retainOnDelete"))))
        if verdict.status == FAIL:
            outcomes.add(RETAIN_CHECK, resource["urn"], "fail", verdict.message, level)
            retained.append(resource)
    return retained


def evaluate(graph: Graph, pack: PackProcess, *, config_file: Path | None = None, first_preview: bool = False,
             catalog: Catalog | None = None, graph_source: str = "") -> GateResult:
    """Run the protocol against an already started pack (it must have been started for this graph's stack)."""
    if pack.identity != stack_identity(graph.project, graph.stack, graph.config):
        raise EvaluationError("the policy pack was started for another stack or config; start one for this graph")
    catalog = catalog or load_catalog()
    user_config = load_config_file(config_file)
    started = now_iso()
    info = pack.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    metas = policy_metas(info, catalog)
    source = f"--policy-pack-config {config_file}" if config_file else "the policy pack's own config"
    settings = reconcile(info, user_config, source)
    exceptions = pack_exceptions(settings, metas, catalog, source)
    pack.stub.Configure(configure_request(settings), timeout=30)
    # The SDK validates a "remediate" policy as mandatory (it reports what remediation could not fix).
    levels = {name: "mandatory" if s.level == "remediate" else s.level for name, s in settings.items()}
    metas[RETAIN_CHECK] = PolicyMeta(RETAIN_CHECK, RETAIN_CONTROL, "gate", ("*",),
                                     "No resource is retained on delete (retainOnDelete).")
    levels[RETAIN_CHECK] = catalog[RETAIN_CONTROL].enforcement
    builder = MessageBuilder(graph, first_preview=first_preview)
    outcomes = Outcomes()
    _analyze_each(pack, graph, builder, metas, levels, outcomes)
    _analyze_stack(pack, graph, builder, metas, levels, outcomes)
    retained = _retain_on_delete(graph, outcomes, levels[RETAIN_CHECK])
    scope = {"stack": graph.stack, "project": graph.project, "graph": graph_source,
             "firstPreview": first_preview, "policyPack": str(pack.pack_dir),
             "policyPackConfig": str(config_file) if config_file else "",
             "resources": len(graph.resources), "policies": len(info.policies),
             SCOPE_KEY: [e.to_dict() for name in sorted(exceptions) for e in exceptions[name]]}
    findings = build_findings(graph, catalog, metas, levels, outcomes, exceptions)
    return GateResult(pack_name=info.name, pack_version=pack.version, pack_dir=pack.pack_dir, graph=graph,
                      findings=findings, outcomes=outcomes, policies=metas, levels=levels, scope=scope,
                      started_at=started, finished_at=now_iso(), retained=retained, exceptions=exceptions)


def _rpc_failed(pack: PackProcess, exc: grpc.RpcError, what: str) -> str:
    if not pack.alive():
        raise EvaluationError(f"the policy pack died during {what}: {pack.stderr_tail() or exc.details()}") from exc
    detail = (exc.details() or str(exc.code())).strip().splitlines()
    return f"the policy pack failed during {what}: {detail[-1] if detail else exc.code()}"


def _analyze_each(pack: PackProcess, graph: Graph, builder: MessageBuilder, metas: dict[str, PolicyMeta],
                  levels: dict[str, str], outcomes: Outcomes) -> None:
    pending: deque[tuple[dict[str, Any], grpc.Future]] = deque()

    def settle(resource: dict[str, Any], future: grpc.Future) -> None:
        try:
            outcomes.record_response(future.result(), resource["urn"], levels)
        except grpc.RpcError as exc:
            message = _rpc_failed(pack, exc, f"Analyze of {resource['urn']}")
            for meta in metas.values():
                if meta.kind == "resource" and levels.get(meta.name) != "disabled" and meta.covers(resource):
                    outcomes.add(meta.name, resource["urn"], "error", message, levels[meta.name])

    for resource in graph.resources:
        pending.append((resource, pack.stub.Analyze.future(builder.analyze_request(resource),
                                                           timeout=ANALYZE_TIMEOUT_S)))
        if len(pending) >= IN_FLIGHT:
            settle(*pending.popleft())
    while pending:
        settle(*pending.popleft())


def _analyze_stack(pack: PackProcess, graph: Graph, builder: MessageBuilder, metas: dict[str, PolicyMeta],
                   levels: dict[str, str], outcomes: Outcomes) -> None:
    try:
        response = pack.stub.AnalyzeStack(builder.analyze_stack_request(), timeout=ANALYZE_STACK_TIMEOUT_S)
    except grpc.RpcError as exc:
        message = _rpc_failed(pack, exc, "AnalyzeStack")
        for meta in metas.values():
            if meta.kind != "stack" or levels.get(meta.name) == "disabled":
                continue
            keys = [STACK_KEY] if "stack" in meta.scope else [r["urn"] for r in graph.resources if meta.covers(r)]
            for key in keys:
                outcomes.add(meta.name, key, "error", message, levels[meta.name])
        return
    outcomes.record_response(response, STACK_KEY, levels)


def run_gate(graph: Graph, *, config_file: Path | None = None, first_preview: bool = False,
             pack_dir: Path = PACK_DIR, start_timeout: float | None = None, graph_source: str = "",
             process: subprocess.Popen | None = None) -> GateResult:
    """Start the pack for this graph (or adopt ``process``, started for it), evaluate, and always stop the pack."""
    if not graph.resources:
        raise EvaluationError("the graph holds no resources, so there is nothing to gate: render the program first")
    kwargs = {"start_timeout": start_timeout} if start_timeout is not None else {}
    with PackProcess(project=graph.project, stack=graph.stack, config=graph.config, pack_dir=pack_dir,
                     process=process, **kwargs) as pack:
        return evaluate(graph, pack, config_file=config_file, first_preview=first_preview,
                        graph_source=graph_source)

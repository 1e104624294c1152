"""``python -m compliance gate``: the policy pack against the program's resource graph, offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compliance.gate.spawn import PACK_DIR, spawn_pack
from compliance.rundir import run_for_writing, run_graph

FINDINGS_NAME = "gate.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gate", help="run the CrossGuard policy pack on the resource graph (like pulumi preview --policy-pack)",
        description="Spawn the policy pack and drive it over the Analyzer gRPC protocol as `pulumi preview "
                    "--policy-pack policies` does: GetAnalyzerInfo, Configure, Analyze per resource, "
                    "AnalyzeStack. Writes DIR/gate.json.",
        epilog="Exit codes: 0 no mandatory violation, 1 mandatory violation, 2 usage/config error, "
               "3 could not evaluate (bad graph, pack failed).",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--graph", type=Path, help="a graph.json written by `compliance render` (default: the open "
                                                   "run's graph.json, else a render of --stack)")
    source.add_argument("--stack", help="render this stack's program first (default: dev)")
    parser.add_argument("--policy-pack-config", type=Path, metavar="FILE",
                        help="JSON levels/config per policy, as for `pulumi preview --policy-pack-config`")
    parser.add_argument("--first-preview", action="store_true",
                        help="treat every input computed from another resource's output as unknown")
    parser.add_argument("--policy-pack", type=Path, default=PACK_DIR, metavar="DIR",
                        help="the policy pack folder (default: policies/)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help=f"where to write {FINDINGS_NAME} (default: the open run, reports/latest)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    graph, source = run_graph(args.graph, args.stack)
    # The pack starts up (its own imports) while this process imports gRPC and the protocol.
    process = spawn_pack(graph.project, graph.stack, graph.config, args.policy_pack) if graph.resources else None
    from compliance.findings import FindingsFile, now_iso
    from compliance.gate.console import print_report
    from compliance.gate.run import run_gate

    path = (args.out or run_for_writing()) / FINDINGS_NAME
    started = now_iso()
    try:
        result = run_gate(graph, config_file=args.policy_pack_config, first_preview=args.first_preview,
                          pack_dir=args.policy_pack, graph_source=source, process=process)
    except KeyboardInterrupt:
        FindingsFile(layer="preview", tool_name="policy pack", tool_version="", scope={"stack": graph.stack},
                     started_at=started, finished_at=now_iso(), complete=False, findings=[]).write(path)
        raise
    result.findings_file().write(path)
    print_report(result, sys.stdout, str(path))
    return result.exit_code()

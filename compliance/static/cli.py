"""``python -m compliance scan``: the program's resource graph, scanned by checkov."""

from __future__ import annotations

import argparse
import shlex
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compliance.errors import UsageError
from compliance.rundir import run_for_writing, run_graph
from compliance.static.scan import FINDINGS_FILE, ScanOptions, run_scan


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan", help="convert the resource graph to a Terraform plan and scan it with checkov",
        description="Convert graph.json to Terraform-plan JSON (names from pulumi-aws's bridge metadata), run "
                    "checkov on it with the checks of policies/checkov, and checkov's secrets scan on the "
                    "repository; map the results to control IDs in static.json.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--graph", type=Path, help="a graph.json written by `render` (default: the open run's "
                                                   "graph.json, else a render of --stack)")
    source.add_argument("--stack", help="render this stack first (default: dev, when no --graph)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for static.json, the plan and checkov's reports (default: the open run, "
                             "reports/latest)")
    parser.add_argument("--checkov-args", default="", metavar="ARGS",
                        help="extra checkov arguments for the plan scan, as one quoted string "
                             "(--checkov-args=\"--check CKV_AWS_7\"); a deciding check (CKV_IOT_*) they deselect "
                             "makes its control an error (an exception a waiver may accept)")
    parser.add_argument("--no-secrets-scan", action="store_true",
                        help="skip checkov's secrets scan of the repository")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        extra = tuple(shlex.split(args.checkov_args))
    except ValueError as exc:
        raise UsageError(f"--checkov-args: {exc}") from exc
    graph, source = run_graph(args.graph, args.stack)
    out = args.out or run_for_writing()
    result = run_scan(graph, ScanOptions(out, extra, secrets=not args.no_secrets_scan), source)

    console = Console(stderr=True)
    table = Table(title=f"static scan of stack {graph.stack}: {result.scope['resources']} resources")
    for column in ("control", "pass", "fail", "other"):
        table.add_column(column, justify="right" if column != "control" else "left")
    counts: dict[str, Counter] = {}
    for finding in result.findings:
        bucket = finding.status if finding.status in ("pass", "fail") else "other"
        counts.setdefault(finding.control, Counter())[bucket] += 1
    for control, count in sorted(counts.items()):
        table.add_row(control, str(count["pass"]), str(count["fail"]), str(count["other"]))
    console.print(table)
    for finding in sorted(result.findings, key=lambda f: f.sort_key()):
        if finding.status in ("fail", "error"):
            console.print(f"{finding.status.upper()} {finding.control} {finding.check} {finding.resource.name}: "
                          f"{finding.message}", markup=False, highlight=False, soft_wrap=True)
    console.print(f"wrote {out / FINDINGS_FILE}")
    return result.exit_code()

"""``python -m compliance render``: program -> graph.json."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compliance.errors import EXIT_OK
from compliance.render.build import PROGRAMS, render_graph
from compliance.rundir import run_for_writing


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render", help="run the program offline (Pulumi mocks) and write its resource graph",
        description="Run program/ under Pulumi's mocks with the stack's config and write graph.json.",
    )
    parser.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml to use (default: dev)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the graph (default: graph.json of the open run, reports/latest)")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key (value parsed as JSON when it parses), repeatable")
    parser.add_argument("--summary", action="store_true", help="print a resource count per type")
    parser.add_argument("--program", choices=sorted(PROGRAMS), default="platform",
                        help="platform (program/, default) or auditor-role (program/auditor_role: the auditor's role "
                             "for member accounts; needs --config trustedAccountId=... --config externalId=...)")
    parser.set_defaults(handler=run)


def parse_overrides(pairs: list[str]) -> dict:
    from compliance.errors import UsageError

    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--config {pair!r}: expected KEY=VALUE")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return overrides


def run(args: argparse.Namespace) -> int:
    graph = render_graph(args.stack, parse_overrides(args.config), main=PROGRAMS[args.program])
    out = args.out or run_for_writing() / "graph.json"
    graph.write(out)
    console = Console(stderr=True)
    if args.summary:
        table = Table(title=f"stack {graph.stack}: {len(graph.custom_resources())} resources")
        table.add_column("type")
        table.add_column("count", justify="right")
        for type_token, count in sorted(Counter(r["type"] for r in graph.custom_resources()).items()):
            table.add_row(type_token, str(count))
        console.print(table)
    console.print(f"wrote {out} ({len(graph.resources)} registrations)")
    return EXIT_OK

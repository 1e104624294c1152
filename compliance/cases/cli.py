"""``python -m compliance cases``: every control's cases through every layer, one table.

What a developer runs after writing a control's decision module, adapters and
cases: it renders the case program, gates it with the pack over gRPC, scans it with
checkov, deploys it into a fresh sandbox (a moto server on loopback, in this
process) and audits it, then prints each case's verdict per layer. Exit 1 when a
layer disagrees with a case's expected verdict.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from compliance.cases.run import LAYERS, run_cases
from compliance.cases.table import load_cases
from compliance.catalog import load_catalog
from compliance.errors import EXIT_OK, EXIT_VIOLATION, UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cases", help="run the controls' case tables through the gate, the static scan and the sandbox audit",
        description="Run every case of policies/controls/*_cases.py through each layer and show where a layer "
                    "disagrees with the verdict the case expects.",
    )
    parser.add_argument("--control", action="append", default=[], metavar="ID",
                        help="only this control's cases (repeatable)")
    parser.add_argument("--layer", action="append", default=[], choices=LAYERS,
                        help="only these layers (repeatable; default all three)")
    parser.add_argument("--all", action="store_true", help="list agreeing cases too, not only disagreements")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    cases = load_cases(args.control)
    if not cases:
        raise UsageError("no cases found in policies/controls/*_cases.py")
    layers = tuple(dict.fromkeys(args.layer)) or LAYERS
    catalog = load_catalog()
    with tempfile.TemporaryDirectory(prefix="compliance-cases-") as work:
        if "live" in layers:
            from compliance.sandbox.server import start_server

            with start_server() as server:
                results = run_cases(cases, layers=layers, endpoint=server.endpoint, work_dir=Path(work),
                                    catalog=catalog)
        else:
            results = run_cases(cases, layers=layers, work_dir=Path(work), catalog=catalog)
    table = Table(title=f"{len(results)} cases, layers {', '.join(layers)}")
    for column in ("case", "control", "expect", *layers):
        table.add_column(column)
    wrong = [r for r in results if r.disagreements(catalog, layers)]
    for result in results if args.all else wrong:
        off = set(result.disagreements(catalog, layers))
        table.add_row(result.case.name, result.case.control, result.case.expect,
                      *(f"[red]{result.verdicts.get(layer, '-')}[/]" if layer in off else
                        result.verdicts.get(layer, "-") for layer in layers))
    console = Console()
    console.print(table)
    for result in wrong:
        for layer in result.disagreements(catalog, layers):
            console.print(f"{result.case.name} [{layer}]: {result.messages.get(layer, '')}", markup=False)
    console.print(f"{len(results) - len(wrong)} of {len(results)} cases agree in every layer")
    return EXIT_VIOLATION if wrong else EXIT_OK

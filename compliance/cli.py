"""``python -m compliance``: one subcommand per stage; each reads and writes files.

Every stage module exposes ``register(subparsers)``, which adds its parser and
sets ``handler(args) -> exit code``. Errors raised as ``HarnessError`` become one
line on stderr and their exit code (see ``compliance.errors``).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from compliance.errors import EXIT_ERROR, EXIT_USAGE, HarnessError
from controls.catalog import CatalogError

STAGE_MODULES = (
    "compliance.render.cli",
    "compliance.gate.cli",
    "compliance.audit.cli",
    "compliance.report.cli",
    "compliance.pipeline.cli",
    "compliance.sandbox.cli",
    "compliance.static.cli",
    "compliance.cases.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compliance",
        description="Compliance harness for the IoT sensor platform: render, gate, scan, sandbox, audit, report.",
        epilog="Exit codes: 0 pass, 1 violation, 2 usage/config error, 3 could not evaluate.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in STAGE_MODULES:
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return args.handler(args)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except CatalogError as exc:  # the pack's catalog reader: a catalog that cannot be used is a usage error
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

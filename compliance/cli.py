"""``python -m compliance``: one subcommand per stage; each reads and writes files.

Every stage module exposes ``register(subparsers)``, which adds its parser and
sets ``handler(args) -> exit code``. Errors raised as ``HarnessError`` become one
line on stderr and their exit code (see ``compliance.errors``).

Only the invoked stage's module is imported (all of them for ``--help`` or a
command line that names none): ``gate`` need not load boto3 or the Pulumi engine,
which halves its start-up.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from compliance.errors import EXIT_ERROR, EXIT_USAGE, HarnessError
from controls.catalog import CatalogError

STAGES = {
    "render": "compliance.render.cli",
    "gate": "compliance.gate.cli",
    "audit": "compliance.audit.cli",
    "report": "compliance.report.cli",
    "run": "compliance.pipeline.cli",
    "sandbox": "compliance.sandbox.cli",
    "scan": "compliance.static.cli",
    "cases": "compliance.cases.cli",
}
STAGE_MODULES = tuple(STAGES.values())
DEBUG_FLAG = "--debug"


def _invoked(argv: list[str] | None) -> tuple[str, ...]:
    """The stage modules to load: the named subcommand's, or every one."""
    words = sys.argv[1:] if argv is None else argv
    first = next((w for w in words if not w.startswith("-")), None)
    return (STAGES[first],) if first in STAGES else STAGE_MODULES


def build_parser(modules: tuple[str, ...] = STAGE_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compliance",
        description="Compliance harness for the IoT sensor platform: render, gate, scan, sandbox, audit, report.",
        epilog="Exit codes: 0 pass, 1 violation, 2 usage/config error, 3 could not evaluate. "
               f"{DEBUG_FLAG} (anywhere) prints the traceback of an unexpected failure.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in modules:
        importlib.import_module(module).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; every failure is one line on stderr and an exit code, never a bare traceback.

    ``--debug`` (anywhere on the command line) adds the traceback of an unexpected failure.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in words
    words = [w for w in words if w != DEBUG_FLAG]
    parser = build_parser(_invoked(words))
    try:
        args = parser.parse_args(words)
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
    except Exception as exc:  # fail closed: a crash is "could not evaluate" (3), never "violation" (1)
        if debug:
            traceback.print_exc()
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"error: unexpected {type(exc).__name__}{': ' + first if first else ''} (a bug: rerun with "
              f"{DEBUG_FLAG} for the traceback and report it)", file=sys.stderr)
        return EXIT_ERROR

"""``python -m compliance report``: findings files + catalog -> a sealed run directory of reports.

``report [--in DIR] [--out DIR] [--expect LAYERS] [--graph F] [--waivers F] [--max-waiver-days N]
[--outputs F] [--pdf] [--sign-key KMS_KEY]`` and ``report verify DIR [--public-key PEM]``. Exit codes: 0 every expected layer ran
and every evaluated mandatory control passed or is waived, 1 a mandatory control
failed, 2 bad arguments or waivers file, 3 something errored or was not evaluated
(an expected layer missing, incomplete or empty, a claimed control without a
finding, an exception no waiver covers), or there is no findings file at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from compliance.catalog import CATALOG_PATH, load_catalog
from compliance.errors import EXIT_OK, EXIT_VIOLATION, EvaluationError, UsageError
from compliance.findings import LAYERS, now_iso
from compliance.graph import load_graph
from compliance.report.attestation import read_trusted_key, sign_run, verify_signature
from compliance.report.build import build_report
from compliance.report.expectations import parse_expected
from compliance.report.html import STATUS_LABELS
from compliance.report.inputs import LAYER_FILES, git_revision, load_layer_inputs
from compliance.report.kms_signer import KmsRawSigner
from compliance.report.manifest import (
    ENVELOPE,
    HEAD_FILE,
    PUBLIC_KEY,
    check_head,
    read_head,
    sealed_runs,
    verify,
    verify_run,
    write_head,
)
from compliance.report.merge import merge_runs
from compliance.report.status import STATUS_ORDER
from compliance.report.waivers import DEFAULT_MAX_DAYS, load_waivers
from compliance.report.writer import copy_inputs, write_run
from compliance.rundir import MANIFEST, holds_runs, is_sealed, latest_run, new_run_dir, open_run

CONSOLE_ROWS = 10  # exceptions listed on the console; the report lists all


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="join the findings files with the catalog into report.json, HTML, Markdown, CSV, JUnit, SARIF",
        description="Join gate.json, static.json and audit.json (whichever exist in --in) with policies/controls.yaml "
                    "into a sealed run directory; `report verify DIR` checks a run's manifest chain.",
        epilog="Exit codes: 0 every expected layer ran and passed or is waived, 1 mandatory failure, 2 usage/waivers "
               "error, 3 error, an expected layer missing or incomplete, or an exception no waiver covers.",
    )
    parser.add_argument("--in", dest="in_dir", type=Path, default=None,
                        help=f"the run holding {', '.join(LAYER_FILES.values())} (default: the open run, "
                             "reports/latest, as the stage commands fill it)")
    parser.add_argument("--out", type=Path, default=None,
                        help="run directory to write (default: --in); the history page goes to its parent")
    parser.add_argument("--graph", type=Path, default=None,
                        help="graph.json, for drift and program locations (default: DIR/graph.json if present)")
    parser.add_argument("--expect", default=",".join(LAYERS), metavar="LAYERS",
                        help="the layers this kind of run must deliver, comma-separated (default: preview,static,live; "
                             "a live-only audit: --expect live); an expected layer that is missing is an error")
    parser.add_argument("--expected-by", default="", help=argparse.SUPPRESS)  # who chose --expect (compliance run)
    parser.add_argument("--waivers", type=Path, default=None, help="waivers.yaml of accepted exceptions")
    parser.add_argument("--max-waiver-days", type=int, default=DEFAULT_MAX_DAYS, metavar="N",
                        help=f"the longest a waiver may run from today (default: {DEFAULT_MAX_DAYS} days)")
    parser.add_argument("--outputs", type=Path, default=None,
                        help="the deployment's stack outputs (JSON), to match live resources to declared ones "
                             "(default: DIR/outputs.json if present)")
    parser.add_argument("--catalog", type=Path, default=CATALOG_PATH, help=argparse.SUPPRESS)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--quiet", action="store_true", help="print only the path of the HTML report")
    parser.add_argument("--pdf", action="store_true",
                        help="also print the HTML report to report.pdf with headless Chromium (sealed with the run)")
    _add_sign_arguments(parser)
    actions = parser.add_subparsers(dest="report_action", metavar="ACTION")
    verify_parser = actions.add_parser("verify", help="verify a run's manifest chain (changed or deleted files)",
                                       description="Recompute the SHA-256 of every file of DIR and of every earlier "
                                                   "run its manifest chains to; with --public-key also check the "
                                                   "run's signature, offline; exit 1 naming what changed.")
    verify_parser.add_argument("dir", type=Path, help="a run directory (reports/<run>) or the directory of runs")
    verify_parser.add_argument("--expect-head", metavar="FILE_OR_SHA256",
                               help="the head a run wrote (reports/head.json, kept elsewhere) or its manifest's "
                                    "SHA-256: that run must still be on the chain, unchanged")
    verify_parser.add_argument("--public-key", type=Path, metavar="PEM",
                               help="the signer's public key you trust (PEM): the run (or the newest run of DIR) must "
                                    "carry a DSSE envelope signed by it over its manifest; no AWS access needed")
    sign_parser = actions.add_parser("sign", help="sign a sealed run's manifest with a KMS key (DSSE envelope)",
                                     description="Verify a sealed run is intact, then sign its manifest: an in-toto "
                                                 "Statement in a DSSE envelope (manifest.intoto.jsonl) and the "
                                                 "key's public key (signing-key.pem) beside it.")
    sign_parser.add_argument("dir", type=Path, help="a sealed run directory (reports/<run>)")
    _add_sign_arguments(sign_parser, required=True)
    merge_parser = actions.add_parser("merge", help="join sealed per-account runs into one report (each verified first)",
                                      description="Verify each run's manifest chain, join their audit.json findings "
                                                  "(each names its account) and write one live report.")
    merge_parser.add_argument("runs", type=Path, nargs="+", metavar="RUN", help="sealed runs of `compliance audit`")
    merge_parser.add_argument("--into", type=Path, default=None, metavar="DIR",
                              help="the new run to write (default: a new run in the first run's directory of runs)")
    parser.set_defaults(handler=run)


def _add_sign_arguments(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument("--sign-key", metavar="KMS_KEY", required=required,
                        help="sign the sealed manifest with this asymmetric KMS key (ECC_NIST_P256, ARN or alias): "
                             "an in-toto Statement in a DSSE envelope, manifest.intoto.jsonl; needs kms:Sign and "
                             "kms:GetPublicKey on the key (the evidence signer role's permissions)")
    parser.add_argument("--kms-endpoint-url", help="with --sign-key: send the KMS calls there (the sandbox)")
    parser.add_argument("--kms-region", help="with --sign-key: the key's region (default: the ARN's, else "
                                             "AWS_DEFAULT_REGION)")


def _merge(args: argparse.Namespace) -> None:
    """``report merge``: the joined audit.json in a new run, then the report of that run (live layer only)."""
    into = args.into or new_run_dir(args.runs[0].resolve().parent)
    if is_sealed(into):
        raise UsageError(f"{into} is sealed already: merge into a new run directory")
    merge_runs(args.runs, into)
    args.in_dir, args.out, args.expect = into, None, "live"
    args.expected_by = args.expected_by or f"report merge of {len(args.runs)} runs"


def _optional(explicit: Path | None, fallback: Path) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: no such file")
        return explicit
    return fallback if fallback.is_file() else None


def _run_dirs(args: argparse.Namespace) -> tuple[Path, Path]:
    """(the run to read, the run to seal): never a directory of runs, never a run sealed already."""
    in_dir = args.in_dir
    if in_dir is None:
        in_dir = open_run()
        if in_dir is None:
            latest = latest_run()
            raise UsageError(f"reports/latest ({latest.name}) is sealed already: run the stages again (they start a "
                             "new run) or pass --in" if latest else
                             "no open run in reports/: run gate, scan or audit first, or pass --in DIR")
    if holds_runs(in_dir):
        raise UsageError(f"{in_dir} is a directory of runs, not one run: pass --in {in_dir}/<run> (or {in_dir}/latest)")
    out_dir = args.out or in_dir
    if is_sealed(out_dir):
        raise UsageError(f"{out_dir} is sealed already and a sealed run is never sealed again: write the report of "
                         "new findings to a new run (--out reports/<new run>) or rerun the stages")
    return in_dir, out_dir


def run(args: argparse.Namespace) -> int:
    if args.report_action == "verify":
        return run_verify(args.dir, args.expect_head, args.public_key)
    if args.report_action == "sign":
        return run_sign(args)
    if args.report_action == "merge":
        _merge(args)
    expected = parse_expected(args.expect)
    if args.max_waiver_days < 1:
        raise UsageError(f"--max-waiver-days {args.max_waiver_days}: a waiver must be allowed at least one day")
    in_dir, out_dir = _run_dirs(args)
    signer = _signer(args) if args.sign_key else None  # before anything is written: a key we cannot use stops here
    catalog = load_catalog(args.catalog)
    graph_path = _optional(args.graph, in_dir / "graph.json")
    outputs_path = _optional(args.outputs, in_dir / "outputs.json")
    today = args.today or dt.datetime.now(dt.UTC).date()
    waivers = load_waivers(args.waivers, catalog, today=today, max_days=args.max_waiver_days) if args.waivers else None
    for warning in waivers.warnings if waivers else []:
        print(f"warning: {warning}", file=sys.stderr)
    inputs = load_layer_inputs(in_dir)
    deployed = None
    if outputs_path is not None:
        try:
            deployed = json.loads(outputs_path.read_text())
        except json.JSONDecodeError as exc:
            raise UsageError(f"{outputs_path}: stack outputs are not valid JSON ({exc})") from exc
    report = build_report(
        inputs, catalog, args.catalog,
        graph=load_graph(graph_path) if graph_path else None, graph_path=graph_path,
        waivers=waivers, waivers_path=args.waivers, max_waiver_days=args.max_waiver_days, expected=expected,
        expected_by=args.expected_by or f"report --expect {','.join(expected)}", deployed_outputs=deployed,
        today=today, git=git_revision(), generated_at=now_iso(),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    copy_inputs(out_dir, {**{LAYER_FILES[i.layer]: i.path for i in inputs}, "graph.json": graph_path,
                          "waivers.yaml": args.waivers, "outputs.json": outputs_path})
    html = write_run(report, out_dir, pdf=args.pdf)
    head = write_head(out_dir)
    if signer is not None:
        _sign(out_dir, report, signer)
    if args.quiet:
        print(html)
    else:
        print_summary(report, html)
        Console(stderr=True).print(f"head {head['manifestSha256']} of {head['run']} written to "
                                   f"{out_dir.parent / HEAD_FILE}: keep a copy elsewhere (a CI artifact) and check "
                                   "later runs with `report verify --expect-head`", highlight=False)
    return report["exitCode"]


def _sign(run_dir: Path, report: dict, signer: KmsRawSigner) -> None:
    try:
        sign_run(run_dir, report, signer, signer.public_pem)
    except EvaluationError as exc:
        raise EvaluationError(f"{run_dir.name} is sealed but NOT signed: {exc}") from exc
    Console(stderr=True).print(f"signed {run_dir.name}/{MANIFEST} with {signer.key_arn}: {ENVELOPE}, public key "
                               f"{PUBLIC_KEY} (verify with `report verify {run_dir} --public-key <your copy>`)",
                               highlight=False)


def run_sign(args: argparse.Namespace) -> int:
    """``report sign DIR``: sign a run sealed earlier (the pipeline seals, then signs while the sandbox still runs)."""
    run_dir = args.dir
    if not is_sealed(run_dir):
        raise UsageError(f"{run_dir}: not a sealed run (no {MANIFEST}); run `report` first")
    if (run_dir / ENVELOPE).exists():
        raise UsageError(f"{run_dir}: signed already ({ENVELOPE}); a run is signed once")
    problems = verify_run(run_dir)
    if problems:
        raise EvaluationError(f"{run_dir.name}: refusing to sign a run changed since it was sealed ({problems[0]})")
    signer = _signer(args)
    _sign(run_dir, json.loads((run_dir / "report.json").read_text()), signer)
    return EXIT_OK


def _signer(args: argparse.Namespace) -> KmsRawSigner:
    import boto3

    region = args.kms_region
    if region is None and args.sign_key.startswith("arn:"):
        region = args.sign_key.split(":")[3]
    client = boto3.session.Session().client("kms", region_name=region, endpoint_url=args.kms_endpoint_url)
    if client.meta.region_name is None:
        raise UsageError(f"--sign-key {args.sign_key}: no region; pass the key's ARN or --kms-region")
    return KmsRawSigner(client, args.sign_key)


def print_summary(report: dict, html: Path, console: Console | None = None) -> None:
    console = console or Console(stderr=True, soft_wrap=True)
    expected = report["expected"]["layers"]
    table = Table(title=f"controls: {report['scope']['stack']} ({report['scope']['suffix'] or 'no suffix'}), "
                        f"expected layers: {', '.join(expected)}")
    table.add_column("layer", no_wrap=True)
    for status in STATUS_ORDER:
        table.add_column(STATUS_LABELS[status], justify="right")
    for layer in LAYERS:
        data = report["summary"]["byLayer"][layer]
        if data["present"] or data["expected"]:
            name = layer if data["present"] else f"{layer} (missing)"
            table.add_row(name, *(str(data["controls"][s]) for s in STATUS_ORDER))
    table.add_row("overall", *(str(report["summary"]["controls"][s]) for s in STATUS_ORDER), style="bold")
    console.print(table)
    for layer in LAYERS:
        data = report["summary"]["byLayer"][layer]
        if data["reason"] and (data["expected"] or data["present"]):
            console.print(f"[bold red]{layer}[/] {escape(data['reason'])}", highlight=False)
    shown = [e for e in report["exceptions"]["entries"] if e["state"] != "unused"]
    for entry in shown[:CONSOLE_ROWS]:
        colour = "red" if entry["state"] == "refused" else "yellow"
        console.print(f"[{colour}]exception {entry['state']}[/] {escape(entry['control'])} {escape(entry['subject'])}: "
                      f"{escape(entry['detail'])} ({escape(entry['source'])})", highlight=False)
    if len(shown) > CONSOLE_ROWS:
        console.print(f"…and {len(shown) - CONSOLE_ROWS} more exceptions: see the report", highlight=False)
    for drift in report["drift"]["items"]:
        console.print(f"[bold red]drift[/] {escape(drift['summary'])}", highlight=False)
    console.print(f"exit {report['exitCode']}: {escape(report['exitReason'])}", highlight=False)
    console.print(f"report: {html}", highlight=False)


def run_verify(directory: Path, expect_head: str | None = None, public_key: Path | None = None) -> int:
    trusted = read_trusted_key(public_key) if public_key is not None else None
    signature_problems = []
    if trusted is not None:
        signed_run = Path(directory) if (Path(directory) / MANIFEST).is_file() else sealed_runs(Path(directory))[-1]
        problem = verify_signature(signed_run, trusted)
        signature_problems = [problem] if problem else []
    try:
        checked, problems = verify(directory)
        if expect_head is not None:
            problems += check_head(directory, read_head(expect_head))
    except EvaluationError as exc:
        if not signature_problems:
            raise  # unreadable, and no signature says what it should hold: cannot be judged (exit 3)
        # The signed digest proves the manifest was changed after signing: that is the finding, not a crash.
        checked, problems = [], [str(exc)]
    problems += signature_problems
    console = Console(stderr=True, soft_wrap=True)
    for problem in problems:
        console.print(f"[bold red]tampered[/] {escape(problem)}", highlight=False)
    if problems:
        return EXIT_VIOLATION
    console.print(f"intact: {len(checked)} run(s) verified ({', '.join(checked)})", highlight=False)
    if trusted is not None:
        console.print(f"signed: {checked[0]}'s manifest is signed by the trusted key {trusted.keyid[:16]}…",
                      highlight=False)
    return EXIT_OK

"""``python -m compliance run``: the main job, every stage in order, into reports/<timestamp>/.

By default against the sandbox (a moto server on 127.0.0.1 into which the
program is deployed); ``--live --region R --suffix S`` skips the sandbox and
audits the account the standard AWS credential chain reaches. The exit code
is the worst of the stages' (compliance.errors.worst_exit_code).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from compliance import REPO_ROOT
from compliance.engine import project_name, stack_config
from compliance.errors import UsageError, worst_exit_code
from compliance.pipeline.runner import StageResult, run_stages
from compliance.pipeline.stages import EXPECTED_LAYERS, Options, free_loopback_port, plan
from compliance.report.cli import print_summary
from compliance.report.manifest import ENVELOPE, PUBLIC_KEY
from compliance.report.pdf import PDF_FILE
from compliance.report.screenshot import chromium_missing
from compliance.rundir import new_run_dir, point_latest


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="the main job: render, gate, scan, sandbox + deploy, audit, report (or --live)",
        description="Run every stage into reports/<timestamp>/ and point reports/latest at it. Default: against "
                    "a sandbox account on 127.0.0.1; --live audits a real account instead.",
        epilog="Exit code: the worst of the stages (0 pass, 1 violation, 3 could not evaluate, 2 usage error).",
    )
    parser.add_argument("--stack", default="dev", help="stack whose Pulumi.<stack>.yaml to use (default: dev)")
    parser.add_argument("--suffix", help="environmentSuffix (default: the stack's; required with --live)")
    parser.add_argument("--region", action="append", default=[],
                        help="region, repeatable (default: the stack's aws:region; required with --live)")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="directory of runs (default: reports)")
    parser.add_argument("--waivers", type=Path, help="waivers.yaml of accepted exceptions, for the report")
    parser.add_argument("--max-waiver-days", type=int, metavar="N",
                        help="the longest a waiver may run from today, for the report (default: 365)")
    parser.add_argument("--port", type=int, default=0, help="sandbox port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--state-dir", type=Path, default=Path(".sandbox"), help=argparse.SUPPRESS)
    parser.add_argument("--org-sandbox", type=int, default=0, metavar="N",
                        help="the sandbox as an Organization of N member accounts (the program and the auditor role "
                             "in each), all audited into one report")
    live = parser.add_argument_group("live account (--live)")
    live.add_argument("--live", action="store_true", help="skip the sandbox; audit the account the credentials reach")
    live.add_argument("--endpoint-url", help="with --live: send audit calls there instead of AWS")
    live.add_argument("--outputs", type=Path, help="with --live: the stack's `pulumi stack output --json`")
    live.add_argument("--profile", help="with --live: AWS profile (default: the standard credential chain)")
    live.add_argument("--accounts", type=Path, metavar="FILE",
                      help="with --live: audit every account of this accounts file into the one report "
                           "(docs/organization.md); --suffix then defaults the entries' suffix")
    live.add_argument("--known-gaps", type=Path, action="append", default=[], metavar="FILE",
                      help="with --live against an emulated endpoint: its gaps.json (see `audit --known-gaps`)")
    parser.set_defaults(handler=run)


def options_from(args: argparse.Namespace) -> Options:
    if not args.live:
        for flag in ("endpoint_url", "outputs", "profile", "known_gaps", "accounts"):
            if getattr(args, flag):
                raise UsageError(f"--{flag.replace('_', '-')} applies to --live only; the sandbox sets its own")
    elif args.accounts:
        if not args.accounts.is_file():
            raise UsageError(f"--accounts {args.accounts}: no such file")
        if args.outputs:
            raise UsageError("--outputs names one stack: put each account's outputs file in the accounts file")
    elif not args.suffix or not args.region:
        raise UsageError("--live needs --suffix and --region: name the stack and regions to audit in the account")
    if args.org_sandbox and (args.live or args.org_sandbox < 1):
        raise UsageError("--org-sandbox N: 1 or more member accounts, and not with --live (use audit --accounts)")
    if args.outputs and not args.outputs.is_file():
        raise UsageError(f"--outputs {args.outputs}: no such file; write it with `pulumi stack output --json`")
    if args.waivers and not args.waivers.is_file():
        raise UsageError(f"--waivers {args.waivers}: no such file")
    if args.max_waiver_days is not None and args.max_waiver_days < 1:
        raise UsageError(f"--max-waiver-days {args.max_waiver_days}: a waiver must be allowed at least one day")
    config = stack_config(args.stack)
    suffix = args.suffix or config.get(f"{project_name()}:environmentSuffix") or args.stack
    regions = tuple(dict.fromkeys(args.region)) or ((config["aws:region"],) if config.get("aws:region") else ())
    if not regions:
        raise UsageError(f"Pulumi.{args.stack}.yaml sets no aws:region; pass --region")
    reports = args.reports.resolve()
    return Options(
        run_dir=new_run_dir(reports), stack=args.stack, suffix=suffix, regions=regions, live=args.live,
        port=0 if args.live else (args.port or free_loopback_port()), endpoint_url=args.endpoint_url,
        outputs=args.outputs.resolve() if args.outputs else None, profile=args.profile,
        waivers=args.waivers.resolve() if args.waivers else None, state_dir=args.state_dir.resolve(),
        known_gaps=tuple(p.resolve() for p in args.known_gaps), max_waiver_days=args.max_waiver_days,
        pdf=chromium_missing() is None,
        org_sandbox=args.org_sandbox, accounts=args.accounts.resolve() if args.accounts else None,
    )


def run(args: argparse.Namespace) -> int:
    options = options_from(args)
    console = Console(stderr=True, soft_wrap=True)
    mode = "live account" if options.live else f"sandbox on 127.0.0.1:{options.port}" + (
        f" as an Organization of {options.org_sandbox} accounts" if options.org_sandbox else "")
    console.print(f"[bold]compliance run[/]: stack {escape(options.stack)}, suffix {escape(options.suffix)}, "
                  f"{escape(', '.join(options.regions))}, {mode}, expecting the {', '.join(EXPECTED_LAYERS)} layers "
                  f"-> {escape(str(options.run_dir))}")
    stages = plan(options)
    no_pdf = chromium_missing()
    if no_pdf:
        console.print(f"[yellow]skipping report.pdf[/]: {escape(no_pdf)}")

    def log_path(stage) -> Path:
        if stage.seals_run or stage.after_seal:  # written after the manifest: kept beside the run, not in it
            return options.run_dir.parent / ".logs" / f"{options.run_dir.name}-{stage.name}.log"
        return options.run_dir / "logs" / f"{stage.name}.log"

    try:
        results = run_stages(stages, log_path, console)
    finally:
        point_latest(options.run_dir)
    print_stage_table(results, console)
    report_path = options.run_dir / "report.json"
    html = options.run_dir / "index.html"
    if report_path.is_file():
        print_summary(json.loads(report_path.read_text()), html, console)
    else:
        console.print("[bold red]no report was written[/]: see the stage logs above")
    _print_evidence(options, no_pdf, console)
    code = worst_exit_code(*(r.exit_code for r in results))
    console.print(f"[bold]run exit {code}[/] (worst of the stages); latest -> {escape(options.run_dir.name)}")
    print(html if html.is_file() else options.run_dir)
    return code


def _print_evidence(options: Options, no_pdf: str | None, console: Console) -> None:
    """The optional evidence this run made, or why not: a missing artifact is said, never silent."""
    run = options.run_dir
    pdf = run / PDF_FILE
    console.print(f"pdf: {escape(str(pdf))}" if pdf.is_file() else
                  f"[yellow]no report.pdf[/]: {escape(no_pdf or 'the report stage did not write it')}")
    if options.live:
        return
    if options.org_sandbox:
        console.print("[yellow]not signed[/]: an organization sandbox's evidence keys live in its member accounts "
                      f"(sign with `report sign {escape(str(run))} --sign-key KEY`)")
        return
    if (run / ENVELOPE).is_file():
        console.print(f"signed: {escape(str(run / ENVELOPE))}; public key {escape(str(run / PUBLIC_KEY))} (keep a "
                      f"copy: `report verify {escape(str(run))} --public-key <copy>`)")
    else:
        console.print(f"[bold red]not signed[/]: no {ENVELOPE} (see the sign stage)")


def print_stage_table(results: list[StageResult], console: Console) -> None:
    table = Table(title="stages")
    table.add_column("stage", no_wrap=True, min_width=12)
    table.add_column("result", no_wrap=True, min_width=7)
    table.add_column("exit", justify="right", no_wrap=True, min_width=4)
    table.add_column("s", justify="right", no_wrap=True, min_width=3)
    table.add_column("last line", no_wrap=True, overflow="ellipsis", max_width=36)
    for r in results:
        colour = {"ok": "green", "failed": "red", "skipped": "yellow"}[r.status]
        table.add_row(r.stage.name, f"[{colour}]{r.status}[/]", str(r.exit_code), f"{r.seconds:.0f}", escape(r.detail))
    console.print(table)
    for r in results:
        if r.status != "ok":
            where = f"log: {escape(_relative(r.log))}" if r.log else escape(r.detail)
            console.print(f"[{'yellow' if r.status == 'skipped' else 'red'}]{r.stage.name}[/] exit {r.exit_code}: {where}")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        try:
            return str(path.resolve().relative_to(REPO_ROOT))
        except ValueError:
            return str(path)

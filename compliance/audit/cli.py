"""``python -m compliance audit``: boto3 checks of a live account (or any endpoint) -> DIR/audit.json.

It takes the standard boto3 credential chain (``--profile``, environment,
instance or OIDC roles) and an optional ``--endpoint-url``: nothing else tells
it whether it reads AWS or the sandbox.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError

from compliance.audit.aws import RETRY_MODES, RetryPolicy
from compliance.audit.declared import StackOutputs
from compliance.audit.gaps import load_gaps
from compliance.audit.runner import AuditRequest, AuditResult, run_audit
from compliance.audit.scope import Scope, output_identifiers, read_outputs
from compliance.errors import EvaluationError, UsageError
from compliance.findings import FindingsFile, now_iso
from compliance.rundir import run_for_writing

TOOL_VERSION = "1.0.0"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "audit", help="audit a deployed stack (or the whole account) with boto3 and write audit.json",
        description="Read the live configuration of every audited resource and decide each control with the "
                    "live layer in policies/controls.yaml. Fails closed: anything not decided is an error.",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--suffix", help="audit one stack: resources named {type}-{purpose}-SUFFIX or tagged "
                                        "Environment=SUFFIX")
    which.add_argument("--all", action="store_true", help="audit every resource of the audited types")
    parser.add_argument("--endpoint-url", help="send every call there (e.g. the sandbox's http://127.0.0.1:4566)")
    parser.add_argument("--region", action="append", default=[], help="region to audit, repeatable "
                        "(default: the session's region)")
    parser.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    parser.add_argument("--outputs", type=Path, help="the stack's `pulumi stack output --json`: locates its "
                                                     "resources exactly, and each must be found")
    parser.add_argument("--known-gaps", type=Path, action="append", default=[], metavar="FILE",
                        help="emulator gaps (the sandbox's gaps.json, compliance/audit/moto-read-gaps.json), only "
                             "with a loopback --endpoint-url: findings decided with an API answer the emulator gets "
                             "wrong are not_applicable, never pass; repeatable")
    parser.add_argument("--concurrency", type=int, default=8, help="checks run at once (default 8)")
    parser.add_argument("--retry-mode", choices=RETRY_MODES, default="standard", help="botocore retry mode")
    parser.add_argument("--max-attempts", type=int, default=3,
                        help="attempts per call, first included (default 3; use 2 against moto, which answers "
                             "unimplemented APIs with HTTP 500)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for audit.json (default: the open run, reports/latest)")
    parser.set_defaults(handler=run)


def build_request(args: argparse.Namespace, session: boto3.Session) -> AuditRequest:
    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency}: use 1 or more")
    if args.max_attempts < 1:
        raise UsageError(f"--max-attempts {args.max_attempts}: use 1 or more")
    regions = tuple(dict.fromkeys(args.region)) or ((session.region_name,) if session.region_name else ())
    if not regions:
        raise UsageError("no region: pass --region or set AWS_DEFAULT_REGION (or a region in the profile)")
    outputs = StackOutputs(read_outputs(args.outputs)) if args.outputs else None
    identifiers = output_identifiers(outputs.document) if outputs else frozenset()
    return AuditRequest(
        regions=regions,
        scope=Scope(suffix=None if args.all else args.suffix, outputs=identifiers),
        outputs=outputs,
        endpoint_url=args.endpoint_url,
        retry=RetryPolicy(mode=args.retry_mode, max_attempts=args.max_attempts),
        concurrency=args.concurrency,
        gaps=load_gaps(args.known_gaps),
        progress=True,
    )


def run(args: argparse.Namespace) -> int:
    try:
        session = boto3.Session(profile_name=args.profile) if args.profile else boto3.Session()
    except BotoCoreError as exc:
        raise UsageError(f"--profile {args.profile}: {exc}") from None
    request = build_request(args, session)
    # Until the audit finishes, audit.json says it is incomplete: a crash or a kill never leaves an
    # earlier complete audit behind for the report stage to trust.
    out = args.out or run_for_writing()
    write(AuditResult([], False, {"started": True}, now_iso(), now_iso(), Counter(), 0), out)
    result = run_audit(session, request)
    findings_file = write(result, out)
    print_summary(result)
    if result.aborted:
        raise EvaluationError(f"{result.aborted} (wrote {out / 'audit.json'})")
    return findings_file.exit_code()


def write(result: AuditResult, out: Path) -> FindingsFile:
    findings_file = FindingsFile(
        layer="live", tool_name="compliance-audit", tool_version=TOOL_VERSION, scope=result.scope,
        started_at=result.started_at, finished_at=result.finished_at, complete=result.complete,
        findings=result.findings,
    )
    findings_file.write(out / "audit.json")
    return findings_file


def print_summary(result: AuditResult) -> None:
    for finding in sorted(result.findings, key=lambda f: f.sort_key()):
        if finding.status in ("fail", "error"):
            print(f"{finding.status.upper():5} {finding.control} {finding.resource.type} {finding.resource.id}: "
                  f"{finding.message}")
    counts = Counter(f.status for f in result.findings)
    summary = ", ".join(f"{counts[s]} {s}" for s in ("pass", "fail", "error", "not_applicable") if counts[s])
    gapped = sum(1 for f in result.findings if "knownGap" in f.evidence)
    print(f"audit: {result.resources} resources, {len(result.findings)} findings ({summary or 'none'}"
          f"{f'; {gapped} not observable in the sandbox' if gapped else ''}), "
          f"{sum(result.api_calls.values())} API calls{'' if result.complete else ', INCOMPLETE'}")


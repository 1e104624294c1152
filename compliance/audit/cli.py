"""``python -m compliance audit``: boto3 checks of a live account (or any endpoint) -> DIR/audit.json.

It takes the standard boto3 credential chain (``--profile``, environment,
instance or OIDC roles) and an optional ``--endpoint-url``: nothing else tells
it whether it reads AWS or the sandbox.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections import Counter
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from compliance.audit.aws import RETRY_MODES, RetryPolicy, classify
from compliance.audit.credentials import default_session_name
from compliance.audit.declared import StackOutputs
from compliance.audit.gaps import load_gaps
from compliance.audit.organization import ALL_REGIONS, OrgRequest, run_organization
from compliance.audit.runner import AuditRequest, AuditResult, CallCounter, run_audit
from compliance.audit.scope import Scope, output_identifiers, read_outputs
from compliance.audit.targets import DEFAULT_ROLE_NAME, load_accounts_file, organization_targets, select
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
    which = parser.add_mutually_exclusive_group()
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
    parser.add_argument("--retry-mode", choices=RETRY_MODES, default=None,
                        help="botocore retry mode (default standard; adaptive for an organization audit)")
    parser.add_argument("--max-attempts", type=int, default=3,
                        help="attempts per call, first included (default 3; use 2 against moto, which answers "
                             "unimplemented APIs with HTTP 500)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for audit.json (default: the open run, reports/latest)")
    add_organization_arguments(parser)
    parser.set_defaults(handler=run)


def add_organization_arguments(parser: argparse.ArgumentParser) -> None:
    """The many-account options (``compliance.audit.organization``), shared with ``compliance run --live``."""
    org = parser.add_argument_group("many accounts (--accounts or --organization)")
    targets = org.add_mutually_exclusive_group()
    targets.add_argument("--accounts", type=Path, metavar="FILE",
                         help="YAML list of accounts to audit (c7n-org's shape plus suffix/outputs; see "
                              "docs/organization.md), each through its role")
    targets.add_argument("--organization", action="store_true",
                         help="audit every ACTIVE account of the Organization the credentials manage")
    org.add_argument("--role-name", default=DEFAULT_ROLE_NAME,
                     help=f"with --organization: the role assumed in each account (default {DEFAULT_ROLE_NAME})")
    org.add_argument("--external-id", help="with --organization: the external id the roles' trust requires")
    org.add_argument("--include", action="append", default=[], metavar="SELECTOR",
                     help="audit only accounts matching: account id, name, OU id or tag key=value; repeatable")
    org.add_argument("--exclude", action="append", default=[], metavar="SELECTOR",
                     help="skip accounts matching (same selectors); repeatable")
    org.add_argument("--regions", help="'all' (each account's enabled regions) or a comma-separated list")
    org.add_argument("--workers", type=int, default=4, help="accounts audited at once (default 4)")
    org.add_argument("--session-name", default=None,
                     help="AssumeRole session name, recorded by CloudTrail (default compliance-audit@<user>)")


def is_organization(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "accounts", None) or getattr(args, "organization", False))


def build_request(args: argparse.Namespace, session: boto3.Session) -> AuditRequest:
    if args.concurrency < 1:
        raise UsageError(f"--concurrency {args.concurrency}: use 1 or more")
    if args.max_attempts < 1:
        raise UsageError(f"--max-attempts {args.max_attempts}: use 1 or more")
    if not (args.suffix or args.all):
        raise UsageError("name what to audit: --suffix S, --all, --accounts FILE or --organization")
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
        retry=RetryPolicy(mode=args.retry_mode or "standard", max_attempts=args.max_attempts),
        concurrency=args.concurrency,
        gaps=load_gaps(args.known_gaps),
        progress=True,
    )


def build_org_request(args: argparse.Namespace, session: boto3.Session) -> tuple[OrgRequest, Counter[str]]:
    """The targets (file or Organizations discovery) and how to audit them; the discovery's calls counted."""
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers}: use 1 or more")
    if args.concurrency < 1 or args.max_attempts < 1:
        raise UsageError("--concurrency and --max-attempts: use 1 or more")
    if args.outputs:
        raise UsageError("--outputs names one stack: put each account's outputs file in the accounts file")
    if args.region and args.regions:
        raise UsageError("use --regions or --region, not both")
    regions = _regions_arg(args.regions) if args.regions else tuple(dict.fromkeys(args.region))
    home = (regions[0] if regions and regions != (ALL_REGIONS,) else None) or session.region_name or "us-east-1"
    retry = RetryPolicy(mode=args.retry_mode or "adaptive", max_attempts=args.max_attempts)
    calls: Counter[str] = Counter()
    if args.accounts:
        targets = load_accounts_file(args.accounts)
        if args.suffix:
            targets = [t if t.suffix else dataclasses.replace(t, suffix=args.suffix) for t in targets]
    else:
        if not (args.suffix or args.all):
            raise UsageError("--organization: name what to audit in each account: --suffix S or --all")
        counter = CallCounter(session)
        client = session.client("organizations", region_name=home, endpoint_url=args.endpoint_url,
                                config=retry.config())
        try:
            targets = organization_targets(client, args.role_name, args.external_id)
        except (ClientError, BotoCoreError) as exc:
            raise EvaluationError(classify("organizations", "ListAccounts", exc, args.endpoint_url, retry).message
                                  + "; run from the management or a delegated-administrator account") from None
        finally:
            counter.close()
        calls.update(counter.calls)
        targets = [dataclasses.replace(t, suffix=None if args.all else args.suffix) for t in targets]
    targets = select(targets, args.include, args.exclude)
    missing = [t.name for t in targets if not (t.regions or regions)]
    if missing:
        raise UsageError(f"no region for {', '.join(missing)}: pass --regions (or list regions per account)")
    request = OrgRequest(
        targets=tuple(targets), regions=regions, endpoint_url=args.endpoint_url, retry=retry, workers=args.workers,
        concurrency=args.concurrency, gaps=load_gaps(args.known_gaps),
        session_name=args.session_name or default_session_name(), home_region=home, progress=True)
    return request, calls


def _regions_arg(value: str) -> tuple[str, ...]:
    regions = tuple(dict.fromkeys(r.strip() for r in value.split(",") if r.strip()))
    if not regions or (ALL_REGIONS in regions and len(regions) > 1):
        raise UsageError(f"--regions {value!r}: 'all' or a comma-separated list of regions")
    return regions


def run(args: argparse.Namespace) -> int:
    try:
        session = boto3.Session(profile_name=args.profile) if args.profile else boto3.Session()
    except BotoCoreError as exc:
        raise UsageError(f"--profile {args.profile}: {exc}") from None
    if is_organization(args):
        return run_org(args, session)
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


def run_org(args: argparse.Namespace, session: boto3.Session) -> int:
    """Every account of ``--accounts``/``--organization`` into one audit.json (each finding names its account)."""
    request, discovery_calls = build_org_request(args, session)
    out = args.out or run_for_writing()
    write(AuditResult([], False, {"started": True}, now_iso(), now_iso(), Counter(), 0), out)
    result = run_organization(session, request, prior_calls=discovery_calls)
    findings_file = write(result, out)
    print_summary(result, frozenset(a["id"] for a in result.scope["accounts"] if not a["resourcesAudited"]))
    for account in result.scope["accounts"]:
        if account["status"] != "complete":
            print(f"ERROR account {account['name']} ({account['id']}): {account['reason']}")
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


def print_summary(result: AuditResult, quiet_accounts: frozenset[str] = frozenset()) -> None:
    """Every fail and error, then the counts; ``quiet_accounts``' findings are counted but not listed (an account
    that could not be audited is one ``ERROR account`` line, not one per check)."""
    for finding in sorted(result.findings, key=lambda f: f.sort_key()):
        if finding.status in ("fail", "error") and finding.resource.account not in quiet_accounts:
            print(f"{finding.status.upper():5} {finding.control} {finding.resource.type} {finding.resource.id}: "
                  f"{finding.message}")
    counts = Counter(f.status for f in result.findings)
    summary = ", ".join(f"{counts[s]} {s}" for s in ("pass", "fail", "error", "not_applicable") if counts[s])
    gapped = sum(1 for f in result.findings if "knownGap" in f.evidence)
    print(f"audit: {result.resources} resources, {len(result.findings)} findings ({summary or 'none'}"
          f"{f'; {gapped} not observable in the sandbox' if gapped else ''}), "
          f"{sum(result.api_calls.values())} API calls{'' if result.complete else ', INCOMPLETE'}")


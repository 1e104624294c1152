"""An organization audit: every target account, its regions, on a bounded pool, into one result.

Each account is one unit of the pool (``workers`` at once); inside it the
single-account audit (``compliance.audit.runner``) runs its (check, region)
tasks on its own ``concurrency`` threads, with clients of that account only, so
botocore's adaptive retry rate of a throttled account slows that account alone.

Fail closed per account: a role that cannot be assumed, an account whose
credentials answer for another account, a region that is disabled (not opted
in) or whose listing is denied, or an account audit that could not run, turns
into ``error`` findings for that account and region, one per live check, naming
the reason; the other accounts complete and the exit code is 3.

Every AWS call is counted: STS AssumeRole (and its refreshes) and Organizations
on the caller's session, EC2 DescribeRegions and the checks on each account's.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import boto3

from compliance.audit.aws import ApiError, AwsAccess, RetryPolicy
from compliance.audit.credentials import assumed_session, default_session_name
from compliance.audit.declared import StackOutputs
from compliance.audit.gaps import KnownGaps, require_loopback
from compliance.audit.registry import all_checks, scope_ref
from compliance.audit.runner import AuditRequest, AuditResult, CallCounter, default_catalog, run_audit
from compliance.audit.scope import Scope, output_identifiers, read_outputs
from compliance.audit.targets import Target
from compliance.catalog import Catalog
from compliance.findings import Finding, now_iso

ALL_REGIONS = "all"
# What the auditor role is granted for an organization audit only (auditor-policy.json holds it too).
ORGANIZATION_ONLY_ACTIONS = frozenset({"ec2:DescribeRegions"})
ENABLED_OPT_IN = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True)
class OrgRequest:
    """``regions``: ``("all",)`` for each account's enabled regions, else the list (a target's own list wins)."""

    targets: tuple[Target, ...]
    regions: tuple[str, ...]
    endpoint_url: str | None = None
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(mode="adaptive"))
    workers: int = 4
    concurrency: int = 8
    gaps: KnownGaps = field(default_factory=KnownGaps)
    session_name: str = field(default_factory=default_session_name)
    home_region: str = "us-east-1"
    progress: bool = False

    def __post_init__(self) -> None:
        require_loopback(self.endpoint_url, self.gaps)


@dataclass
class AccountOutcome:
    target: Target
    status: str  # complete | error
    regions: tuple[str, ...]
    reason: str = ""
    resources: int = 0
    api_calls: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> dict[str, Any]:
        errors = sum(1 for f in self.findings if f.status == "error")
        return {"id": self.target.account_id, "name": self.target.name, "status": self.status,
                "reason": self.reason, "regions": list(self.regions), "resourcesAudited": self.resources,
                "errors": errors, "seconds": round(self.seconds, 3),
                "apiCalls": self.api_calls, "suffix": self.target.suffix or "",
                "role": self.target.role_arn or ""}


def run_organization(base: boto3.Session, request: OrgRequest, catalog: Catalog | None = None,
                     prior_calls: Counter[str] | None = None) -> AuditResult:
    """Audit every target; ``prior_calls`` are calls made before (Organizations discovery), counted in."""
    catalog = catalog or default_catalog()
    started = now_iso()
    counter = CallCounter(base)  # AssumeRole and its refreshes
    calls: Counter[str] = Counter(prior_calls or {})
    outcomes: dict[str, AccountOutcome] = {}
    complete = True
    progress = _progress(request.progress, len(request.targets))
    pool = ThreadPoolExecutor(max_workers=max(1, request.workers), thread_name_prefix="org")
    try:
        pending: dict[Future, Target] = {}
        for target in request.targets:
            pending[pool.submit(_audit_account, base, target, request, catalog, progress)] = target
        while pending:
            done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                target = pending.pop(future)
                outcome, account_calls = future.result()
                if outcome.status == "complete" and any(f.status == "error" for f in outcome.findings):
                    outcome.status, outcome.reason = "error", "some checks could not read (see its error findings)"
                outcomes[target.account_id] = outcome
                calls.update(account_calls)
                if progress:
                    progress.finished(outcome.status == "complete")
    except KeyboardInterrupt:
        complete = False
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if progress:
            progress.stop()
        counter.close()
    calls.update(counter.calls)
    ordered = [outcomes[t.account_id] for t in request.targets if t.account_id in outcomes]
    findings = [f for outcome in ordered for f in outcome.findings]
    regions = sorted({r for outcome in ordered for r in outcome.regions})
    scope: dict[str, Any] = {
        "organization": True, "account": ",".join(o.target.account_id for o in ordered),
        "accounts": [o.describe() for o in ordered], "regions": regions, "endpoint": request.endpoint_url or "",
        "knownGaps": request.gaps.describe(), "sessionName": request.session_name, "workers": request.workers,
        "resourcesAudited": sum(o.resources for o in ordered), "apiCalls": sum(calls.values()),
    }
    aborted = "" if complete else "interrupted: the organization audit was stopped before every account ran"
    return AuditResult(findings, complete, scope, started, now_iso(), calls, scope["resourcesAudited"], aborted)


def _audit_account(base: boto3.Session, target: Target, request: OrgRequest, catalog: Catalog,
                   progress: _OrgProgress | None) -> tuple[AccountOutcome, Counter[str]]:
    """One account, whole: assume its role, resolve its regions, audit; every failure is its error rows."""
    if progress:
        progress.started()
    started = time.perf_counter()
    try:
        outcome, calls = _audit_account_unit(base, target, request, catalog)
    except Exception as exc:  # fail closed: whatever broke this account is its error, the others go on
        shown = tuple(r for r in (target.regions or request.regions) if r != ALL_REGIONS) or ("",)
        outcome, calls = _failed(target, shown, f"the audit failed ({type(exc).__name__}: {exc})", catalog), Counter()
    outcome.seconds = time.perf_counter() - started
    return outcome, calls


def _audit_account_unit(base: boto3.Session, target: Target, request: OrgRequest, catalog: Catalog
                        ) -> tuple[AccountOutcome, Counter[str]]:
    wanted = target.regions or request.regions
    shown = wanted if wanted != (ALL_REGIONS,) else ("",)
    try:
        session = base if target.role_arn is None else assumed_session(
            base, target.role_arn, session_name=request.session_name, external_id=target.external_id,
            region=request.home_region, endpoint_url=request.endpoint_url, retry=request.retry)
    except ApiError as exc:
        return _failed(target, shown, f"cannot assume {target.role_arn}: {exc.message}", catalog), Counter()
    counter = CallCounter(session)
    try:
        regions, refused = _regions(session, wanted, request)
    finally:
        counter.close()
    calls = Counter(counter.calls)
    errors = [f for region, reason in refused.items() for f in _error_rows(target, (region,), reason, catalog)]
    if not regions:
        outcome = _failed(target, shown, "; ".join(sorted(set(refused.values()))) or "no region to audit", catalog)
        outcome.api_calls = sum(calls.values())
        return outcome, calls
    try:
        audit_request = _account_request(target, regions, request)
    except Exception as exc:  # an unreadable outputs file, a bad suffix: this account's error, one line
        outcome = _failed(target, regions, f"{type(exc).__name__}: {exc}", catalog)
        return outcome, calls
    result = run_audit(session, audit_request, catalog)
    calls.update(result.api_calls)
    reason = result.aborted
    if not reason and result.scope.get("account") != target.account_id:
        reason = (f"the credentials answer for account {result.scope.get('account')!r}, not {target.account_id}: "
                  "check the role ARN")
    if reason:
        outcome = _failed(target, regions, reason, catalog)
        outcome.findings = errors + outcome.findings
        outcome.api_calls = sum(calls.values())
        return outcome, calls
    findings = errors + [_stamped(f, target) for f in result.findings]
    status = "error" if refused else "complete"
    return AccountOutcome(target, status, regions, "; ".join(sorted(set(refused.values()))), result.resources,
                          sum(calls.values()), findings), calls


def _account_request(target: Target, regions: tuple[str, ...], request: OrgRequest) -> AuditRequest:
    outputs = StackOutputs(read_outputs(target.outputs)) if target.outputs else None
    identifiers = output_identifiers(outputs.document) if outputs else frozenset()
    return AuditRequest(regions=regions, scope=Scope(suffix=target.suffix, outputs=identifiers), outputs=outputs,
                        endpoint_url=request.endpoint_url, retry=request.retry, concurrency=request.concurrency,
                        gaps=request.gaps)


def _regions(session: boto3.Session, wanted: tuple[str, ...], request: OrgRequest
             ) -> tuple[tuple[str, ...], dict[str, str]]:
    """The regions to audit and those refused with the reason (disabled, unknown, or not listable)."""
    aws = AwsAccess(session, request.endpoint_url, request.retry, request.home_region)
    try:
        answer = aws.call("ec2", request.home_region, "DescribeRegions", AllRegions=True)
    except ApiError as exc:
        if wanted == (ALL_REGIONS,):
            return (), {"": f"cannot list the account's regions: {exc.message}"}
        return wanted, {}  # the checks of each region report what they cannot read
    status = {r["RegionName"]: r.get("OptInStatus", "opt-in-not-required") for r in answer.get("Regions", [])}
    if wanted == (ALL_REGIONS,):
        return tuple(sorted(r for r, s in status.items() if s in ENABLED_OPT_IN)), {}
    refused = {r: (f"region {r} is not enabled in the account (OptInStatus {status[r]}): enable it or drop it"
                   if r in status else f"region {r} is not a region this account knows")
               for r in wanted if status.get(r) not in ENABLED_OPT_IN}
    return tuple(r for r in wanted if r not in refused), refused


def _stamped(finding: Finding, target: Target) -> Finding:
    resource = dataclasses.replace(finding.resource, account=target.account_id, account_name=target.name)
    return dataclasses.replace(finding, resource=resource)


def _failed(target: Target, regions: tuple[str, ...], reason: str, catalog: Catalog) -> AccountOutcome:
    return AccountOutcome(target, "error", tuple(r for r in regions if r), reason,
                          findings=_error_rows(target, regions, reason, catalog))


def _error_rows(target: Target, regions: tuple[str, ...], reason: str, catalog: Catalog) -> list[Finding]:
    """One ``error`` per live check and region (global checks once): nothing unread counts as pass."""
    rows = []
    for check in all_checks():
        control = catalog[check.control]
        for region in (regions if check.scope == "regional" else ("",)):
            ref = dataclasses.replace(scope_ref(check.resource_type, region), account=target.account_id,
                                      account_name=target.name)
            rows.append(Finding(
                control=check.control, layer="live", status="error", resource=ref, check=check.name,
                message=f"account {target.name} ({target.account_id}){f' {region}' if region else ''} not audited: "
                        f"{reason}",
                enforcement=control.enforcement, severity=control.severity,
                evidence={"account": target.account_id, "region": region, "reason": reason}))
    return rows


class _OrgProgress:
    """accounts done / running / failed, on stderr (a terminal only)."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._lock = threading.Lock()
        self._counts = {"running": 0, "done": 0, "failed": 0}
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task(self._text(), total=total)
        self._progress.start()

    def _text(self) -> str:
        c = self._counts
        return f"accounts: {c['done']} done, {c['running']} running, {c['failed']} failed"

    def _update(self, change: Callable[[dict[str, int]], None], advance: int) -> None:
        with self._lock:
            change(self._counts)
            self._progress.update(self._task, description=self._text(), advance=advance)

    def started(self) -> None:
        self._update(lambda c: c.__setitem__("running", c["running"] + 1), 0)

    def finished(self, ok: bool) -> None:
        def change(c: dict[str, int]) -> None:
            c["running"] -= 1
            c["done" if ok else "failed"] += 1
        self._update(change, 1)

    def stop(self) -> None:
        self._progress.stop()


def _progress(wanted: bool, total: int) -> _OrgProgress | None:
    return _OrgProgress(total) if wanted and sys.stderr.isatty() else None

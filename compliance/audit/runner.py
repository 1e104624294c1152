"""Runs every registered live check concurrently and turns their outcomes into findings.

One task per (check, region) (global checks once) runs on a thread pool; the
listings they share are memoized (``compliance.audit.inventory``). Fail closed:

- an API failure inside a check is ``error`` for that resource, or for the
  whole check when its listing failed; any other exception (an answer of an
  unexpected shape) is ``error`` too, never ``pass``;
- a check that finds nothing in scope reports ``not_applicable`` saying so, and
  an audit that finds no resource at all is incomplete (exit 3);
- what the stack's outputs declare must be read (``compliance.audit.declared``):
  an exported resource absent from the account fails each check judging its
  type, one in a region not audited is an error, and so is an audited region
  left empty while the stack declares resources there (or while every audited
  region is empty);
- Ctrl-C stops the remaining calls and leaves the result marked incomplete;
- emulator gaps (``compliance.audit.gaps``, loopback endpoints only) turn a
  finding decided with a field the emulator gets wrong into ``not_applicable``
  with the reason and the observed verdict, listed in the scope as not
  observable in the sandbox.

Every API call is counted through botocore's ``before-call`` event on the
session (the benchmark's "API calls per resource").
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
import uuid
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import boto3

from compliance.audit.aws import ApiError, AwsAccess, RetryPolicy, api_name
from compliance.audit.declared import StackOutputs, declared_outcomes
from compliance.audit.gaps import KnownGaps, require_loopback
from compliance.audit.inventory import Inventory
from compliance.audit.registry import (
    CheckContext,
    LiveCheck,
    Outcome,
    all_checks,
    api_error_outcome,
    scope_ref,
)
from compliance.audit.scope import Scope
from compliance.catalog import Catalog, load_catalog
from compliance.findings import Finding, now_iso


@dataclass(frozen=True)
class AuditRequest:
    regions: tuple[str, ...]
    scope: Scope
    endpoint_url: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    concurrency: int = 8
    gaps: KnownGaps = field(default_factory=KnownGaps)
    progress: bool = False
    outputs: StackOutputs | None = None  # the stack's outputs: what must be found (see compliance.audit.declared)

    def __post_init__(self) -> None:
        require_loopback(self.endpoint_url, self.gaps)


@dataclass
class AuditResult:
    findings: list[Finding]
    complete: bool
    scope: dict[str, Any]
    started_at: str
    finished_at: str
    api_calls: Counter[str]
    resources: int
    aborted: str = ""  # one line: why the audit could not run or is incomplete


class CallCounter:
    """Counts every API call made through a session's clients (botocore ``before-call``)."""

    def __init__(self, session: boto3.Session) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._session = session
        self._id = f"compliance-audit-{uuid.uuid4()}"
        session.events.register("before-call", self._count, unique_id=self._id)

    def _count(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls[api_name(model.service_model.service_name, model.name)] += 1

    def close(self) -> None:
        self._session.events.unregister("before-call", unique_id=self._id)


def jsonable(value: Any) -> Any:
    """Evidence as JSON: timestamps as ISO text, sets and tuples as lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, set):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """policies/controls.yaml, parsed once per process (an audit reads it for every check's thresholds)."""
    return load_catalog()


def run_audit(session: boto3.Session, request: AuditRequest, catalog: Catalog | None = None) -> AuditResult:
    catalog = catalog or default_catalog()
    started = now_iso()
    counter = CallCounter(session)
    home = request.regions[0]
    aws = AwsAccess(session, request.endpoint_url, request.retry, home)
    inventory = Inventory(aws, request.scope, request.gaps, home_region=home)
    scope: dict[str, Any] = {**request.scope.describe(), "regions": list(request.regions),
                             "endpoint": request.endpoint_url or "", "knownGaps": request.gaps.describe()}
    findings: list[Finding] = []  # filled as checks finish, so an interrupt keeps what finished
    complete, aborted = True, ""
    try:
        try:
            identity = aws.call("sts", home, "GetCallerIdentity")
            scope["account"] = identity["Account"]
        except ApiError as exc:
            return AuditResult([], False, scope, started, now_iso(), counter.calls, 0,
                               f"cannot identify the account: {exc.message}")
        checks = all_checks()
        tasks = [(check, region) for check in checks
                 for region in (request.regions if check.scope == "regional" else ("",))]
        try:
            _run_tasks(tasks, aws, inventory, request, catalog, scope["account"], findings)
        except KeyboardInterrupt:
            aws.stop()
            complete, aborted = False, "interrupted: the audit was stopped before every check ran"
        if complete:
            findings[:] = _what_was_read(findings, checks, inventory, request, catalog, scope)
        resources = len(inventory.audited())
        if complete and resources == 0:
            complete = False
            aborted = (f"no resources found for {_what(request.scope)} in {', '.join(request.regions)}: check "
                       "--suffix/--all, --region and --endpoint-url")
        scope["resourcesAudited"] = resources
        scope["notObservableInSandbox"] = request.gaps.applied()
        scope["apiCalls"] = sum(counter.calls.values())
        return AuditResult(findings, complete, scope, started, now_iso(), counter.calls, resources, aborted)
    finally:
        counter.close()


def run_checks(aws: AwsAccess, inventory: Inventory, request: AuditRequest, controls: frozenset[str], account: str,
               catalog: Catalog | None = None) -> list[Finding]:
    """Only the checks of ``controls``, in this thread: the deployed auditor's re-check after one change.

    No declared-outputs coverage and no "empty region" rule: those judge a whole audit, not one resource.
    """
    catalog = catalog or default_catalog()
    return [finding for check in all_checks() if check.control in controls
            for region in (request.regions if check.scope == "regional" else ("",))
            for finding in _run_one(check, region, aws, inventory, request, catalog, account)]


def _what(scope: Scope) -> str:
    return f"suffix {scope.suffix!r}" if scope.suffix else "the account"


def _what_was_read(findings: list[Finding], checks: list[LiveCheck], inventory: Inventory, request: AuditRequest,
                   catalog: Catalog, scope: dict[str, Any]) -> list[Finding]:
    """The findings, held to what the audit had to read (``compliance.audit.declared``).

    Declared resources absent from the account fail (or, in a region not read,
    are errors) on every check judging their type; each audited region left
    empty of the stack's regional resources while the stack declares some there,
    or while every audited region is empty, turns its "none in scope" findings
    into errors naming the region.
    """
    outputs = request.outputs
    if outputs is not None:
        coverage = declared_outcomes(outputs, inventory, request.regions, checks)
        findings = findings + [_finding(check, outcome, catalog, request) for check, outcome in coverage.outcomes]
        scope["outputs"] = coverage.describe(outputs)
    read = inventory.own_regional()
    scope["regionsRead"] = {region: read.get(region, 0) for region in request.regions}
    declared_regions = outputs.regions() if outputs is not None else set()
    every_empty = not any(read.get(region) for region in request.regions)
    empty = [r for r in request.regions if not read.get(r) and (r in declared_regions or every_empty)]
    if not empty:
        return findings
    scope["emptyRegions"] = empty
    why = {region: ("the stack's outputs declare resources there" if region in declared_regions
                    else "no audited region holds one; only global resources were read") for region in empty}
    nothing_in = {scope_ref(c.resource_type, region).id: region for c in checks if c.scope == "regional"
                  for region in empty}
    return [dataclasses.replace(f, status="error", message=(
        f"no in-scope regional resource in {nothing_in[f.resource.id]} ({why[nothing_in[f.resource.id]]}): check "
        "--region, --suffix and --endpoint-url"), evidence={**f.evidence, "regionEmpty": nothing_in[f.resource.id]})
            if f.resource.id in nothing_in and f.status == "not_applicable" else f for f in findings]


def _run_tasks(tasks: list[tuple[LiveCheck, str]], aws: AwsAccess, inventory: Inventory, request: AuditRequest,
               catalog: Catalog, account: str, collected: list[Finding]) -> None:
    """Run the tasks on a pool, appending to ``collected`` as they finish (so an interrupt keeps them)."""
    progress = _progress(request.progress, len(tasks))
    pool = ThreadPoolExecutor(max_workers=max(1, request.concurrency), thread_name_prefix="audit")
    try:
        pending: set[Future] = {pool.submit(_run_one, check, region, aws, inventory, request, catalog, account)
                                for check, region in tasks}
        while pending:
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                collected.extend(future.result())
                if progress:
                    progress.advance()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if progress:
            progress.stop()


def _run_one(check: LiveCheck, region: str, aws: AwsAccess, inventory: Inventory, request: AuditRequest,
             catalog: Catalog, account: str) -> list[Finding]:
    control = catalog[check.control]
    ctx = CheckContext(region=region, regions=request.regions, inventory=inventory, aws=aws, scope=request.scope,
                       gaps=request.gaps, parameters=control.parameters, account=account, control=check.control)
    try:
        outcomes = list(check.function(ctx))
    except ApiError as exc:
        outcomes = [api_error_outcome(scope_ref(check.resource_type, region), exc, request.gaps, check.control)]
    except Exception as exc:  # fail closed: an answer the check did not expect is an error, not a pass
        outcomes = [Outcome(scope_ref(check.resource_type, region), "error",
                            f"{check.name} could not read the answer ({type(exc).__name__}: {exc}); "
                            "unexpected response shape", {"exception": type(exc).__name__})]
    if not outcomes:
        outcomes = [Outcome(scope_ref(check.resource_type, region), "not_applicable",
                            f"no {check.resource_type} in scope in {region or 'the account'}")]
    return [_finding(check, outcome, catalog, request) for outcome in outcomes]


def _finding(check: LiveCheck, outcome: Outcome, catalog: Catalog, request: AuditRequest) -> Finding:
    """The outcome as a finding; one decided with a field an emulator gets wrong is not_applicable (see gaps)."""
    control = catalog[check.control]
    status, message, evidence = outcome.status, outcome.message, dict(outcome.evidence)
    gap = request.gaps.for_evidence(outcome.resource, evidence, check.control) if status in ("pass", "fail") else None
    if gap is not None:
        evidence["observed"] = {"status": status, "message": message}
        evidence["knownGap"] = gap.reason
        evidence["knownGapCall"] = {"api": gap.api, "fields": list(gap.fields)}
        status = "not_applicable"
        message = (f"{outcome.resource.name}: not observable here: {gap.api} {', '.join(gap.fields)} is not answered "
                   f"faithfully by the emulator: {gap.reason} (observed: {outcome.status})")
    return Finding(
        control=check.control, layer="live", status=status, resource=outcome.resource, message=message,
        check=check.name, enforcement=control.enforcement, severity=control.severity, evidence=jsonable(evidence),
    )


class _Progress:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("audit"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                  console=Console(stderr=True), transient=True)
        self._task = self._progress.add_task("checks", total=total)
        self._progress.start()

    def advance(self) -> None:
        self._progress.advance(self._task)

    def stop(self) -> None:
        self._progress.stop()


def _progress(wanted: bool, total: int) -> _Progress | None:
    return _Progress(total) if wanted and sys.stderr.isatty() else None

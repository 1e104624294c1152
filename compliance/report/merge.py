"""``report merge RUN...``: per-account runs (one CI job per account) joined into one live layer.

Each run is trusted only after its manifest chain verifies (``manifest.verify_chain``):
a run whose files changed, were added or deleted since it was sealed is refused
with one line naming the file. The live findings of every run are joined into
one ``audit.json`` (each finding keeps, or is given, the account it is about),
which ``report`` then turns into one report like an organization run's. Runs
that audited the same account twice are refused: the report would count it twice.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from compliance.errors import EvaluationError, UsageError
from compliance.findings import Finding, FindingsFile
from compliance.report.inputs import LAYER_FILES, sha256_of
from compliance.report.manifest import verify_chain
from compliance.rundir import MANIFEST

LIVE_FILE = LAYER_FILES["live"]


def verified_live(run: Path) -> FindingsFile:
    """The run's audit.json, once its manifest chain verifies; an ``EvaluationError`` naming the problem otherwise."""
    run = Path(run)
    if not (run / MANIFEST).is_file():
        raise UsageError(f"report merge: {run} is not a sealed run (no {MANIFEST}); seal it with `compliance report`")
    _, problems = verify_chain(run)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise EvaluationError(f"report merge: refusing {run}: {problems[0]}{more}; it no longer matches its manifest")
    if not (run / LIVE_FILE).is_file():
        raise UsageError(f"report merge: {run} holds no {LIVE_FILE}; merge runs of `compliance audit`")
    return FindingsFile.read(run / LIVE_FILE)


def _accounts(scope: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(scope.get("accounts"), list):
        return list(scope["accounts"])
    account = str(scope.get("account", ""))
    return [{"id": account, "name": account, "status": "complete", "reason": "",
             "regions": list(scope.get("regions", [])), "resourcesAudited": scope.get("resourcesAudited", 0)}]


def _stamped(finding: Finding, account: str) -> Finding:
    """A finding of a single-account run, given the account its scope names (its name unknown: the id)."""
    if finding.resource.account or not account:
        return finding
    return replace(finding, resource=replace(finding.resource, account=account, account_name=account))


def merge_runs(runs: list[Path], out_dir: Path) -> FindingsFile:
    """Write ``out_dir``/audit.json joining the verified runs' live findings; returns it."""
    if len(runs) < 2:
        raise UsageError("report merge: name at least two sealed runs to join")
    files = [(Path(run), verified_live(run)) for run in runs]
    findings: dict[str, Finding] = {}
    owner: dict[str, Path] = {}
    accounts: list[dict[str, Any]] = []
    for run, live in files:
        run_accounts = _accounts(live.scope)
        for account in run_accounts:
            if account["id"] in owner:
                raise UsageError(f"report merge: account {account['id']} is in both {owner[account['id']]} and {run}; "
                                 "merge one run per account")
            owner[account["id"]] = run
        accounts += run_accounts
        single = run_accounts[0]["id"] if len(run_accounts) == 1 else ""
        for finding in live.findings:
            finding = _stamped(finding, single)
            if finding.id in findings:
                raise UsageError(f"report merge: finding {finding.id} ({finding.control} {finding.resource.id}) is in "
                                 f"two runs ({run} and another): merge runs of distinct accounts")
            findings[finding.id] = finding
    scopes = [live.scope for _, live in files]
    scope = {
        "organization": True, "account": ",".join(a["id"] for a in accounts), "accounts": accounts,
        "regions": sorted({r for s in scopes for r in s.get("regions", []) if isinstance(r, str)}),
        "endpoint": next((s["endpoint"] for s in scopes if s.get("endpoint")), ""),
        "resourcesAudited": sum(int(s.get("resourcesAudited", 0) or 0) for s in scopes),
        "apiCalls": sum(int(s.get("apiCalls", 0) or 0) for s in scopes),
        "mergedFrom": [{"run": run.name, "manifestSha256": sha256_of(run / MANIFEST)} for run, _ in files],
    }
    merged = FindingsFile(
        layer="live", tool_name="compliance-report-merge", tool_version=files[0][1].tool_version, scope=scope,
        started_at=min(live.started_at for _, live in files), finished_at=max(live.finished_at for _, live in files),
        complete=all(live.complete for _, live in files), findings=list(findings.values()),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    merged.write(out_dir / LIVE_FILE)
    return merged

"""The static scan: graph -> Terraform-plan JSON -> checkov -> ``static.json``.

Writes into the output directory: ``static-plan.json`` (the plan checkov read),
``checkov-plan.{json,sarif,xml}`` and ``checkov-secrets.{json,sarif,xml}``
(checkov's own reports) and ``static.json`` (findings, layer ``static``).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from compliance import REPO_ROOT
from compliance.catalog import Catalog, load_catalog
from compliance.errors import UsageError
from compliance.exceptions import EVIDENCE_KEY, SCOPE_KEY, StageException
from compliance.findings import Finding, FindingsFile, ResourceRef, now_iso, write_json_atomic
from compliance.graph import Graph
from compliance.static import checkov_run
from compliance.static.bridge import load_bridge_names
from compliance.static.convert import graph_to_plan
from compliance.static.results import LAYER, coverage_findings, plan_findings, secrets_findings
from compliance.static.selection import deselected_checks

PLAN_FILE = "static-plan.json"
FINDINGS_FILE = "static.json"


@dataclass(frozen=True)
class ScanOptions:
    out_dir: Path
    checkov_args: tuple[str, ...] = ()
    secrets: bool = True
    repo_root: Path = REPO_ROOT


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def check_skips_unclaimed(skips: dict[str, str], catalog: Catalog) -> None:
    claimed = catalog.by_checkov_id()
    both = sorted(check for check in skips if check in claimed)
    if both:
        raise UsageError(f"{both[0]} is skipped in policies/checkov/skips.yaml but claimed by {claimed[both[0]]}; "
                         "drop one of the two")


def deselection_exceptions(args: tuple[str, ...], catalog: Catalog) -> list[StageException]:
    """One exception per deciding check that ``--checkov-args`` keeps from running."""
    source = f"--checkov-args {shlex.quote(' '.join(args))}"
    return [StageException("deselected", LAYER, control, check, "did not run", source)
            for check, control in sorted(deselected_checks(list(args), catalog).items())]


def deselected_findings(exceptions: list[StageException], catalog: Catalog, stack: str) -> list[Finding]:
    """What a deselected deciding check would have decided was not evaluated: an error carrying the exception."""
    return [Finding(
        control=e.control, layer=LAYER, status="error", resource=ResourceRef.stack(stack),
        message=f"not evaluated: {e.subject} deselected by {e.source}", check=e.subject,
        enforcement=catalog[e.control].enforcement, severity=catalog[e.control].severity,
        evidence={EVIDENCE_KEY: [e.to_dict()]},
    ) for e in exceptions]


def run_scan(graph: Graph, options: ScanOptions, graph_source: str) -> FindingsFile:
    started = now_iso()
    catalog = load_catalog()
    exceptions = deselection_exceptions(options.checkov_args, catalog)
    skips = checkov_run.load_skips()
    check_skips_unclaimed(skips, catalog)
    suffix = graph.config_value("environmentSuffix") or ""
    if not suffix:
        raise UsageError(f"{graph_source}: config has no environmentSuffix; GOV-01 cannot be checked")
    names = load_bridge_names()
    plan = graph_to_plan(graph, names)
    out_dir = options.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / FINDINGS_FILE).unlink(missing_ok=True)  # a failed run must not leave an old result behind
    plan_path = out_dir / PLAN_FILE
    write_json_atomic(plan_path, plan.document)

    report = checkov_run.scan_plan(plan_path, len(plan.resources), out_dir, skips, suffix, list(options.checkov_args))
    mapped = plan_findings(report, plan, catalog, PLAN_FILE, frozenset(e.subject for e in exceptions))
    findings = list(mapped.findings) + deselected_findings(exceptions, catalog, graph.stack)
    scope = {
        "project": graph.project,
        "stack": graph.stack,
        "suffix": suffix,
        "graph": graph_source,
        "plan": PLAN_FILE,
        "resources": len(plan.resources),
        "bridgeMetadata": names.source,
        "checkov": {
            "framework": "terraform_plan",
            "externalChecks": _relative(checkov_run.CHECKS_DIR),
            "skipped": skips,
            "extraArgs": list(options.checkov_args),
            "passed": len(report.passed),
            "failed": len(report.failed),
            "unmappedPassed": mapped.unmapped_passed,
            "unmappedFailed": mapped.unmapped_failed,
            "reports": report.files,
        },
        SCOPE_KEY: [e.to_dict() for e in exceptions],
    }
    if options.secrets:
        secrets = checkov_run.scan_secrets(options.repo_root, out_dir)
        findings += secrets_findings(secrets, catalog, options.repo_root, graph.stack)
        scope["secrets"] = {"framework": "secrets", "root": _relative(options.repo_root),
                            "skipPaths": list(checkov_run.SECRETS_SKIP_PATHS), "failed": len(secrets.failed),
                            "reports": secrets.files}
    else:
        scope["secrets"] = {"skipped": "--no-secrets-scan"}
    findings += coverage_findings(findings, catalog, graph.stack)
    result = FindingsFile(
        layer=LAYER, tool_name="checkov", tool_version=report.version, scope=scope,
        started_at=started, finished_at=now_iso(), complete=True, findings=findings,
    )
    result.write(out_dir / FINDINGS_FILE)
    return result

"""Print a gate run the way ``pulumi preview`` prints its "Policies:" block, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from compliance.gate.results import RETAIN_CHECK, STACK_KEY
from compliance.gate.run import GateResult


def _label(by_urn: dict[str, dict], urn: str) -> str:
    if urn == STACK_KEY:
        return ""
    resource = by_urn.get(urn)
    if resource is None:
        return f"  ({urn})"
    return f"  ({resource['type']}: {resource['name']})"


def print_report(result: GateResult, out: TextIO, findings_path: str = "") -> None:
    diagnostics = result.outcomes.diagnostics
    mandatory = [d for d in diagnostics if d.enforcement == "mandatory" and not d.undecided]
    icon = "❌" if mandatory or result.retained else "⚠️ " if diagnostics else "✅"
    local = result.pack_dir.name
    by_urn = result.graph.by_urn()
    print("Policies:", file=out)
    print(f"    {icon} {result.pack_name}@v{result.pack_version} (local: {local})", file=out)
    for diag in diagnostics:
        meta = result.policies.get(diag.policy)
        print(f"        - [{diag.enforcement}]  {diag.policy}{_label(by_urn, diag.urn)}", file=out)
        if meta is not None and not diag.undecided:
            print(f"          {meta.description}", file=out)
        for line in diag.message.splitlines():
            print(f"          {line}", file=out)
    if result.exceptions:
        print("    Exceptions (each needs a waiver in the report, or its findings are errors):", file=out)
        for name in sorted(result.exceptions):
            for e in result.exceptions[name]:
                print(f"        - [{e.kind}]  {name}: {e.detail} ({e.source})", file=out)
    if result.retained:
        print("    Checked by the gate from the graph (CrossGuard cannot see retainOnDelete):", file=out)
        for resource in result.retained:
            level = result.levels[RETAIN_CHECK]
            print(f"        - [{level}]  {RETAIN_CHECK}  ({resource['type']}: {resource['name']})", file=out)
    _summary(result, out, findings_path)


def _summary(result: GateResult, out: TextIO, findings_path: str) -> None:
    statuses = Counter(f.status for f in result.findings)
    failed = sorted({f.control for f in result.findings if f.status == "fail" and f.enforcement == "mandatory"})
    advisory = sorted({f.control for f in result.findings if f.status == "fail" and f.enforcement == "advisory"})
    mode = " (first preview: outputs of other resources unknown)" if result.scope.get("firstPreview") else ""
    print("", file=out)
    print(f"Gate{mode}: {len(result.graph.resources)} resources, {result.scope['policies']} policies.", file=out)
    print(f"  mandatory violations: {', '.join(failed) or 'none'}", file=out)
    print(f"  advisory violations:  {', '.join(advisory) or 'none'}", file=out)
    counts = ", ".join(f"{statuses.get(s, 0)} {s}" for s in ("pass", "fail", "not_applicable", "error"))
    where = f" -> {findings_path}" if findings_path else ""
    print(f"  findings: {counts}{where}", file=out)

"""Not observable in the sandbox: findings the audit could not decide because the emulator cannot serve the call.

The audit records them as ``not_applicable`` with ``evidence.knownGap`` (the gap, and
the API call it concerns): the emulator's limit, not the platform's state. They are
neither a pass nor a waiver: listed in their own section, never counted as waived,
never accepted by a waiver.
"""

from __future__ import annotations

from typing import Any

GAP_KEY = "knownGap"


def is_gap(finding: dict[str, Any]) -> bool:
    evidence = finding.get("evidence") or {}
    return finding["status"] == "not_applicable" and isinstance(evidence.get(GAP_KEY), str)


def gaps_section(findings: list[dict[str, Any]]) -> dict[str, Any]:
    entries = []
    for finding in findings:
        if not is_gap(finding):
            continue
        evidence = finding["evidence"]
        api = evidence.get("api") or evidence.get("call") or ""
        entries.append({"findingId": finding["id"], "control": finding["control"], "layer": finding["layer"],
                        "resource": finding["resource"], "api": api if isinstance(api, str) else "",
                        "gap": evidence[GAP_KEY]})
    return {"entries": entries}

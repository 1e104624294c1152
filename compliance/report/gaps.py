"""Not observable in the sandbox: findings the audit could not decide because the emulator cannot serve the call.

The audit records them as ``not_applicable`` with ``evidence.knownGap`` (the gap, and
the API call it concerns): the emulator's limit, not the platform's state. They are
neither a pass nor a waiver: listed in their own section, never counted as waived,
never accepted by a waiver. An emulator gap means nothing against AWS: claimed by a
live layer whose endpoint is not the loopback sandbox, it is an ``error``.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

GAP_KEY = "knownGap"


def is_loopback(endpoint: str) -> bool:
    """http://127.0.0.1:4566, http://localhost:…, http://[::1]:… (the sandbox); not AWS, not another host."""
    host = urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_gaps_off_the_sandbox(findings: list[dict[str, Any]], endpoint: str) -> None:
    """Live gap findings of an audit that did not run against the loopback sandbox become errors (in place)."""
    if is_loopback(endpoint):
        return
    for finding in findings:
        if finding["layer"] == "live" and is_gap(finding):
            finding["status"] = "error"
            finding["message"] = (f"an emulator gap claimed by an audit of {endpoint or 'AWS'}, not of the loopback "
                                  f"sandbox: the call must answer there; {finding['message']}")


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

"""The per-account view of a report (organization audits): one row per account, for the HTML and Markdown.

Findings name their account (``resource.account``); the live layer's scope lists
every account audited with its status and, for an account that could not be
audited, the reason. A report of one account (no account on its findings) has
no per-account view.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from compliance.findings import STATUSES


def account_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per account: id, name, status, reason, regions, finding counts per status, failing controls."""
    scoped = {a["id"]: a for i in report.get("inputs", []) if i.get("layer") == "live"
              for a in (i.get("scope") or {}).get("accounts", []) if isinstance(a, dict) and a.get("id")}
    counts: dict[str, Counter[str]] = {}
    failing: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for f in report["findings"]:
        account = f["resource"].get("account", "")
        if not account:
            continue
        names[account] = f["resource"].get("account_name", "") or account
        counts.setdefault(account, Counter())[f["status"]] += 1
        if f["status"] in ("fail", "error"):
            failing.setdefault(account, set()).add(f["control"])
    rows = []
    for account in sorted(set(counts) | set(scoped), key=lambda a: (scoped.get(a, {}).get("name") or names.get(a, a))):
        scope = scoped.get(account, {})
        rows.append({
            "id": account, "name": scope.get("name") or names.get(account, account),
            "status": scope.get("status", "error" if counts.get(account, Counter())["error"] else "complete"),
            "reason": scope.get("reason", ""), "regions": list(scope.get("regions", [])),
            "counts": {s: counts.get(account, Counter())[s] for s in STATUSES},
            "failing": sorted(failing.get(account, set())),
        })
    return rows


def control_accounts(report: dict[str, Any]) -> dict[str, str]:
    """control id -> the accounts with a finding of it (space-separated), for the HTML account filter."""
    accounts: dict[str, set[str]] = {}
    for f in report["findings"]:
        if f["resource"].get("account"):
            accounts.setdefault(f["control"], set()).add(f["resource"]["account"])
    return {control: " ".join(sorted(ids)) for control, ids in accounts.items()}


def resource_label(resource: dict[str, Any]) -> str:
    """The resource's name (or id), with its account and region when it has an account (organization runs)."""
    label = resource.get("name") or resource["id"]
    if not resource.get("account"):
        return label
    where = " ".join(filter(None, (resource.get("account_name") or resource["account"], resource["account"]
                                   if resource.get("account_name") else "", resource.get("region") or "")))
    return f"{label} [{where}]"


def account_properties(resource: dict[str, Any]) -> dict[str, str]:
    """Account id, name and region of a finding's resource, for machine-readable outputs (empty without an account)."""
    if not resource.get("account"):
        return {}
    return {"account": resource["account"], "accountName": resource.get("account_name", ""),
            "region": resource.get("region", "")}

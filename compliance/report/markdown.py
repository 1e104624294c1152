"""The Markdown summary: short enough for a pull-request comment or $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from typing import Any

from compliance.findings import LAYERS, SEVERITIES
from compliance.report.accounts import account_rows
from compliance.report.html import STATUS_LABELS
from compliance.report.status import STATUS_ORDER

ICONS = {"pass": "✅", "fail": "❌", "error": "⛔", "waived": "🟡", "not_applicable": "➖", "not_run": "·"}
MAX_ROWS = 50


def _cell(text: Any) -> str:
    """Table-safe text: no pipes, newlines or HTML reach the rendered Markdown."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _status(status: str | None) -> str:
    return "—" if status is None else f"{ICONS[status]} {STATUS_LABELS[status]}"


def _accounts(report: dict[str, Any]) -> list[str]:
    """The per-account table of an organization report (nothing for one account)."""
    rows = account_rows(report)
    if not rows:
        return []
    lines = ["", "### Accounts", "", "| Account | Audit | passed | failed | errored | Controls failed or errored |",
             "|---|---|---:|---:|---:|---|"]
    for a in rows[:MAX_ROWS]:
        audit = a["status"] if a["status"] == "complete" else f"**{a['status']}**: {_cell(a['reason'])}"
        lines.append(f"| {_cell(a['name'])} `{a['id']}` | {audit} | {a['counts']['pass']} | {a['counts']['fail']} | "
                     f"{a['counts']['error']} | {_cell(', '.join(a['failing']) or '—')} |")
    if len(rows) > MAX_ROWS:
        lines.append(f"\n…and {len(rows) - MAX_ROWS} more accounts in the HTML report.")
    return lines


def render_markdown(report: dict[str, Any]) -> str:
    scope = report["scope"]
    summary = report["summary"]
    rate = summary["passRate"]
    by_layer = summary["byLayer"]
    ran = [layer for layer in LAYERS if by_layer[layer]["present"]]
    lines = [
        f"## Compliance report: {_cell(scope['stack'] or 'unknown stack')}"
        + (f" (suffix `{_cell(scope['suffix'])}`)" if scope["suffix"] else ""),
        "",
        f"**Exit {report['exitCode']}**: {_cell(report['exitReason'])}  ",
        f"Expected layers {', '.join(report['expected']['layers'])} ({_cell(report['expected']['by'])})"
        f" · ran {', '.join(ran) or 'none'}  ",
        f"Pass rate {'–' if rate is None else f'{rate * 100:.1f}%'} · regions {_cell(', '.join(scope['regions']) or '—')}"
        f" · account {_cell(scope['account'] or '—')} · catalog v{_cell(report['catalog']['version'])}"
        f" · commit `{_cell(report['git']['commit'][:12] or 'unknown')}` · {_cell(report['generatedAt'])}",
        "",
        "| " + " | ".join(STATUS_LABELS[s] for s in STATUS_ORDER) + " |",
        "|" + "---:|" * len(STATUS_ORDER),
        "| " + " | ".join(str(summary["controls"][s]) for s in STATUS_ORDER) + " |",
        "",
        "| Layer | " + " | ".join(STATUS_LABELS[s] for s in STATUS_ORDER) + " |",
        "|---|" + "---:|" * len(STATUS_ORDER),
    ]
    for layer in LAYERS:
        data = by_layer[layer]
        name = layer if data["present"] else f"{layer} (missing)" if data["expected"] else f"{layer} (not expected)"
        lines.append(f"| {name} | " + " | ".join(str(data["controls"][s]) for s in STATUS_ORDER) + " |")
    problems = [f"- **{layer}**: {_cell(by_layer[layer]['reason'])}" for layer in LAYERS
                if by_layer[layer]["reason"] and (by_layer[layer]["expected"] or by_layer[layer]["present"])]
    if problems:
        lines += ["", *problems]
    lines += _accounts(report)
    attention = [c for c in report["controls"] if c["status"] in ("fail", "error") or c["drift"]]
    attention.sort(key=lambda c: (STATUS_ORDER.index(c["status"]), SEVERITIES.index(c["severity"]), c["id"]))
    lines += ["", "### Controls needing attention", ""]
    if not attention:
        lines.append("None: every evaluated control passed, is waived, or does not apply.")
    else:
        lines += ["| Control | Severity | " + " | ".join(LAYERS) + " | Overall |", "|---|---|---|---|---|---|"]
        for c in attention[:MAX_ROWS]:
            flag = " **drift**" if c["drift"] else ""
            lines.append(
                f"| **{c['id']}** {_cell(c['title'])}{flag} | {c['severity']} | "
                + " | ".join(_status(c["layers"][layer]["status"]) for layer in LAYERS)
                + f" | {_status(c['status'])} |"
            )
        if len(attention) > MAX_ROWS:
            lines.append(f"\n…and {len(attention) - MAX_ROWS} more in the HTML report.")
    if report["drift"]["items"]:
        lines += ["", "### Drift", ""]
        lines += [f"- {_cell(d['summary'])}" for d in report["drift"]["items"][:MAX_ROWS]]
    lines += _exceptions(report)
    waivers = [w for w in report["waivers"]["entries"] if w["state"] != "unused"]
    if waivers:
        lines += ["", "### Waivers", "", "| State | Control | Resource | Owner | Expires | Reason |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {w['state']} | {w['control']} | `{_cell(w['resource'])}`"
                  + (" (all resources: allowAllResources)" if w["allowAllResources"] else "")
                  + f" | {_cell(w['owner'])} | {w['expires']} | {_cell(w['reason'])} |" for w in waivers]
    gaps = report["notObservable"]["entries"]
    if gaps:
        lines += ["", "### Not observable in the sandbox", "",
                  f"{len(gaps)} finding(s) the emulator cannot serve (not a pass, not waived; see the HTML report):", ""]
        lines += [f"- {g['control']} on `{_cell(g['resource'].get('name') or g['resource']['id'])}`: {_cell(g['gap'])}"
                  for g in gaps[:MAX_ROWS]]
    unmapped = summary["unmapped"]
    if unmapped["total"]:
        lines += ["", f"Unmapped static checks: {unmapped['fail']} failed, {unmapped['pass']} passed "
                      "(checkov checks no control covers; see the HTML report)."]
    lines.append("")
    return "\n".join(lines)


def _exceptions(report: dict[str, Any]) -> list[str]:
    """Every exception: refused ones fail the run; waived ones name the waiver; unused ones silenced nothing."""
    entries = report["exceptions"]["entries"]
    if not entries:
        return []
    lines = ["", "### Exceptions", "", "| State | Control | Layer | Kind | Setting | Source | Owner | Expires | Reason |",
             "|---|---|---|---|---|---|---|---|---|"]
    for e in entries[:MAX_ROWS]:
        waivers = e["waivers"]
        owner = ", ".join(_cell(w["owner"]) for w in waivers) or "none"
        expires = ", ".join(w["expires"] for w in waivers) or "—"
        reason = "; ".join(_cell(w["reason"]) for w in waivers) or ("silenced nothing" if e["state"] == "unused"
                                                                    else "no waiver covers it")
        lines.append(f"| {e['state']} | {e['control']} | {e['layer']} | {e['kind']} | `{_cell(e['subject'])}` "
                     f"{_cell(e['detail'])} | {_cell(e['source'])} | {owner} | {expires} | {reason} |")
    if len(entries) > MAX_ROWS:
        lines.append(f"\n…and {len(entries) - MAX_ROWS} more in the HTML report.")
    return lines

"""How statuses combine: per layer, across layers, across controls.

Per layer, a control is ``error`` if any of its findings errored, else ``fail``
if any failed, else ``waived`` if any was waived, else ``pass`` if any passed,
else ``not_applicable`` (no resource of the kind it governs). A layer whose
findings file is absent is ``not_run``. Across layers the worst wins; a control
no layer evaluated stays ``not_run``.
"""

from __future__ import annotations

from collections.abc import Iterable

# Worst first. not_run ranks below not_applicable: it only wins when nothing else is known.
STATUS_ORDER = ("error", "fail", "waived", "pass", "not_applicable", "not_run")
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


def worst(statuses: Iterable[str], default: str = "not_applicable") -> str:
    ranked = sorted(statuses, key=_RANK.__getitem__)
    return ranked[0] if ranked else default


def pass_rate(counts: dict[str, int]) -> float | None:
    """Share of evaluated controls that are compliant (passed or waived); None when none was evaluated.

    Waived counts as compliant because the run's exit code treats it so; an
    error counts against, because an unevaluated control is not a pass.
    """
    evaluated = sum(counts.get(s, 0) for s in ("pass", "waived", "fail", "error"))
    if not evaluated:
        return None
    return round((counts.get("pass", 0) + counts.get("waived", 0)) / evaluated, 4)


def count(statuses: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for status in statuses:
        counts[status] += 1
    return counts

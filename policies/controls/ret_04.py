"""RET-04: log groups keep events at least ``minDays`` (30) days, and not forever.

CloudWatch Logs keeps events forever when a group has no retention (the
provider's ``retentionInDays = 0`` means the same): that is a violation here,
since operational logs carry device identifiers and are not kept longer than
needed. The API accepts only 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365,
400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 and 3653 days
(``ACCEPTED_DAYS``); anything else is refused at deploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, number
from controls.verdict import Judgement, Verdict

CONTROL = "RET-04"
PATH = "retentionInDays"
ACCEPTED_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                 3653)


@dataclass(frozen=True)
class Retention:
    """A log group's retention in days: ``MISSING`` (or 0) when its events never expire, or ``UNKNOWN``."""

    days: Any


@dataclass(frozen=True)
class LogGroup:
    """A log group as the controls that read its retention name it (RET-05: a trail's; LOG-02: a function's)."""

    name: str
    retention_days: Any  # ``MISSING``/0: never expires


def never_expires(days: Any) -> bool:
    """No retention: the group keeps its events forever (absent, or the provider's 0)."""
    return days is MISSING or number(days) == 0


def decide(retention: Retention, min_days: int) -> Verdict:
    judgement = Judgement()
    value = retention.days
    fix = f"set {PATH} to {min_days} or more."
    if value is UNKNOWN:
        judgement.unknown(PATH)
    elif never_expires(value):
        judgement.fail(f"{PATH} is {describe(value)}, so events never expire: {fix}", PATH)
    elif (number(value) or 0) < min_days:
        judgement.fail(f"{PATH} is {describe(value)}, below {min_days}: {fix}", PATH)
    return judgement.verdict(f"events expire after {describe(value)} days (at least {min_days})")

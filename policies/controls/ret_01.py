"""RET-01: Aurora clusters keep automated backups for at least ``minDays`` (30) days.

AWS accepts 1 to 35 days for an Aurora cluster and keeps 1 day when
``backupRetentionPeriod`` is not set (the provider's default too), so an absent
setting fails like any period below ``minDays``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, number
from controls.verdict import Judgement, Verdict

CONTROL = "RET-01"
PATH = "backupRetentionPeriod"


@dataclass(frozen=True)
class Backups:
    """A cluster's automated-backup retention in days (``MISSING``: not set, so AWS keeps 1 day)."""

    retention_days: Any


def decide(backups: Backups, min_days: int) -> Verdict:
    judgement = Judgement()
    value = backups.retention_days
    fix = f"set {PATH} to {min_days} or more."
    days = number(value)
    if value is UNKNOWN:
        judgement.unknown(PATH)
    elif value is MISSING:
        judgement.fail(f"{PATH} is not set (AWS keeps 1 day): {fix}", PATH)
    elif days is None or days < min_days:
        judgement.fail(f"{PATH} is {describe(value)}, below {min_days}: {fix}", PATH)
    return judgement.verdict(f"automated backups kept {describe(value)} days (at least {min_days})")

"""RET-02: DynamoDB tables have point-in-time recovery on.

Absent means off (AWS's default); a table whose recovery is being switched on
(``ENABLING`` in the API) is not yet recoverable, so only "on" passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import UNKNOWN, describe, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "RET-02"
PATH = "pointInTimeRecovery.enabled"


@dataclass(frozen=True)
class Recovery:
    """Whether point-in-time recovery is on: a boolean (or "true"), ``MISSING`` or ``UNKNOWN``."""

    enabled: Any


def decide(recovery: Recovery) -> Verdict:
    judgement = Judgement()
    if recovery.enabled is UNKNOWN:
        judgement.unknown(PATH)
    elif not truthy(recovery.enabled):
        judgement.fail(f"{PATH} is {describe(recovery.enabled)}: set pointInTimeRecovery {{enabled: true}}.", PATH)
    return judgement.verdict("point-in-time recovery is on")

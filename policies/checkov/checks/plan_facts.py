"""Plan values as decision facts, for our checks: absent is ``MISSING``, computed from another resource is ``UNKNOWN``.

Plain Python (no checkov import), like ``plan_index``.
"""

from __future__ import annotations

from typing import Any

import iot_checks_common  # noqa: F401 (puts policies/ on the path for ``controls``)
from plan_index import REFERENCE, PlanIndex

from controls.values import MISSING, UNKNOWN


def fact(plan: PlanIndex, address: str, attribute: str) -> Any:
    """The planned value of ``attribute``: the value, ``MISSING`` when absent, ``UNKNOWN`` when computed."""
    value = plan.value(address, attribute)
    if value is REFERENCE:
        return UNKNOWN
    return MISSING if value is None else value


def label(address: str) -> str:
    """How a message names a plan resource: ``aws_rds_cluster 'aurora'``."""
    kind, name = address.split(".", 1)
    return f"{kind} '{name}'"


def name_of(address: str) -> str:
    return address.split(".", 1)[1]


def count(plan: PlanIndex, address: str, attribute: str, found: list[str]) -> int:
    """How many items a list attribute names: its planned list, else (computed) the resources it references."""
    value = plan.values(address).get(attribute)
    return len(value) if isinstance(value, list) else len(found)

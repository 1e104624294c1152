"""Plan values as decision facts: an absent attribute is ``MISSING``, one computed from another resource ``UNKNOWN``.

Shared by the checks of RET-01/02/04/05, LOG-01/02, DES-02 and LAM-01 (a candidate
for ``plan_index.PlanIndex``, where every check could use it).
"""

from __future__ import annotations

from typing import Any

import iot_checks_common  # noqa: F401 (puts policies/ on the path for ``controls``)
from plan_index import REFERENCE, PlanIndex

from controls.values import MISSING, UNKNOWN, lookup


def fact(plan: PlanIndex, address: str, path: str) -> Any:
    """The value at a dotted path of the resource's planned values (nested blocks as the converter writes them)."""
    if plan.value(address, path.split(".", 1)[0]) is REFERENCE:
        return UNKNOWN
    return lookup(plan.values(address), path)


def named(plan: PlanIndex, address: str, attribute: str, target_name: Any, *types: str) -> list[str]:
    """Resources of ``types`` whose ``attribute`` names ``address``: by reference, or by its literal name."""
    found = plan.referrers(address, attribute, types)
    if isinstance(target_name, str):
        found += [a for a in plan.of_type(*types) if a not in found and fact(plan, a, attribute) == target_name]
    return found


def resolved(plan: PlanIndex, address: str, attribute: str, key: str, *types: str) -> list[str]:
    """The resources of ``types`` an attribute names: the ones it is computed from, else those whose ``key`` it holds."""
    found = plan.references(address, attribute, types)
    value = fact(plan, address, attribute)
    if not found and value is not MISSING and value is not UNKNOWN:
        found = [a for a in plan.of_type(*types) if fact(plan, a, key) == value]
    return found

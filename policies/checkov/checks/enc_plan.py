"""Plan values as the ENC-xx checks' facts: a setting as written, absent or computed at apply.

Shared by ``enc_01.py`` .. ``enc_09.py`` (checkov loads this module too; it holds
no check). ``None`` in the plan is an absent setting (``MISSING``); a value the
plan computes from another resource (``REFERENCE``) is ``UNKNOWN`` to a decision.
"""

from __future__ import annotations

from typing import Any

from plan_index import REFERENCE, PlanIndex

from controls.values import MISSING, UNKNOWN


def setting(plan: PlanIndex, address: str, attribute: str) -> Any:
    """A top-level attribute: its value, ``MISSING`` or ``UNKNOWN``."""
    value = plan.value(address, attribute)
    if value is REFERENCE:
        return UNKNOWN
    return MISSING if value is None else value


def block(plan: PlanIndex, address: str, attribute: str) -> dict[str, Any] | None:
    """A max-one nested block (an object, or a list of one as checkov writes it); None when absent."""
    value = plan.values(address).get(attribute)
    while isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, dict) else None


def inner(container: dict[str, Any] | None, attribute: str) -> Any:
    """An attribute of a nested block: its value or ``MISSING``."""
    value = (container or {}).get(attribute)
    return MISSING if value is None else value

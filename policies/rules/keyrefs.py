"""The key a resource names, as the pack can resolve it: the facts of ``controls.keys``.

Shared by the ENC-xx policies; KMS-02's key settings live in ``rules/kms_02.py``.
"""

from __future__ import annotations

from typing import Any

from controls.keys import CUSTOMER, KeyRef
from rules import types as t
from rules.model import Resource, StackView
from rules.values import MISSING, lookup

KEY_TYPES = (t.KMS_KEY, t.KMS_ALIAS)


def urn_type(urn: str) -> str:
    """The type token a URN names (``urn:pulumi:<stack>::<project>::<qualified type>::<name>``)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def key_ref(resource: Resource, prop: str, value: Any = MISSING, stack: StackView | None = None) -> KeyRef:
    """The key ``resource`` names in input ``prop`` (``value`` when it sits deeper, e.g. inside ``rules``).

    A key or alias declared in this stack is customer-managed: when the input was
    computed from one (its property dependencies name its type) or names one by its
    literal alias name or ARN. CrossGuard gives only stack policies the property
    dependencies and the stack, so the ENC policies are stack policies. Anything else
    is left unresolved for the decision (``controls.keys``).
    """
    value = resource.lookup(prop) if value is MISSING else value
    if any(urn_type(urn) in KEY_TYPES for urn in resource.property_dependencies.get(prop, [])):
        return KeyRef(value, CUSTOMER)
    if stack is not None and isinstance(value, str) and value:
        for declared in stack.of_type(*KEY_TYPES):
            names = {lookup(declared.props, "name"), lookup(declared.props, "arn")}
            if value in {n for n in names if isinstance(n, str)} or \
                    any(isinstance(n, str) and n.startswith("alias/") and value.endswith(f":{n}") for n in names):
                return KeyRef(value, CUSTOMER)
    return KeyRef(value)

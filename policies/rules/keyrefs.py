"""Where resources name their KMS key, and whether a key reference is customer-managed.

Shared by the ENC-xx policies (is the key customer-managed?); KMS-02's key
settings live in ``rules/kms_02.py``.
"""

from __future__ import annotations

from typing import Any

from controls.keys import CUSTOMER, KeyRef
from rules import types as t
from rules.model import Resource, StackView
from rules.values import MISSING, UNKNOWN, describe, lookup

AWS_MANAGED_MARK = "alias/aws/"


def aws_managed(value: Any) -> bool:
    return isinstance(value, str) and AWS_MANAGED_MARK in value


def key_problem(value: Any, setting: str, which: str) -> str | None:
    """Why a key reference is not a customer-managed key, or None.

    Present-but-unknown is compliant: during a first preview the ARN of a key
    created in the same stack is not known yet. Absent is a violation.
    """
    if value is UNKNOWN:
        return None
    if value is MISSING or value == "":
        return f"{setting} is not set, so the AWS-managed key is used: set {setting} to {which}."
    if not isinstance(value, str):
        return f"{setting} is {describe(value)}, not a key ARN: set {setting} to {which}."
    if aws_managed(value):
        return f"{setting} is {value!r}, an AWS-managed key: set {setting} to {which}."
    return None


def resource_key_problem(resource: Resource, setting: str, which: str) -> str | None:
    return key_problem(resource.lookup(setting), setting, which)


KEY_TYPES = (t.KMS_KEY, t.KMS_ALIAS)


def urn_type(urn: str) -> str:
    """The type token a URN names (``urn:pulumi:<stack>::<project>::<qualified type>::<name>``)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def key_ref(resource: Resource, prop: str, value: Any = MISSING, stack: StackView | None = None) -> KeyRef:
    """The key ``resource`` names in input ``prop`` (``value`` when it sits deeper, e.g. inside ``rules``).

    A key or alias declared in this stack is customer-managed: when the input was
    computed from one (its property dependencies, visible to resource policies too,
    name its type) or, with the stack at hand, names one by its literal alias name
    or ARN. Anything else is left unresolved for the decision (``controls.keys``).
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

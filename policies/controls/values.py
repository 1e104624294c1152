"""The vocabulary facts are written in: absent and not-yet-known values, and how to read them.

Every layer turns what it reads into plain Python values before a control decides:
the pack from Pulumi inputs (where a first preview leaves outputs unknown), our
checkov checks from Terraform-plan values, the audit from boto3 answers. Two
markers carry what is not a value:

* ``MISSING``: the setting is absent (a decision usually fails it where the
  setting is required, never skips it);
* ``UNKNOWN``: the setting is present but known only at apply (a decision that
  needs it is undecided, never a pass).

Standard library only: this module loads in the pack, in checkov's own
virtualenv and in the harness.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __bool__(self) -> bool:
        return False


MISSING = _Marker("MISSING")
UNKNOWN = _Marker("UNKNOWN")


def lookup(props: Any, path: str) -> Any:
    """The value at a dotted path of plain data: the value, ``MISSING`` or ``UNKNOWN``.

    ``None`` counts as absent (the engine drops null inputs; graph files may keep them).
    """
    current = props
    for part in path.split("."):
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(current, Mapping):
            if part not in current or current[part] is None:
                return MISSING
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return MISSING
    return current


def as_list(value: Any) -> list[Any]:
    """A field that may be a scalar or a list (JSON policy Action, Resource, Statement)."""
    if value is MISSING or value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def truthy(value: Any) -> bool:
    """Booleans as providers and APIs give them: true, "true" (case-insensitive)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def number(value: Any) -> float | None:
    """A numeric value (floats on the wire, sometimes strings); None if not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def describe(value: Any) -> str:
    """How a value appears in a message."""
    if value is MISSING:
        return "not set"
    if value is UNKNOWN:
        return "unknown until apply"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)

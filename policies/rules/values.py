"""Reading resource properties that may be unknown (first preview) or absent.

During a preview, inputs computed from other resources' outputs reach the pack
as the engine's unknown sentinels; the SDK wraps properties in proxies that
raise ``UnknownValueError`` on access. ``plain`` turns those proxies into plain
data with every unknown as ``UNKNOWN``, and ``lookup`` returns a value,
``MISSING`` or ``UNKNOWN`` without ever raising, so each check decides
explicitly:

* *present but unknown* may be compliant (a ``kmsKeyId`` that is the ARN of a
  key being created in the same preview);
* *absent* is a violation where the setting is required, never skipped;
* an unknown value the check needs is reported as ``registry.Undecided``: the
  policy then raises the SDK's ``UnknownValueError``, which the SDK reports as
  its advisory "can't run policy during preview" diagnostic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# _DictProxy/_ListProxy: the SDK's proxy classes (pulumi-policy 1.21), unwrapped through their "__target" key.
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    _DictProxy,
    _ListProxy,
)

SENTINELS = frozenset({
    UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE,
})


class _Marker:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __bool__(self) -> bool:
        return False


MISSING = _Marker("MISSING")
UNKNOWN = _Marker("UNKNOWN")


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN or (isinstance(value, str) and value in SENTINELS)


def plain(value: Any) -> Any:
    """SDK proxies -> plain dicts/lists, every unknown replaced by ``UNKNOWN``."""
    if isinstance(value, str):
        return UNKNOWN if value in SENTINELS else value
    if isinstance(value, (_DictProxy, _ListProxy)):
        value = value["__target"]  # the SDK's own escape hatch: the wrapped container, read without raising
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        out = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence):
        items = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def lookup(props: Any, path: str) -> Any:
    """The value at a dotted path of plain props: the value, ``MISSING`` or ``UNKNOWN``.

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
    """A JSON policy field that may be a scalar or a list (Action, Resource, Statement)."""
    if value is MISSING or value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def truthy(value: Any) -> bool:
    """Booleans as providers accept them: true, "true" (case-insensitive)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def number(value: Any) -> float | None:
    """A numeric input (floats on the wire, sometimes strings); None if not a number."""
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
    """How a value appears in a violation message."""
    if value is MISSING:
        return "not set"
    if value is UNKNOWN:
        return "unknown until apply"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)

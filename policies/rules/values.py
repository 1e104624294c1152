"""Reading resource properties that may be unknown (first preview) or absent.

During a preview, inputs computed from other resources' outputs reach the pack
as the engine's unknown sentinels. The SDK wraps properties in proxies that
raise ``UnknownValueError`` on access; the SDK turns that exception into its
advisory "can't run policy during preview" diagnostic. Policies here make the
distinction explicit:

* ``lookup`` never raises: it returns the value, ``MISSING`` or ``UNKNOWN``.
  Used where *present but unknown* is compliant (a ``kmsKeyId`` that is the
  ARN of a key being created).
* ``require`` raises the SDK's ``UnknownValueError`` when the value is unknown,
  so the policy is skipped with the SDK's diagnostic instead of guessing, and
  returns ``MISSING`` when absent (absent settings are violations, never skipped).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
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


def require(props: Any, path: str) -> Any:
    """Like ``lookup`` but an unknown value stops the policy with the SDK's preview diagnostic."""
    value = lookup(props, path)
    if value is UNKNOWN:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, path.split("."))
    return value


def known(value: Any, path: str) -> Any:
    """Raise the SDK's preview diagnostic if ``value`` (read from ``path``) is unknown."""
    if value is UNKNOWN:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, path.split("."))
    return value


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

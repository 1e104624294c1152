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

from controls.values import MISSING, UNKNOWN, as_list, describe, lookup, number, truthy

__all__ = ["MISSING", "UNKNOWN", "SENTINELS", "as_list", "describe", "is_unknown", "lookup", "number", "plain",
           "truthy"]

SENTINELS = frozenset({
    UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE,
})


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

"""JSON policy documents (IAM, IoT, KMS key policies, bucket policies) as the pack hands them to a decision.

``controls.documents`` reads the statements; here an input becomes what it reads:
the engine's unknown markers turned into ``UNKNOWN``, inside JSON text too.
"""

from __future__ import annotations

import json
from typing import Any

from rules.values import UNKNOWN, is_unknown


def document_input(value: Any) -> Any:
    """A policy-document input as ``controls.documents`` reads it: the engine's unknown markers as ``UNKNOWN``.

    JSON text is parsed here so that a marker inside it (a statement computed at
    apply) becomes ``UNKNOWN`` too; text that is not JSON stays text, for the
    decision to fail it.
    """
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, str):
        try:
            return _unknowns(json.loads(value))
        except json.JSONDecodeError:
            return value
    return _unknowns(value)


def _unknowns(value: Any) -> Any:
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, dict):
        return {key: _unknowns(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unknowns(item) for item in value]
    return value

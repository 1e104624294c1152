"""JSON policy documents (IAM, IoT, KMS key policies, bucket policies) as statements."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.values import UNKNOWN, as_list


class DocumentError(ValueError):
    """The document is not a JSON policy; the policy reports it as a violation."""


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[Any, ...]
    principals: tuple[Any, ...]
    has_condition: bool
    raw: dict[str, Any]

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def denies(self) -> bool:
        return self.effect.lower() == "deny"


def parse(document: Any) -> dict[str, Any]:
    """A document given as a JSON string or an object; unknown parts stay ``UNKNOWN``."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"not valid JSON ({exc.msg} at character {exc.pos})") from exc
    if not isinstance(document, dict):
        raise DocumentError("not a JSON object")
    return document


def statements(document: Any) -> Iterator[Statement]:
    doc = parse(document)
    for raw in as_list(doc.get("Statement")):
        if raw is UNKNOWN:
            raise DocumentError("a statement is unknown")
        if not isinstance(raw, dict):
            raise DocumentError("a Statement entry is not an object")
        yield Statement(
            effect=str(raw.get("Effect", "")),
            actions=tuple(str(a) for a in as_list(raw.get("Action"))),
            not_actions=tuple(str(a) for a in as_list(raw.get("NotAction"))),
            resources=tuple(as_list(raw.get("Resource"))),
            principals=tuple(_principals(raw.get("Principal"))),
            has_condition=bool(raw.get("Condition")),
            raw=raw,
        )


def _principals(principal: Any) -> Iterator[Any]:
    if principal is None:
        return
    if isinstance(principal, dict):
        for value in principal.values():
            yield from as_list(value)
    else:
        yield from as_list(principal)


def contains_unknown(document: Any) -> bool:
    if document is UNKNOWN:
        return True
    if isinstance(document, dict):
        return any(contains_unknown(v) for v in document.values())
    if isinstance(document, list):
        return any(contains_unknown(v) for v in document)
    return False

"""JSON policy documents (IAM, IoT, KMS key policies, bucket policies) as statements."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.registry import Undecided
from rules.values import MISSING, UNKNOWN, as_list, is_unknown

# The statement elements a check may need; ``Statement.unknown`` names those not known until apply.
ELEMENTS = ("Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition")


class DocumentError(ValueError):
    """The document is not a JSON policy; the policy reports it as a violation."""


class UnknownStatement(DocumentError):
    """A whole statement is unknown until apply (a policy document given as an object in a first preview).

    A ``DocumentError`` so that callers reporting every unreadable document keep
    doing so; ``policy_statements`` turns it into an undecided result instead.
    """

    def __init__(self, index: int) -> None:
        super().__init__("a statement is unknown")
        self.path = f"Statement.{index}"


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[Any, ...]
    principals: tuple[Any, ...]
    has_condition: bool
    raw: dict[str, Any]
    not_resources: tuple[Any, ...] = ()
    not_principals: tuple[Any, ...] = ()
    unknown: frozenset[str] = frozenset()  # elements of ELEMENTS that are unknown, wholly or in part
    index: int = 0

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def denies(self) -> bool:
        return self.effect.lower() == "deny"

    @property
    def path(self) -> str:
        """Where the statement sits in its document, as a property path."""
        return f"Statement.{self.index}"

    @property
    def label(self) -> str:
        """How a message names the statement: its Sid, else its position."""
        sid = self.raw.get("Sid")
        return repr(sid) if isinstance(sid, str) and sid and not is_unknown(sid) else f"#{self.index}"


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
    for index, raw in enumerate(as_list(doc.get("Statement"))):
        if is_unknown(raw):
            raise UnknownStatement(index)
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
            not_resources=tuple(as_list(raw.get("NotResource"))),
            not_principals=tuple(_principals(raw.get("NotPrincipal"))),
            unknown=frozenset(e for e in ELEMENTS if contains_unknown(raw.get(e))),
            index=index,
        )


def policy_statements(where: str, document: Any,
                      fix: str = "write it as a JSON policy document") -> Iterator[Statement | str | Undecided]:
    """The statements of a policy input, then what stopped reading it: a violation or an undecided result.

    An unknown document or statement is undecided, never an empty policy; an
    absent document yields nothing (the caller decides whether it is required).
    """
    if is_unknown(document):
        yield Undecided(where)
        return
    if document is MISSING or document is None:
        return
    try:
        yield from statements(document)
    except UnknownStatement as exc:
        yield Undecided(f"{where}.{exc.path}")
    except DocumentError as exc:
        yield f"{where} is {exc}: {fix}."


def judged(statement: Statement, where: str, problems: list[str], unclear: list[str]) -> Iterator[Any]:
    """A statement's findings, worked out as if it allowed: reported if it does allow.

    ``problems`` are violation messages, ``unclear`` the elements whose unknown
    parts leave the check undecided. An unknown Effect makes any of them
    undecided: the statement may turn out to be an Allow.
    """
    if "Effect" in statement.unknown:
        if problems or unclear:
            yield Undecided(f"{where}.{statement.path}.Effect")
        return
    if not statement.allows:
        return
    yield from problems
    yield from (Undecided(f"{where}.{statement.path}.{element}") for element in unclear)


def names(values: Any) -> str:
    """A statement element's values for a message; unknown parts are said to be unknown."""
    return ", ".join("(unknown until apply)" if is_unknown(v) else str(v) for v in as_list(values))


def _principals(principal: Any) -> Iterator[Any]:
    if principal is None:
        return
    if isinstance(principal, dict):
        for value in principal.values():
            yield from as_list(value)
    else:
        yield from as_list(principal)


def contains_unknown(document: Any) -> bool:
    """Whether any part of a value, however deeply nested, is unknown until apply."""
    if is_unknown(document):
        return True
    if isinstance(document, dict):
        return any(contains_unknown(v) for v in document.values())
    if isinstance(document, list):
        return any(contains_unknown(v) for v in document)
    return False


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

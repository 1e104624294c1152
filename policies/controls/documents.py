"""Shared by the controls that read JSON policy documents (ENC-05, IAM-01, IAM-02, KMS-03): statements.

A document reaches a decision as the layer found it: a JSON string (the decision
parses it and fails it when it is not JSON), or an object whose unknown parts are
``UNKNOWN`` (the pack turns the engine's unknown markers into ``UNKNOWN`` first,
also inside JSON text). An unknown document or statement is undecided, never an
empty policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, as_list
from controls.verdict import Judgement

# The statement elements a decision may need; ``Statement.unknown`` names those not known until apply.
ELEMENTS = ("Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition")


class DocumentError(ValueError):
    """The document is not a JSON policy."""


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
        return repr(sid) if isinstance(sid, str) and sid else f"#{self.index}"


def parse(document: Any) -> dict[str, Any]:
    """A document given as a JSON string or an object."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise DocumentError(f"not valid JSON ({exc.msg} at character {exc.pos})") from exc
    if not isinstance(document, dict):
        raise DocumentError("not a JSON object")
    return document


def contains_unknown(value: Any) -> bool:
    """Whether any part of a value, however deeply nested, is unknown until apply."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def _principals(principal: Any) -> list[Any]:
    if principal is None:
        return []
    if isinstance(principal, dict):
        return [item for value in principal.values() for item in as_list(value)]
    return as_list(principal)


def read_statements(judgement: Judgement, where: str, document: Any,
                    fix: str = "write it as a JSON policy document") -> list[Statement] | None:
    """The statements of a policy document, or None when it cannot be read.

    What stopped the reading goes into ``judgement``: an unknown document or
    statement as undecided, a document that is not a JSON policy as a failure.
    An absent document gives no statements (the caller decides whether one is required).
    """
    if document is UNKNOWN:
        judgement.unknown(where)
        return None
    if document is MISSING or document is None:
        return []
    try:
        doc = parse(document)
    except DocumentError as exc:
        judgement.fail(f"{where} is {exc}: {fix}.", where)
        return None
    found = []
    for index, raw in enumerate(as_list(doc.get("Statement"))):
        if raw is UNKNOWN:
            judgement.unknown(f"{where}.Statement.{index}")
            return None
        if not isinstance(raw, dict):
            judgement.fail(f"{where} is not a JSON policy (a Statement entry is not an object): {fix}.", where)
            return None
        found.append(Statement(
            effect=str(raw.get("Effect", "")),
            actions=tuple(str(a) for a in as_list(raw.get("Action")) if a is not UNKNOWN),
            not_actions=tuple(str(a) for a in as_list(raw.get("NotAction")) if a is not UNKNOWN),
            resources=tuple(as_list(raw.get("Resource"))),
            principals=tuple(_principals(raw.get("Principal"))),
            has_condition=bool(raw.get("Condition")),
            raw=raw,
            not_resources=tuple(as_list(raw.get("NotResource"))),
            not_principals=tuple(_principals(raw.get("NotPrincipal"))),
            unknown=frozenset(e for e in ELEMENTS if contains_unknown(raw.get(e))),
            index=index,
        ))
    return found


def judge_as_allow(judgement: Judgement, statement: Statement, where: str, problems: list[str],
                   unclear: list[str]) -> None:
    """A statement's findings, worked out as if it allowed, counted if it does allow.

    ``problems`` are violation messages, ``unclear`` the elements whose unknown
    parts leave it undecided. An unknown Effect makes any of them undecided: the
    statement may turn out to be an Allow.
    """
    if "Effect" in statement.unknown:
        if problems or unclear:
            judgement.unknown(f"{where}.{statement.path}.Effect")
        return
    if not statement.allows:
        return
    for problem in problems:
        judgement.fail(problem, f"{where}.{statement.path}")
    for element in unclear:
        judgement.unknown(f"{where}.{statement.path}.{element}")


def names(values: Any) -> str:
    """A statement element's values for a message; unknown parts are said to be unknown."""
    return ", ".join("(unknown until apply)" if v is UNKNOWN else str(v) for v in as_list(values))

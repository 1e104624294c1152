"""IAM-01: no IAM policy allows ``*`` or ``service:*`` actions on every resource.

A principal's grants are judged as IAM evaluates an Allow statement:

* a *broad action* is one made of wildcards only, with or without a service prefix
  (``*``, ``**``, ``s3:*``, ``s3:**``, ``*:*``, ``s*:*``), or ``NotAction`` (everything
  but what it lists);
* *every resource* is ``Resource`` of wildcards only, an ARN whose service or whose
  resource part is wildcards only (``arn:aws:*:*:*:*``, ``arn:aws:s3:::*``), or
  ``NotResource`` (everything but what it lists, whatever it lists);
* a statement granting a broad action on every resource fails, with or without a
  Condition; a Deny never does; an unknown Effect, Action or Resource that could
  make it one is undecided, never a pass.

AWS-managed policies are judged by name where a layer cannot read their documents
(AdministratorAccess, PowerUserAccess and every ``*FullAccess*`` policy allow
wildcard actions on ``*``), in any partition and under any path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls.documents import Statement, judge_as_allow, names, read_statements
from controls.values import UNKNOWN
from controls.verdict import Judgement, Verdict

CONTROL = "IAM-01"
FIX = "list the actions the principal calls and the ARNs it calls them on."

_BROAD_MANAGED_POLICY = re.compile(
    r"arn:aws[a-z-]*:iam::aws:policy/(?:[^/]*/)*(AdministratorAccess|PowerUserAccess|[^/]*FullAccess[^/]*)",
    re.IGNORECASE)
_WILDCARDS = r"[*?]*\*[*?]*"
_BROAD_ACTION = re.compile(rf"(?:[^:]*:)?{_WILDCARDS}")
_EVERY_RESOURCE = re.compile(rf"{_WILDCARDS}|arn:[^:]*:{_WILDCARDS}(?::.*)?|arn:[^:]*:[^:]*:[^:]*:[^:]*:{_WILDCARDS}")


@dataclass(frozen=True)
class Document:
    """A policy document as the layer found it (JSON text, an object, ``UNKNOWN``); ``where`` names it."""

    where: str
    document: Any


@dataclass(frozen=True)
class ManagedPolicy:
    """A managed policy attached by ARN (``UNKNOWN`` when computed: the ARN of a policy the stack creates)."""

    where: str
    arn: Any


def decide(documents: Sequence[Document] = (), managed: Sequence[ManagedPolicy] = ()) -> Verdict:
    judgement = Judgement()
    for policy in managed:
        match = _BROAD_MANAGED_POLICY.fullmatch(policy.arn) if isinstance(policy.arn, str) else None
        if match:
            judgement.fail(f"{policy.where} attaches the AWS-managed {match.group(1)}, which allows wildcard actions "
                           f"on Resource \"*\": attach a policy of your own instead; {FIX}", policy.where)
    for document in documents:
        statements = read_statements(judgement, document.where, document.document)
        for statement in statements or []:
            _judge_statement(judgement, statement, document.where)
    return judgement.verdict("no statement allows * or service:* actions on every resource")


def broad_action(action: str) -> bool:
    return bool(_BROAD_ACTION.fullmatch(action))


def every_resource(resource: Any) -> bool:
    return isinstance(resource, str) and bool(_EVERY_RESOURCE.fullmatch(resource))


def _resource_scope(statement: Statement) -> Any:
    """How the statement reaches every resource (for the message), None if it does not, or ``UNKNOWN``."""
    every = [res for res in statement.resources if every_resource(res)]
    if every:
        return "Resource " + ", ".join(f'"{res}"' for res in every)
    if "NotResource" in statement.raw:
        return f"every resource but NotResource {names(statement.raw.get('NotResource'))}"
    if "Resource" in statement.unknown:
        return UNKNOWN
    return None


def _judge_statement(judgement: Judgement, statement: Statement, where: str) -> None:
    scope = _resource_scope(statement)
    broad = [a for a in statement.actions if broad_action(a)]
    if "NotAction" in statement.raw:
        broad.append(f"every action but NotAction {names(statement.raw.get('NotAction'))}")
    actions_unknown = not broad and "Action" in statement.unknown
    if scope is None or not (broad or actions_unknown):
        return
    if scope is UNKNOWN or actions_unknown:
        judge_as_allow(judgement, statement, where, [], ["Resource" if scope is UNKNOWN else "Action"])
        return
    judge_as_allow(judgement, statement, where, [
        f"{where}: statement {statement.label} allows {', '.join(broad)} on {scope}: {FIX}"], [])

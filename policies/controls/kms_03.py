"""KMS-03: key policies grant nothing to a wildcard principal without a condition; deletion windows of 7-30 days.

Key policy: every policy that applies to the key (the key's own ``policy``, each
``KeyPolicy`` resource for it, or ``GetKeyPolicy``) is read statement by
statement; an Allow to ``Principal "*"`` (in any principal type) or through
``NotPrincipal`` (which grants everyone it does not name) fails unless it carries
a Condition, which narrows it. A key declared without a policy gets AWS's default
policy (the account root only).

Deletion window: ``deletionWindowInDays`` must lie within the catalog's bounds;
absent, AWS waits 30 days. The window is only a deletion-time setting: AWS shows
nothing of it until a deletion is scheduled, so the live layer cannot observe it
and judges the policy alone (``NOT_OBSERVABLE``), saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls.documents import Statement, judge_as_allow, names, read_statements
from controls.values import MISSING, UNKNOWN, describe, number
from controls.verdict import Judgement, Verdict

CONTROL = "KMS-03"
AWS_DEFAULT_WINDOW_DAYS = 30
POLICY_PASSES = "no statement grants a wildcard principal without a condition"


class _NotObservable:
    def __repr__(self) -> str:
        return "NOT_OBSERVABLE"


NOT_OBSERVABLE = _NotObservable()  # the layer cannot see the deletion window (the live account)


@dataclass(frozen=True)
class KeyPolicy:
    """One policy document that applies to the key: ``where`` names it in messages and paths."""

    where: str
    document: Any


def decide(policies: Sequence[KeyPolicy], window: Any, low: int, high: int) -> Verdict:
    """The verdict on a key: its policies and its deletion window (``NOT_OBSERVABLE`` where a layer cannot see it)."""
    judgement = Judgement()
    for policy in policies:
        judge_policy(judgement, policy)
    if window is NOT_OBSERVABLE:
        return judgement.verdict(f"{POLICY_PASSES} (the deletion window is not visible in the account until a "
                                 "deletion is scheduled; the preview and static layers judge it)")
    judge_window(judgement, window, low, high)
    return judgement.verdict(f"{POLICY_PASSES}; deletion window within {low}-{high} days")


def decide_policies(policies: Sequence[KeyPolicy]) -> Verdict:
    """The key-policy half alone (the pack's ``key-policy-no-public-principal``, a ``KeyPolicy`` resource)."""
    judgement = Judgement()
    for policy in policies:
        judge_policy(judgement, policy)
    return judgement.verdict(POLICY_PASSES)


def decide_window(window: Any, low: int, high: int) -> Verdict:
    """The deletion-window half alone (the pack's ``key-deletion-window``)."""
    judgement = Judgement()
    judge_window(judgement, window, low, high)
    return judgement.verdict(f"deletion window within {low}-{high} days")


def judge_policy(judgement: Judgement, policy: KeyPolicy) -> None:
    if policy.document is MISSING or policy.document is None:
        return  # AWS applies its default key policy: the account root only
    statements = read_statements(judgement, policy.where, policy.document, "write the key policy as a JSON document")
    for statement in statements or []:
        judge_as_allow(judgement, statement, policy.where, *_public_grant(statement, policy.where))


def _public_grant(statement: Statement, where: str) -> tuple[list[str], list[str]]:
    """(violations, unknown elements) of one statement, taken as an Allow."""
    if statement.has_condition:
        return [], []
    if statement.not_principals:
        grantee = f"every principal but NotPrincipal {names(list(statement.not_principals))}"
    elif "*" in statement.principals:
        grantee = 'Principal "*"'
    else:
        return [], ["Principal"] if "Principal" in statement.unknown else []
    if "Condition" in statement.unknown:
        return [], ["Condition"]
    actions = names(statement.raw.get("Action")) or "actions"
    return [f"{where} statement {statement.label} allows {actions} to {grantee} without a Condition: name the "
            "account root and the service principals instead."], []


def judge_window(judgement: Judgement, window: Any, low: int, high: int) -> None:
    if window is UNKNOWN:
        judgement.unknown("deletionWindowInDays")
        return
    days = AWS_DEFAULT_WINDOW_DAYS if window is MISSING else number(window)
    if days is None or not low <= days <= high:
        shown = f"not set (AWS waits {AWS_DEFAULT_WINDOW_DAYS} days)" if window is MISSING else describe(window)
        judgement.fail(f"deletionWindowInDays is {shown}: set it between {low} and {high}.", "deletionWindowInDays")

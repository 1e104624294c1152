"""Helpers the live checks of every service share: verdicts, evidence, customer-managed keys, policy statements."""

from __future__ import annotations

from typing import Any

from compliance.audit.inventory import Resource
from compliance.audit.registry import CheckContext, Outcome
from controls.keys import AWS, KeyRef, names_aws_managed_alias
from controls.values import MISSING
from controls.verdict import FAIL, NOT_APPLICABLE, PASS, Verdict


def pick(data: dict[str, Any], *fields: str) -> dict[str, Any]:
    """The named fields of an API answer (absent ones as None): the evidence that decided."""
    return {name: data.get(name) for name in fields}


def verdict(resource: Resource, problems: list[str], passed: str, evidence: dict[str, Any]) -> Outcome:
    """pass with ``passed``, or fail listing every problem (each names what to change)."""
    if problems:
        return Outcome(resource.ref, "fail", f"{resource.name}: " + "; ".join(problems), evidence)
    return Outcome(resource.ref, "pass", f"{resource.name}: {passed}", evidence)


def verdict_outcome(resource: Resource, decided: Verdict, evidence: dict[str, Any]) -> Outcome:
    """A control's verdict (from its decision module) as the audit's outcome on ``resource``.

    A decision that could not decide from what the API answered is an error, never a pass.
    """
    status = {PASS: "pass", FAIL: "fail", NOT_APPLICABLE: "not_applicable"}.get(decided.status, "error")
    message = decided.message if status != "error" else f"could not be decided from the answer: {decided.message}"
    return Outcome(resource.ref, status, f"{resource.name}: {message}", evidence)


def key_ref(ctx: CheckContext, value: str | None, evidence: dict[str, Any]) -> KeyRef:
    """The key a resource names, resolved with DescribeKey (and ListAliases), for ``controls.keys``.

    "Customer-managed" is DescribeKey's KeyManager, whatever form the reference takes
    (key id, key ARN, alias name, alias ARN); a key with an ``alias/aws/*`` alias is
    AWS-managed by definition (moto creates AWS's default keys as customer keys).
    The evidence records the answers that decided.
    """
    if not value:
        evidence["kms:DescribeKey"] = None
        return KeyRef(MISSING)
    if names_aws_managed_alias(value):
        evidence["kms:DescribeKey"] = {"KeyId": value, "KeyManager": "AWS (an alias/aws/* key)"}
        return KeyRef(value, AWS)
    meta = ctx.inventory.key(ctx.region, value)
    evidence["kms:DescribeKey"] = {"KeyId": value, **pick(meta, "Arn", "KeyManager", "KeyState")}
    region = meta["Arn"].split(":")[3] if meta.get("Arn") else ctx.region
    if (aws_alias := ctx.inventory.aws_alias_of(region, meta["KeyId"])) is not None:
        evidence["kms:ListAliases"] = {"AliasName": aws_alias}
        return KeyRef(value, AWS)
    return KeyRef(value, str(meta.get("KeyManager") or "") or None, meta.get("KeyState"))


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def statements(document: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [s for s in as_list((document or {}).get("Statement")) if isinstance(s, dict)]

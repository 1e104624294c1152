"""Shared by the encryption controls (ENC-01..ENC-09): is a key reference a customer-managed KMS key?

Every layer writes what it knows about the key a resource names as a ``KeyRef``:

* the pack: the input as written and, when it was computed from (or names by
  literal alias) a ``kms.Key`` or ``kms.Alias`` declared in the stack, manager
  ``CUSTOMER`` (whatever a first preview leaves unknown);
* our checkov checks: the same from the plan's references;
* the audit: ``DescribeKey``'s ``KeyManager`` and ``KeyState``, and ``AWS`` when
  ``ListAliases`` shows an ``alias/aws/*`` alias on the key.

The decision is the same everywhere: absent, an ``alias/aws/*`` name in any form
(alias name, alias ARN), or a key AWS manages fails; a customer-managed key that is
not enabled fails; a reference no layer can resolve to a key it can see (a literal
key ID or ARN of a key outside the stack) fails in the declaring layers, since its
manager cannot be verified before the deploy, and is resolved by the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe
from controls.verdict import Judgement

CUSTOMER = "CUSTOMER"
AWS = "AWS"
AWS_MANAGED_MARK = "alias/aws/"


@dataclass(frozen=True)
class KeyRef:
    """How a resource names its KMS key (``value``), and what a layer resolved it to.

    ``manager`` is ``CUSTOMER`` or ``AWS`` when resolved, None when not; ``state``
    the key's KeyState when the layer read it (the audit), else None.
    """

    value: Any
    manager: str | None = None
    state: str | None = None


def names_aws_managed_alias(value: Any) -> bool:
    """``alias/aws/<service>`` as an alias name or inside an alias ARN: only AWS creates those."""
    return isinstance(value, str) and AWS_MANAGED_MARK in value


def judge_key(judgement: Judgement, key: KeyRef, setting: str, which: str) -> None:
    """Add to ``judgement`` why ``key`` (the value of ``setting``) is not a customer-managed key, if it is not.

    ``which`` names the key the program should pass, for the fix ("the ARN of the Kinesis key").
    """
    value = key.value
    if key.manager is None and (value is MISSING or value is None or value == ""):
        judgement.fail(f"{setting} is not set, so the AWS-managed key is used: set {setting} to {which}.", setting)
    elif names_aws_managed_alias(value) or key.manager == AWS:
        shown = repr(value) if isinstance(value, str) else "a key"
        judgement.fail(f"{setting} is {shown}, an AWS-managed key: set {setting} to {which}.", setting)
    elif key.manager == CUSTOMER:
        if key.state not in (None, "Enabled"):
            judgement.fail(f"{setting} names a customer-managed key in state {key.state}: enable it or set "
                           f"{setting} to {which}.", setting)
    elif value is UNKNOWN:
        judgement.unknown(setting, f"{setting} is computed at apply from something that is not a key of this "
                                   "stack, so its key cannot be verified yet")
    elif not isinstance(value, str):
        judgement.fail(f"{setting} is {describe(value)}, not a key reference: set {setting} to {which}.", setting)
    else:
        judgement.fail(f"{setting} is {value!r}, which names no key declared in this stack, so it cannot be "
                       f"verified as customer-managed before the deploy: set {setting} to {which}.", setting)

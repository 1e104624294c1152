"""ENC-06: DynamoDB tables encrypt with a customer-managed KMS key.

Without server-side encryption settings, or with them disabled, a table is
encrypted with an AWS-owned key; enabled without a key, with the account's
``aws/dynamodb`` key. Only enabled encryption with a customer-managed
``kmsKeyArn`` (``controls.keys``) passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.keys import KeyRef, judge_key
from controls.values import UNKNOWN, describe, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "ENC-06"
KEY = "the ARN of the DynamoDB key"


@dataclass(frozen=True)
class Table:
    """``configured``: whether the table has server-side encryption settings at all (or ``UNKNOWN``);
    ``enabled``: their ``enabled`` as written or reported."""

    configured: Any
    enabled: Any
    key: KeyRef


def decide(table: Table) -> Verdict:
    judgement = Judgement()
    if table.configured is UNKNOWN or (table.configured and table.enabled is UNKNOWN):
        judgement.unknown("serverSideEncryption")
        return judgement.verdict("")
    if not table.configured:
        judgement.fail("serverSideEncryption is not set, so the table uses an AWS-owned key: set serverSideEncryption "
                       f"{{enabled: true, kmsKeyArn: {KEY}}}.", "serverSideEncryption")
        return judgement.verdict("")
    if not truthy(table.enabled):
        judgement.fail(f"serverSideEncryption.enabled is {describe(table.enabled)}, so the table uses an AWS-owned "
                       f"key: set serverSideEncryption.enabled to true with kmsKeyArn {KEY}.",
                       "serverSideEncryption.enabled")
        return judgement.verdict("")
    judge_key(judgement, table.key, "serverSideEncryption.kmsKeyArn", KEY)
    return judgement.verdict("encrypted with a customer-managed key")


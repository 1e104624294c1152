"""ENC-07: CloudWatch log groups encrypt with a customer-managed KMS key.

A log group without ``kmsKeyId`` is encrypted by CloudWatch Logs with a key the
service owns; the key it names must be customer-managed (``controls.keys``).
"""

from __future__ import annotations

from dataclasses import dataclass

from controls.keys import KeyRef, judge_key
from controls.verdict import Judgement, Verdict

CONTROL = "ENC-07"
KEY = "the ARN of the CloudWatch Logs key"


@dataclass(frozen=True)
class LogGroup:
    key: KeyRef


def decide(group: LogGroup) -> Verdict:
    judgement = Judgement()
    judge_key(judgement, group.key, "kmsKeyId", KEY)
    return judgement.verdict("encrypted with a customer-managed key")

"""ENC-08: CloudTrail log files encrypt with a customer-managed KMS key.

A trail without ``kmsKeyId`` leaves its log files under the bucket's default
(SSE-S3) encryption; the key it names must be customer-managed (``controls.keys``).
"""

from __future__ import annotations

from dataclasses import dataclass

from controls.keys import KeyRef, judge_key
from controls.verdict import Judgement, Verdict

CONTROL = "ENC-08"
KEY = "the ARN of the CloudTrail key"


@dataclass(frozen=True)
class Trail:
    key: KeyRef


def decide(trail: Trail) -> Verdict:
    judgement = Judgement()
    judge_key(judgement, trail.key, "kmsKeyId", KEY)
    return judgement.verdict("log files encrypted with a customer-managed key")

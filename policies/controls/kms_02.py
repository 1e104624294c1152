"""KMS-02: one key per service: no customer-managed key is used by two services.

Judged per key, from every use of it the layer sees: each a resource of some
kind that is configured with the key. Kinds map to services, the unit that must
not share a key:

* the Lambda function's environment and its SQS dead-letter queue are one
  service (ENC-09: the processing key);
* a bucket a CloudTrail trail writes to belongs to CloudTrail, not to S3;
* the master-password secret that RDS manages belongs to Secrets Manager (the
  layers report it as kind ``secretsmanager``).

A key that no resource uses shares nothing: it passes. References that resolve to
no key of the stack are not KMS-02's: the encryption controls (``controls.keys``)
fail them on the resource that holds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from controls.verdict import Judgement, Verdict

CONTROL = "KMS-02"
KINDS = ("kinesis", "rds", "elasticache", "secretsmanager", "s3", "dynamodb", "logs", "cloudtrail", "lambda", "sqs")
_SHARED_BY_DESIGN = {"lambda": "lambda-sqs", "sqs": "lambda-sqs"}


@dataclass(frozen=True)
class Use:
    """One resource configured with the key: its kind (one of ``KINDS``) and how messages name it.

    ``trail_bucket``: an S3 bucket a CloudTrail trail delivers to.
    """

    kind: str
    resource: str
    trail_bucket: bool = False


def service(use: Use) -> str:
    if use.kind not in KINDS:
        raise ValueError(f"unknown kind of key use {use.kind!r}; expected one of {', '.join(KINDS)}")
    if use.kind == "s3" and use.trail_bucket:
        return "cloudtrail"
    return _SHARED_BY_DESIGN.get(use.kind, use.kind)


def decide(uses: Iterable[Use]) -> Verdict:
    by_service: dict[str, set[str]] = {}
    for use in uses:
        by_service.setdefault(service(use), set()).add(use.resource)
    judgement = Judgement()
    if len(by_service) > 1:
        detail = "; ".join(f"{name}: {', '.join(sorted(resources))}" for name, resources in sorted(by_service.items()))
        judgement.fail(f"the key is used by {len(by_service)} services ({detail}): give each service its own key and "
                       "alias.", "uses")
    if not by_service:
        return judgement.verdict("no resource is configured with this key, so no services share it")
    return judgement.verdict(f"used by one service ({next(iter(by_service))})")

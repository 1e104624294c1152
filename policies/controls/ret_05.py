"""RET-05: CloudTrail's log files are kept at least ``minDays`` (90) days where the trail delivers them.

A trail always writes to its S3 bucket and may also deliver to a CloudWatch Logs
group; each copy must be kept ``minDays`` or more:

* the log group, when the trail names one: its retention is ``minDays`` or more.
  A group that never expires keeps the logs forever, which meets "at least
  ``minDays``" (the rationale: API history is the evidence of who changed what);
  that it should not be kept forever is RET-04's concern, which fails such a
  group on its own. A trail without a log group keeps its history in the bucket.
* the bucket: no enabled lifecycle rule expires objects sooner than ``minDays``
  (any rule, whatever its filter: a prefix may be the one CloudTrail writes to).
  A bucket without expiration keeps them forever.

A log group or bucket the trail names but that cannot be found (not declared in
the program, absent from the account) cannot be verified: that fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.ret_04 import LogGroup, never_expires
from controls.values import MISSING, UNKNOWN, describe, number
from controls.verdict import Judgement, Verdict

CONTROL = "RET-05"


@dataclass(frozen=True)
class Bucket:
    name: str
    expirations: Any  # the expiration days of its enabled lifecycle rules (a tuple), or ``UNKNOWN``


@dataclass(frozen=True)
class Trail:
    name: str
    log_group_arn: Any  # ``MISSING``: the trail delivers to no log group
    log_groups: tuple[LogGroup, ...]  # the groups found for that ARN (none: it cannot be found)
    bucket_name: Any
    buckets: tuple[Bucket, ...]  # the buckets found for that name


def decide(trail: Trail, min_days: int) -> Verdict:
    judgement = Judgement()
    if trail.log_group_arn is UNKNOWN and not trail.log_groups:
        judgement.unknown("cloudWatchLogsGroupArn")
    elif trail.log_group_arn is not MISSING and not trail.log_groups:
        judgement.fail(f"trail '{trail.name}' delivers to log group {describe(trail.log_group_arn)}, which cannot be "
                       "found, so its retention cannot be verified: declare the log group in the program.",
                       "cloudWatchLogsGroupArn")
    for group in trail.log_groups:
        retention = group.retention_days
        if retention is UNKNOWN:
            judgement.unknown("retentionInDays")
        elif not never_expires(retention) and (number(retention) or 0) < min_days:
            judgement.fail(f"trail '{trail.name}': log group '{group.name}' keeps events {describe(retention)} days: "
                           f"set retentionInDays to {min_days} or more.", "retentionInDays")
    if trail.bucket_name is UNKNOWN and not trail.buckets:
        judgement.unknown("s3BucketName")
    elif not trail.buckets:
        judgement.fail(f"trail '{trail.name}' writes to bucket {describe(trail.bucket_name)}, which cannot be found, "
                       "so its retention cannot be verified: declare the trail bucket in the program.", "s3BucketName")
    for bucket in trail.buckets:
        if bucket.expirations is UNKNOWN or any(days is UNKNOWN for days in bucket.expirations):
            judgement.unknown("rules")
            continue
        early = [days for days in bucket.expirations if (number(days) or 0) < min_days]
        if early:
            judgement.fail(f"trail '{trail.name}': bucket '{bucket.name}' expires log files after "
                           f"{describe(min(early, key=lambda d: number(d) or 0))} days: expire them after {min_days} "
                           "days or more.", "rules")
    return judgement.verdict(f"log files kept {min_days} days or more in the trail's "
                             f"{'log group and ' if trail.log_groups else ''}bucket")

"""CKV_IOT_9 (RET-05): a trail's log group and bucket keep its log files at least ``minDays`` (``controls.ret_05``).

Facts from the plan: the log group the trail's ``cloud_watch_logs_group_arn`` is
computed from (or names literally), the bucket of ``s3_bucket_name``, and the
expirations of that bucket's enabled lifecycle rules (inline or
``aws_s3_bucket_lifecycle_configuration``). Replaces the graph check that could
neither read the catalog's ``minDays`` nor judge the bucket.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list, parameters
from plan_index import PlanIndex
from planned import fact, named, resolved

from controls import ret_05
from controls.values import UNKNOWN
from controls.verdict import Verdict

GROUP, BUCKET, LIFECYCLE = "aws_cloudwatch_log_group", "aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration"


def _groups(plan: PlanIndex, trail: str) -> list[str]:
    found = plan.references(trail, "cloud_watch_logs_group_arn", (GROUP,))
    arn = fact(plan, trail, "cloud_watch_logs_group_arn")
    if not found and isinstance(arn, str):
        found = [g for g in plan.of_type(GROUP) if f":log-group:{fact(plan, g, 'name')}:" in f"{arn}:"]
    return found


def _expirations(plan: PlanIndex, bucket: str) -> Any:
    """The expiration days of the bucket's enabled lifecycle rules; ``UNKNOWN`` while its rules are unknown."""
    inline = fact(plan, bucket, "lifecycle_rule")
    configured = [fact(plan, c, "rule") for c in named(plan, bucket, "bucket", fact(plan, bucket, "bucket"), LIFECYCLE)]
    if inline is UNKNOWN or UNKNOWN in configured:
        return UNKNOWN
    enabled = [r for r in as_list(inline) if isinstance(r, dict) and r.get("enabled") is True]
    enabled += [r for rules in configured for r in as_list(rules) if isinstance(r, dict) and r.get("status") == "Enabled"]
    days = [(rule.get("expiration") or {}).get("days") if isinstance(rule.get("expiration"), dict) else None
            for rule in enabled]
    return tuple(d for d in days if d is not None)


class TrailLogRetention(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RET-05: the CloudTrail log group and bucket keep logs for at least minDays (90)",
            id="CKV_IOT_9", categories=[CheckCategories.LOGGING], supported_resources=("aws_cloudtrail",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        name = address.split(".", 1)[1]
        groups = tuple(ret_05.LogGroup(g.split(".", 1)[1], fact(plan, g, "retention_in_days"))
                       for g in _groups(plan, address))
        buckets = tuple(ret_05.Bucket(b.split(".", 1)[1], _expirations(plan, b))
                        for b in resolved(plan, address, "s3_bucket_name", "bucket", BUCKET))
        trail = ret_05.Trail(name, fact(plan, address, "cloud_watch_logs_group_arn"), groups,
                             fact(plan, address, "s3_bucket_name"), buckets)
        return ret_05.decide(trail, int(parameters("RET-05")["minDays"]))


check = TrailLogRetention()


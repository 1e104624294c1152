"""RET-05 in the pack: how long a trail's log group and bucket keep its log files (``controls.ret_05``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import ret_05
from rules import types as t
from rules.model import Resource, StackView, physical
from rules.registry import Registry, stack_results
from rules.trail_buckets import buckets_of_trail, lifecycle_rules
from rules.values import MISSING, UNKNOWN

registry = Registry()


def _log_groups_named(stack: StackView, arn: Any) -> list[Resource]:
    """The stack's log groups a literal ARN (arn:aws:logs:<region>:<account>:log-group:<name>[:*]) names."""
    if not isinstance(arn, str):
        return []
    names = {group.urn: physical(group, "name") for group in stack.of_type(t.LOG_GROUP)}
    return [stack.by_urn[urn] for urn, name in names.items()
            if isinstance(name, str) and f":log-group:{name}:" in f"{arn}:"]


def _bucket(stack: StackView, bucket: Resource) -> ret_05.Bucket:
    rules = lifecycle_rules(stack, bucket)
    expirations = UNKNOWN if rules is None else tuple(r["expiration"] for r in rules if r["expiration"] is not MISSING)
    return ret_05.Bucket(bucket.name, expirations)


def _trail(stack: StackView, trail: Resource) -> ret_05.Trail:
    arn = trail.lookup("cloudWatchLogsGroupArn")
    groups = stack.sources(trail, "cloudWatchLogsGroupArn", t.LOG_GROUP) or _log_groups_named(stack, arn)
    return ret_05.Trail(
        trail.name, arn, tuple(ret_05.LogGroup(g.name, g.lookup("retentionInDays")) for g in groups),
        trail.lookup("s3BucketName"), tuple(_bucket(stack, b) for b in buckets_of_trail(stack, trail)))


@registry.stack("RET-05", "cloudtrail-log-retention",
                "CloudTrail logs are kept at least 90 days in the trail's bucket and log group.", [t.TRAIL],
                parameters=("minDays",))
def cloudtrail_log_retention(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for trail in stack.of_type(t.TRAIL):
        yield from stack_results(ret_05.decide(_trail(stack, trail), config["minDays"]), trail.urn)

"""RET-01, RET-02, RET-04, RET-05: backups, point-in-time recovery and log retention (RET-03: ``ret_03``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.model import Resource, StackView, physical
from rules.registry import Registry, Undecided, Violation
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup, number, truthy

registry = Registry()


def _at_least(r: Resource, path: str, minimum: int, absent: str, fix: str) -> Iterator[Any]:
    value = r.lookup(path)
    if value is UNKNOWN:
        yield Undecided(path)
        return
    days = number(value)
    if value is MISSING:
        yield f"{path} is not set ({absent}): {fix}"
    elif days is None or days < minimum:
        yield f"{path} is {describe(value)}, below {minimum}: {fix}"


@registry.resource("RET-01", "aurora-backup-retention",
                   "Aurora clusters keep automated backups for at least 30 days.", [t.RDS_CLUSTER],
                   parameters=("minDays",))
def aurora_backup_retention(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    minimum = config["minDays"]
    yield from _at_least(r, "backupRetentionPeriod", minimum, "AWS keeps 1 day",
                         f"set backupRetentionPeriod to {minimum} or more.")


@registry.resource("RET-02", "dynamodb-point-in-time-recovery",
                   "DynamoDB tables have point-in-time recovery on.", [t.DYNAMODB_TABLE])
def dynamodb_point_in_time_recovery(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    enabled = r.lookup("pointInTimeRecovery.enabled")
    if enabled is UNKNOWN:
        yield Undecided("pointInTimeRecovery.enabled")
    elif not truthy(enabled):
        yield f"pointInTimeRecovery.enabled is {describe(enabled)}: set pointInTimeRecovery {{enabled: true}}."


def _lifecycle_rules(stack: StackView, bucket: Resource) -> list[dict[str, Any]] | None:
    """Enabled lifecycle rules of a bucket (inline or configuration resources); None if unknown."""
    rules: list[dict[str, Any]] = []
    inline = bucket.lookup("lifecycleRules")
    if inline is UNKNOWN:
        return None
    for rule in as_list(inline):
        if rule is UNKNOWN:
            return None
        if lookup(rule, "enabled") is UNKNOWN:
            return None
        if truthy(lookup(rule, "enabled")):
            rules.append({"transitions": lookup(rule, "transitions"), "expiration": lookup(rule, "expiration.days"),
                          "noncurrent": lookup(rule, "noncurrentVersionExpiration.days")})
    for configuration in stack.linked(bucket, physical(bucket, "bucket"), "bucket", *t.S3_LIFECYCLES):
        configured = configuration.lookup("rules")
        if configured is UNKNOWN:
            return None
        for rule in as_list(configured):
            if rule is UNKNOWN or lookup(rule, "status") is UNKNOWN:
                return None
            if lookup(rule, "status") == "Enabled":
                rules.append({"transitions": lookup(rule, "transitions"),
                              "expiration": lookup(rule, "expiration.days"),
                              "noncurrent": lookup(rule, "noncurrentVersionExpiration.noncurrentDays")})
    return rules


def buckets_of_trail(stack: StackView, trail: Resource) -> list[Resource]:
    """The buckets a trail writes to, by dependency edge or literal name."""
    found = {b.urn: b for b in stack.sources(trail, "s3BucketName", *t.S3_BUCKETS)}
    found.update({b.urn: b for b in stack.named("bucket", trail.lookup("s3BucketName"), *t.S3_BUCKETS)})
    return list(found.values())


def trail_buckets(stack: StackView) -> set[str]:
    """URNs of the buckets that receive CloudTrail log files."""
    return {b.urn for trail in stack.of_type(t.TRAIL) for b in buckets_of_trail(stack, trail)}


@registry.resource("RET-04", "log-group-retention",
                   "CloudWatch log groups expire events after at least 30 days (never-expire is a violation).",
                   [t.LOG_GROUP], parameters=("minDays",))
def log_group_retention(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    minimum = config["minDays"]
    value = r.lookup("retentionInDays")
    if value is UNKNOWN:
        yield Undecided("retentionInDays")
    elif value is MISSING or number(value) == 0:
        yield f"retentionInDays is {describe(value)}, so events never expire: set retentionInDays to {minimum} or more."
    elif (number(value) or 0) < minimum:
        yield f"retentionInDays is {describe(value)}, below {minimum}: set retentionInDays to {minimum} or more."


def _log_groups_named(stack: StackView, arn: Any) -> list[Resource]:
    """The stack's log groups a literal ARN (arn:aws:logs:<region>:<account>:log-group:<name>[:*]) names."""
    if not isinstance(arn, str):
        return []
    names = {group.urn: physical(group, "name") for group in stack.of_type(t.LOG_GROUP)}
    return [stack.by_urn[urn] for urn, name in names.items()
            if isinstance(name, str) and f":log-group:{name}:" in f"{arn}:"]


@registry.stack("RET-05", "cloudtrail-log-retention",
                "CloudTrail logs are kept at least 90 days in the trail's bucket and log group.", [t.TRAIL],
                parameters=("minDays",))
def cloudtrail_log_retention(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    minimum = config["minDays"]
    for trail in stack.of_type(t.TRAIL):
        groups = stack.sources(trail, "cloudWatchLogsGroupArn", t.LOG_GROUP) or _log_groups_named(
            stack, trail.lookup("cloudWatchLogsGroupArn"))
        if not groups and trail.lookup("cloudWatchLogsGroupArn") is not MISSING:
            yield Violation(f"trail '{trail.name}' delivers to log group "
                            f"{describe(trail.lookup('cloudWatchLogsGroupArn'))}, which is not declared in this "
                            "stack, so its retention cannot be verified: declare the log group in the program.",
                            trail.urn)
        for group in groups:
            retention = group.lookup("retentionInDays")
            if retention is UNKNOWN:
                yield Undecided("retentionInDays")
            elif retention is not MISSING and 0 < (number(retention) or 0) < minimum:
                yield Violation(f"trail '{trail.name}': log group '{group.name}' keeps events "
                                f"{describe(retention)} days: set retentionInDays to {minimum} or more.", trail.urn)
        buckets = buckets_of_trail(stack, trail)
        if not buckets:
            yield Violation(f"trail '{trail.name}' writes to bucket {describe(trail.lookup('s3BucketName'))}, which "
                            "is not declared in this stack, so its retention cannot be verified: declare the trail "
                            "bucket in the program.", trail.urn)
        for bucket in buckets:
            rules = _lifecycle_rules(stack, bucket)
            if rules is None:
                yield Undecided("rules")
                continue
            for rule in rules:
                days = number(rule["expiration"]) if rule["expiration"] is not MISSING else None
                if days is not None and days < minimum:
                    yield Violation(f"trail '{trail.name}': bucket '{bucket.name}' expires log files after "
                                    f"{describe(rule['expiration'])} days: expire them after {minimum} days or more.",
                                    trail.urn)

"""Which buckets a trail writes to, and a bucket's enabled lifecycle rules: facts RET-03, RET-05, LOG-01 and KMS-02 share.

A trail's log bucket is no data store (RET-03, LOG-01) and belongs to CloudTrail
(KMS-02); RET-05 reads its lifecycle.
"""

from __future__ import annotations

from typing import Any

from rules import types as t
from rules.model import Resource, StackView, physical
from rules.values import UNKNOWN, as_list, lookup, truthy


def lifecycle_rules(stack: StackView, bucket: Resource) -> list[dict[str, Any]] | None:
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

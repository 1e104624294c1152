"""RET-03: versioning and the archive lifecycle; and which buckets a trail writes to (RET-05 and LOG-01 use them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.documents import contains_unknown
from rules.model import Resource, StackView, physical
from rules.registry import Registry, Undecided, Violation
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup, number, truthy

registry = Registry()


@registry.resource("RET-03", "s3-versioning-enabled",
                   "S3 bucket versioning configurations enable versioning.", t.S3_VERSIONINGS)
def s3_versioning_enabled(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    status = r.lookup("versioningConfiguration.status")
    if status is UNKNOWN:
        yield Undecided("versioningConfiguration.status")
    elif status != "Enabled":
        yield f"versioningConfiguration.status is {describe(status)}: set it to \"Enabled\"."


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


def _versioning_problem(stack: StackView, bucket: Resource) -> Iterator[Any]:
    inline = bucket.lookup("versioning.enabled")
    if inline is UNKNOWN:
        yield Undecided("versioning.enabled")
        return
    if truthy(inline):
        return
    configs = stack.linked(bucket, physical(bucket, "bucket"), "bucket", *t.S3_VERSIONINGS)
    statuses = [c.lookup("versioningConfiguration.status") for c in configs]
    if not any(s == "Enabled" or s is UNKNOWN for s in statuses):
        yield Violation(f"bucket '{bucket.name}' is not versioned: add a BucketVersioning with status \"Enabled\".",
                        bucket.urn)


def _archive_problem(stack: StackView, bucket: Resource, glacier_days: int) -> Iterator[Any]:
    rules = lifecycle_rules(stack, bucket)
    if rules is None:
        yield Undecided("rules")
        return
    if any(contains_unknown(rule) for rule in rules):
        yield Undecided("rules")
        return
    transitions = [tr for rule in rules for tr in as_list(rule["transitions"]) if isinstance(tr, dict)]
    classes = {str(lookup(tr, "storageClass")): number(lookup(tr, "days")) for tr in transitions}
    missing = []
    if "INTELLIGENT_TIERING" not in classes:
        missing.append("a transition to INTELLIGENT_TIERING")
    glacier = classes.get("GLACIER", MISSING)
    if glacier is MISSING or glacier is None or glacier > glacier_days:
        missing.append(f"a transition to GLACIER at {glacier_days} days or sooner")
    if not any(rule["noncurrent"] is not MISSING for rule in rules):
        missing.append("an expiration of noncurrent versions")
    if missing:
        yield Violation(f"bucket '{bucket.name}' (a data archive) lifecycle lacks {', '.join(missing)}: add them to "
                        "its BucketLifecycleConfiguration.", bucket.urn)


@registry.stack("RET-03", "s3-bucket-versioned-and-archive-tiered",
                "Every S3 bucket is versioned; every data bucket (not a CloudTrail log bucket) tiers to "
                "Intelligent-Tiering and Glacier and expires noncurrent versions.", t.S3_BUCKETS,
                parameters=("glacierAfterDays",))
def s3_bucket_versioned_and_archive_tiered(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    log_buckets = trail_buckets(stack)
    for bucket in stack.of_type(*t.S3_BUCKETS):
        yield from _versioning_problem(stack, bucket)
        if bucket.urn not in log_buckets:
            yield from _archive_problem(stack, bucket, config["glacierAfterDays"])

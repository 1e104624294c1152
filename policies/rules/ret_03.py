"""RET-03 in the pack: each bucket's versioning and, for data buckets, lifecycle (``controls.ret_03``).

The bucket is the subject, with its inline ``versioning`` and ``lifecycleRules``
and every ``BucketVersioning`` and ``BucketLifecycleConfiguration`` that names it;
a versioning resource is also judged alone, where its status is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import ret_03
from rules import types as t
from rules.model import Resource, StackView, physical
from rules.registry import Registry, resource_results, stack_results
from rules.trail_buckets import trail_buckets
from rules.values import MISSING, UNKNOWN, as_list, lookup

registry = Registry()


def _versioning(bucket: Resource, stack: StackView, name: Any) -> list[ret_03.Versioning]:
    found = [ret_03.Versioning("versioning.enabled", bucket.lookup("versioning.enabled"))] \
        if bucket.has("versioning") else []
    return found + [ret_03.Versioning(f"{c.label()} versioningConfiguration.status",
                                      c.lookup("versioningConfiguration.status"))
                    for c in stack.linked(bucket, name, "bucket", *t.S3_VERSIONINGS)]


def _transitions(rule: Any) -> Any:
    transitions = lookup(rule, "transitions")
    if transitions is UNKNOWN:
        return UNKNOWN
    return tuple(UNKNOWN if tr is UNKNOWN else ret_03.Transition(lookup(tr, "storageClass"), lookup(tr, "days"))
                 for tr in as_list(transitions))


def _filter(rule: Any) -> tuple[Any, Any]:
    """(prefix, selects by tag) of a configuration rule's filter (or its deprecated top-level prefix)."""
    selector = lookup(rule, "filter")
    if selector is UNKNOWN:
        return UNKNOWN, UNKNOWN
    prefix = next((p for p in (lookup(rule, "filter.prefix"), lookup(rule, "filter.and.prefix"),
                               lookup(rule, "prefix")) if p is not MISSING), MISSING)
    tags = [lookup(rule, "filter.tag"), lookup(rule, "filter.and.tags")]
    if UNKNOWN in tags:
        return prefix, UNKNOWN
    return prefix, any(tag not in (MISSING, {}) for tag in tags)


def _lifecycle(bucket: Resource, stack: StackView, name: Any) -> Any:
    inline = bucket.lookup("lifecycleRules")
    configurations = stack.linked(bucket, name, "bucket", *t.S3_LIFECYCLES)
    if inline is UNKNOWN or any(c.lookup("rules") is UNKNOWN for c in configurations):
        return UNKNOWN
    rules = []
    for index, rule in enumerate(as_list(inline)):
        where = f"lifecycleRules[{index}]"
        if rule is UNKNOWN:
            return UNKNOWN
        tags = lookup(rule, "tags")
        rules.append(ret_03.LifecycleRule(where, lookup(rule, "enabled"), lookup(rule, "prefix"),
                                          UNKNOWN if tags is UNKNOWN else tags not in (MISSING, {}),
                                          _transitions(rule), lookup(rule, "noncurrentVersionExpiration.days")))
    for configuration in configurations:
        for index, rule in enumerate(as_list(configuration.lookup("rules"))):
            where = f"{configuration.label()} rules[{index}]"
            if rule is UNKNOWN:
                return UNKNOWN
            prefix, tags = _filter(rule)
            rules.append(ret_03.LifecycleRule(where, lookup(rule, "status"), prefix, tags, _transitions(rule),
                                              lookup(rule, "noncurrentVersionExpiration.noncurrentDays")))
    return tuple(rules)


@registry.resource("RET-03", "s3-versioning-enabled",
                   "S3 bucket versioning configurations enable versioning.", t.S3_VERSIONINGS)
def s3_versioning_enabled(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    versioning = ret_03.Versioning("versioningConfiguration.status", r.lookup("versioningConfiguration.status"))
    yield from resource_results(ret_03.decide_versioning(versioning))


@registry.stack("RET-03", "s3-bucket-versioned-and-archive-tiered",
                "Every S3 bucket is versioned; every data bucket (not a CloudTrail log bucket) tiers to "
                "Intelligent-Tiering and Glacier and expires noncurrent versions.", t.S3_BUCKETS,
                parameters=("glacierAfterDays",))
def s3_bucket_versioned_and_archive_tiered(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    log_buckets = trail_buckets(stack)
    for bucket in stack.of_type(*t.S3_BUCKETS):
        name = physical(bucket, "bucket")
        facts = ret_03.Bucket(tuple(_versioning(bucket, stack, name)), _lifecycle(bucket, stack, name),
                              bucket.urn in log_buckets)
        yield from stack_results(ret_03.decide(facts, config["glacierAfterDays"]), bucket.urn)

"""S3: buckets and the bucket reads several checks share (encryption, policy, lifecycle); ENC-05 and RET-03.

ENC-05 and RET-03 are decided by ``controls.enc_05`` and ``controls.ret_03`` from the API answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, statements, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from controls import enc_05, ret_03
from controls.keys import KeyRef
from controls.values import MISSING

BUCKET = "aws:s3/bucket:Bucket"
NO_ENCRYPTION = "ServerSideEncryptionConfigurationNotFoundError"
NO_LIFECYCLE = "NoSuchLifecycleConfiguration"


def bucket_regions(inventory: Inventory) -> list[tuple[str, str]]:
    """(bucket, region) for every bucket of the account: ListBuckets is global, GetBucketLocation places each."""
    def discover() -> list[tuple[str, str]]:
        home = inventory.home_region
        placed = []
        for bucket in inventory.aws.pages("s3", home, "ListBuckets", "Buckets"):
            location = inventory.aws.call("s3", home, "GetBucketLocation", Bucket=bucket["Name"])
            constraint = location.get("LocationConstraint") or "us-east-1"
            placed.append((bucket["Name"], "eu-west-1" if constraint == "EU" else constraint))
        return placed

    return inventory.memo.get(("bucket_regions",), discover)


@listing(BUCKET)
def buckets(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Buckets located in ``region`` (an audit of other regions finds the others)."""
    for name, located in bucket_regions(inventory):
        if located != region:
            continue

        def read(arn: str = f"arn:aws:s3:::{name}") -> dict[str, str]:
            return inventory.tags_of(region, arn)

        yield inventory.keep(BUCKET, region, name, (f"arn:aws:s3:::{name}",), {"Name": name}, read,
                             resource_id=f"arn:aws:s3:::{name}")


def bucket_read(ctx: CheckContext, operation: str, bucket: str, absent: str) -> dict[str, Any] | None:
    """One bucket read, shared by every check that needs it; None when ``absent`` says there is nothing."""
    return ctx.inventory.memo.get((operation, bucket),
                                  lambda: ctx.call("s3", operation, absent=(absent,), Bucket=bucket))


def _encryption_facts(ctx: CheckContext, bucket: str, evidence: dict[str, Any]) -> tuple[enc_05.Encryption, ...]:
    """GetBucketEncryption's rules as facts (none when the bucket has no default encryption), keys resolved."""
    answer = bucket_read(ctx, "GetBucketEncryption", bucket, NO_ENCRYPTION)
    if answer is None:
        evidence["s3:GetBucketEncryption"] = None
        return ()
    rules = (answer.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    evidence["s3:GetBucketEncryption"] = {"Rules": [
        {**pick(r.get("ApplyServerSideEncryptionByDefault") or {}, "SSEAlgorithm", "KMSMasterKeyID"),
         "BucketKeyEnabled": r.get("BucketKeyEnabled")} for r in rules]}
    facts = []
    for index, rule in enumerate(rules):
        default = rule.get("ApplyServerSideEncryptionByDefault")
        algorithm = default.get("SSEAlgorithm", MISSING) if default else MISSING
        key = key_ref(ctx, default.get("KMSMasterKeyID"), evidence) if algorithm in enc_05.KMS_ALGORITHMS \
            else KeyRef(MISSING)
        facts.append(enc_05.EncryptionRule(f"Rules[{index}].ApplyServerSideEncryptionByDefault", algorithm, key))
    return (enc_05.Encryption("GetBucketEncryption", tuple(facts)),)


def _policy_facts(ctx: CheckContext, bucket: str, evidence: dict[str, Any]) -> tuple[enc_05.Policy, ...]:
    answer = bucket_read(ctx, "GetBucketPolicy", bucket, "NoSuchBucketPolicy")
    if answer is None:
        evidence["s3:GetBucketPolicy"] = None
        return ()
    try:
        denials = [pick(s, "Sid", "Effect", "Principal", "Action", "Resource", "NotResource", "Condition")
                   for s in statements(json.loads(answer["Policy"])) if s.get("Effect") == "Deny"]
        evidence["s3:GetBucketPolicy"] = {"DenyStatements": denials}
    except ValueError:
        evidence["s3:GetBucketPolicy"] = {"Policy": answer["Policy"]}
    return (enc_05.Policy("GetBucketPolicy Policy", answer["Policy"]),)


@live_check("ENC-05", "enc-05-s3-default-key-and-tls-policy", resource_type=BUCKET)
def bucket_encryption(ctx: CheckContext):
    def evaluate(bucket: Resource) -> Outcome:
        evidence: dict[str, Any] = {}
        facts = enc_05.Bucket(bucket.name, _encryption_facts(ctx, bucket.name, evidence),
                              _policy_facts(ctx, bucket.name, evidence))
        return verdict_outcome(bucket, enc_05.decide(facts), evidence)

    return ctx.each(buckets(ctx.inventory, ctx.region), evaluate)


def lifecycle_rules(ctx: CheckContext, bucket: str) -> list[dict[str, Any]]:
    """The bucket's enabled lifecycle rules (none when it has no lifecycle configuration)."""
    answer = bucket_read(ctx, "GetBucketLifecycleConfiguration", bucket, NO_LIFECYCLE)
    return [r for r in (answer or {}).get("Rules", []) if r.get("Status") == "Enabled"]


def trail_bucket_names(ctx: CheckContext) -> set[str]:
    """The buckets any trail of the account delivers to (shadow trails included: a trail's home may be elsewhere)."""
    return ctx.inventory.memo.get(("trail_buckets", ctx.region), lambda: {
        t.get("S3BucketName") for t in ctx.call("cloudtrail", "DescribeTrails", includeShadowTrails=True)
        .get("trailList", []) if t.get("S3BucketName")})


def _lifecycle_facts(rules: list[dict[str, Any]]) -> tuple[ret_03.LifecycleRule, ...]:
    facts = []
    for index, rule in enumerate(rules):
        selector = rule.get("Filter") or {}
        both = selector.get("And") or {}
        prefix = next((p for p in (selector.get("Prefix"), both.get("Prefix"), rule.get("Prefix")) if p is not None),
                      MISSING)
        transitions = tuple(ret_03.Transition(t.get("StorageClass", MISSING), t.get("Days", MISSING))
                            for t in rule.get("Transitions") or [])
        noncurrent = (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays", MISSING)
        facts.append(ret_03.LifecycleRule(f"Rules[{index}] ({rule.get('ID', 'no ID')})", rule.get("Status", MISSING),
                                          prefix, bool(selector.get("Tag") or both.get("Tags")), transitions,
                                          noncurrent))
    return tuple(facts)


@live_check("RET-03", "ret-03-s3-versioning-and-archive-lifecycle", resource_type=BUCKET)
def bucket_versioning(ctx: CheckContext):
    glacier_after = int(ctx.parameters.get("glacierAfterDays", 90))

    def evaluate(bucket: Resource) -> Outcome:
        versioning = ctx.call("s3", "GetBucketVersioning", Bucket=bucket.name)
        status = versioning.get("Status")
        answer = bucket_read(ctx, "GetBucketLifecycleConfiguration", bucket.name, NO_LIFECYCLE)
        rules = (answer or {}).get("Rules", [])
        trail_bucket = bucket.name in trail_bucket_names(ctx)
        evidence: dict[str, Any] = {
            "s3:GetBucketVersioning": pick(versioning, "Status"),
            "s3:GetBucketLifecycleConfiguration": {"Rules": [
                pick(r, "ID", "Status", "Filter", "Prefix", "Transitions", "NoncurrentVersionExpiration")
                for r in rules]},
            "cloudtrail:DescribeTrails": {"DeliversToThisBucket": trail_bucket}}
        facts = ret_03.Bucket((ret_03.Versioning("GetBucketVersioning Status", status),) if status else (),
                              _lifecycle_facts(rules), trail_bucket)
        return verdict_outcome(bucket, ret_03.decide(facts, glacier_after), evidence)

    return ctx.each(buckets(ctx.inventory, ctx.region), evaluate)

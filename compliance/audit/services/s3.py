"""S3: buckets and the bucket reads several checks share (encryption, policy, lifecycle); ENC-05 and RET-03."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import as_list, key_problem, pick, statements, verdict, wildcard_principal
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.scope import short_name

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

        def read(bucket: str = name) -> dict[str, str]:
            answer = inventory.aws.call("s3", region, "GetBucketTagging", absent=("NoSuchTagSet",), Bucket=bucket)
            return tag_dict((answer or {}).get("TagSet"))

        yield inventory.keep(BUCKET, region, name, (f"arn:aws:s3:::{name}",), {"Name": name}, read,
                             resource_id=f"arn:aws:s3:::{name}")


def bucket_read(ctx: CheckContext, operation: str, bucket: str, absent: str) -> dict[str, Any] | None:
    """One bucket read, shared by every check that needs it; None when ``absent`` says there is nothing."""
    return ctx.inventory.memo.get((operation, bucket),
                                  lambda: ctx.call("s3", operation, absent=(absent,), Bucket=bucket))


def default_encryption(ctx: CheckContext, bucket: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bucket's first encryption rule and its ApplyServerSideEncryptionByDefault (empty when none)."""
    answer = bucket_read(ctx, "GetBucketEncryption", bucket, NO_ENCRYPTION)
    rules = ((answer or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules", [])
    rule = rules[0] if rules else {}
    return rule, rule.get("ApplyServerSideEncryptionByDefault") or {}


def denies_insecure_transport(policy: dict[str, Any] | None, bucket: str) -> bool:
    """A Deny for every principal on the bucket's objects when aws:SecureTransport is false (ENC-05)."""
    for statement in statements(policy):
        if statement.get("Effect") != "Deny" or not wildcard_principal(statement.get("Principal")):
            continue
        actions = as_list(statement.get("Action"))
        if not any(a in ("*", "s3:*") for a in actions):
            continue
        resources = as_list(statement.get("Resource"))
        if not any(r in (f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}*", "*") for r in resources):
            continue
        if _only_insecure_transport(statement.get("Condition")):
            return True
    return False


def _only_insecure_transport(condition: Any) -> bool:
    """The condition is aws:SecureTransport false and nothing else: any other key narrows the denial."""
    if not isinstance(condition, dict) or not condition:
        return False
    for operator, keys in condition.items():
        if operator not in ("Bool", "BoolIfExists") or not isinstance(keys, dict) or set(keys) != {"aws:SecureTransport"}:
            return False
        if not any(str(v).lower() == "false" for v in as_list(keys["aws:SecureTransport"])):
            return False
    return True


@live_check("ENC-05", "enc-05-s3-default-key-and-tls-policy", resource_type=BUCKET)
def bucket_encryption(ctx: CheckContext):
    def evaluate(bucket: Resource) -> Outcome:
        name = bucket.name
        rule, default = default_encryption(ctx, name)
        policy_answer = bucket_read(ctx, "GetBucketPolicy", name, "NoSuchBucketPolicy")
        policy = json.loads(policy_answer["Policy"]) if policy_answer else None
        evidence: dict[str, Any] = {
            "s3:GetBucketEncryption": {**pick(default, "SSEAlgorithm", "KMSMasterKeyID"),
                                       "BucketKeyEnabled": rule.get("BucketKeyEnabled")},
            "s3:GetBucketPolicy": {"Statement": [pick(s, "Sid", "Effect", "Action", "Condition")
                                                 for s in statements(policy) if s.get("Effect") == "Deny"]},
        }
        problems = []
        if default.get("SSEAlgorithm") not in ("aws:kms", "aws:kms:dsse"):
            problems.append(f"default encryption is {default.get('SSEAlgorithm') or 'not configured'}: "
                            "set SSE-KMS with the S3 key")
        elif problem := key_problem(ctx, default.get("KMSMasterKeyID"), evidence, "default encryption"):
            problems.append(problem)
        if not denies_insecure_transport(policy, name):
            problems.append("the bucket policy does not deny aws:SecureTransport false: add a Deny for non-TLS")
        return verdict(bucket, problems, "SSE-KMS with a customer-managed key by default; non-TLS denied", evidence)

    return ctx.each(buckets(ctx.inventory, ctx.region), evaluate)


def is_raw_archive(bucket_name: str) -> bool:
    """The raw telemetry archive: the bucket whose purpose says ``raw`` (``s3-raw-archive-<account>-dev``)."""
    return "raw" in short_name(bucket_name).split("-")


def lifecycle_rules(ctx: CheckContext, bucket: str) -> list[dict[str, Any]]:
    """The bucket's enabled lifecycle rules (none when it has no lifecycle configuration)."""
    answer = bucket_read(ctx, "GetBucketLifecycleConfiguration", bucket, NO_LIFECYCLE)
    return [r for r in (answer or {}).get("Rules", []) if r.get("Status") == "Enabled"]


def archive_lifecycle_problems(rules: list[dict[str, Any]], glacier_after: int) -> list[str]:
    transitions = [t for r in rules for t in r.get("Transitions", [])]
    problems = []
    if not any(t.get("StorageClass") == "INTELLIGENT_TIERING" for t in transitions):
        problems.append("no enabled transition to INTELLIGENT_TIERING: add one")
    glacier = [t.get("Days") for t in transitions if t.get("StorageClass") in ("GLACIER", "DEEP_ARCHIVE")]
    if not any(days is not None and days <= glacier_after for days in glacier):
        problems.append(f"no enabled transition to GLACIER within {glacier_after} days (found {glacier or 'none'}): "
                        f"add one at {glacier_after} days")
    if not any(r.get("NoncurrentVersionExpiration") for r in rules):
        problems.append("noncurrent versions never expire: add a NoncurrentVersionExpiration")
    return problems


@live_check("RET-03", "ret-03-s3-versioning-and-archive-lifecycle", resource_type=BUCKET)
def bucket_versioning(ctx: CheckContext):
    glacier_after = int(ctx.parameters.get("glacierAfterDays", 90))

    def evaluate(bucket: Resource) -> Outcome:
        versioning = ctx.call("s3", "GetBucketVersioning", Bucket=bucket.name)
        evidence: dict[str, Any] = {"s3:GetBucketVersioning": pick(versioning, "Status")}
        problems = [] if versioning.get("Status") == "Enabled" else [
            f"versioning is {versioning.get('Status') or 'never enabled'}: enable it"]
        passed = "versioning enabled"
        if is_raw_archive(bucket.name):
            rules = lifecycle_rules(ctx, bucket.name)
            evidence["s3:GetBucketLifecycleConfiguration"] = {"Rules": [
                pick(r, "ID", "Status", "Transitions", "NoncurrentVersionExpiration") for r in rules]}
            problems += archive_lifecycle_problems(rules, glacier_after)
            passed += f"; raw archive tiers to INTELLIGENT_TIERING and GLACIER within {glacier_after} days"
        return verdict(bucket, problems, passed, evidence)

    return ctx.each(buckets(ctx.inventory, ctx.region), evaluate)

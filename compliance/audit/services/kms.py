"""KMS: the customer-managed keys themselves; KMS-01 (rotation), KMS-02 (one key per service), KMS-03 (policy).

The key reads every encryption check shares (DescribeKey, ListAliases) are
``Inventory.key``/``aliases``/``aws_alias_of``. KMS-02 reads the key reference
of every audited resource, so this module imports every service's listing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import is_aws_managed_alias, pick, statements, verdict, wildcard_principal
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.cloudtrail import trails
from compliance.audit.services.dynamodb import tables
from compliance.audit.services.elasticache import replication_groups
from compliance.audit.services.kinesis import streams
from compliance.audit.services.lambda_ import functions
from compliance.audit.services.logs import log_groups
from compliance.audit.services.rds import clusters
from compliance.audit.services.s3 import buckets, default_encryption
from compliance.audit.services.secretsmanager import describe_secret, secrets
from compliance.audit.services.sqs import queues
from compliance.findings import ResourceRef

KEY = "aws:kms/key:Key"
PENDING_DELETION = ("PendingDeletion", "PendingReplicaDeletion")


@listing(KEY)
def keys(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Customer-managed keys not pending deletion, with their KeyMetadata and own (not alias/aws/*) aliases.

    A key is named by its first own alias, else its Name tag, else its id.
    """
    aliases = inventory.aliases(region)
    for listed in inventory.aws.pages("kms", region, "ListKeys", "Keys"):
        meta = inventory.key(region, listed["KeyArn"])
        if meta.get("KeyManager") != "CUSTOMER" or meta.get("KeyState") in PENDING_DELETION:
            continue
        own = sorted(a for a in aliases.get(meta["KeyId"], []) if not a.startswith("alias/aws/"))

        def read(key_id: str = meta["KeyId"]) -> dict[str, str]:
            pairs = list(inventory.aws.pages("kms", region, "ListResourceTags", "Tags", KeyId=key_id))
            return tag_dict(pairs, "TagKey", "TagValue")

        tags, gap = inventory.tags(read, meta["Arn"], meta["KeyId"])
        name = (own[0].removeprefix("alias/") if own else (tags or {}).get("Name", meta["KeyId"]))
        ids = (meta["Arn"], meta["KeyId"], *own)
        if inventory.scope.decide(name, ids, tags):
            ref = ResourceRef(id=meta["Arn"], type=KEY, name=name, region=region)
            yield Resource(ref, {**meta, "Aliases": own}, tags, tags_gap=gap)


@live_check("KMS-01", "kms-01-key-rotation", resource_type=KEY)
def rotation(ctx: CheckContext):
    def evaluate(key: Resource) -> Outcome:
        status = ctx.call("kms", "GetKeyRotationStatus", KeyId=key.data["KeyId"])
        evidence = {"kms:GetKeyRotationStatus": pick(status, "KeyRotationEnabled", "RotationPeriodInDays")}
        problems = [] if status.get("KeyRotationEnabled") else ["automatic rotation is off: enable key rotation"]
        return verdict(key, problems, "automatic rotation enabled", evidence)

    return ctx.each(keys(ctx.inventory, ctx.region), evaluate)


def key_users(ctx: CheckContext) -> dict[str, set[str]]:
    """Key ARN -> the services whose in-scope resources are configured with it.

    Lambda environments and SQS queues share one key by design (ENC-09), and a
    bucket that a trail writes to belongs to CloudTrail, not to the S3 archive.
    """
    inv, region = ctx.inventory, ctx.region
    trail_buckets = {t.data.get("S3BucketName") for t in trails(inv, region)}
    references: list[tuple[str, str | None]] = []
    references += [("kinesis", s.data.get("KeyId")) for s in streams(inv, region)]
    references += [("aurora", c.data.get("KmsKeyId")) for c in clusters(inv, region)]
    references += [("elasticache", g.data.get("KmsKeyId")) for g in replication_groups(inv, region)]
    references += [("secretsmanager", describe_secret(ctx, s.id).get("KmsKeyId")) for s in secrets(inv, region)]
    references += [("dynamodb", (t.data.get("SSEDescription") or {}).get("KMSMasterKeyArn"))
                   for t in tables(inv, region)]
    references += [("logs", g.data.get("kmsKeyId")) for g in log_groups(inv, region)]
    references += [("cloudtrail", t.data.get("KmsKeyId")) for t in trails(inv, region)]
    references += [("lambda/sqs", f.data.get("KMSKeyArn")) for f in functions(inv, region)]
    references += [("lambda/sqs", q.data.get("KmsMasterKeyId")) for q in queues(inv, region)]
    for bucket in buckets(inv, region):
        _, default = default_encryption(ctx, bucket.name)
        service = "cloudtrail" if bucket.name in trail_buckets else "s3"
        references.append((service, default.get("KMSMasterKeyID")))
    users: dict[str, set[str]] = defaultdict(set)
    for service, key_ref in references:
        if key_ref and not is_aws_managed_alias(key_ref):
            users[inv.key(region, key_ref)["Arn"]].add(service)
    return users


@live_check("KMS-02", "kms-02-one-key-per-service", resource_type=KEY)
def one_key_per_service(ctx: CheckContext):
    users = key_users(ctx)

    def evaluate(key: Resource) -> Outcome:
        services = sorted(users.get(key.id, ()))
        evidence = {"configuredBy": services}
        if not services:
            return Outcome(key.ref, "not_applicable", f"{key.name}: no audited resource is configured with this key",
                           evidence)
        problems = [f"shared by {', '.join(services)}: give each service its own key"] if len(services) > 1 else []
        return verdict(key, problems, f"used by one service ({services[0]})", evidence)

    return ctx.each(keys(ctx.inventory, ctx.region), evaluate)


@live_check("KMS-03", "kms-03-key-policy-principals", resource_type=KEY)
def key_policy(ctx: CheckContext):
    def evaluate(key: Resource) -> Outcome:
        answer = ctx.call("kms", "GetKeyPolicy", KeyId=key.data["KeyId"], PolicyName="default")
        document: dict[str, Any] = json.loads(answer["Policy"])
        open_statements = [s.get("Sid", f"#{i}") for i, s in enumerate(statements(document))
                           if s.get("Effect") == "Allow" and wildcard_principal(s.get("Principal"))
                           and not s.get("Condition")]
        evidence = {"kms:GetKeyPolicy": {"Statement": [pick(s, "Sid", "Effect", "Principal", "Condition")
                                                       for s in statements(document)]}}
        problems = [f"statements {', '.join(map(str, open_statements))} allow any principal without a condition: "
                    "name the account root and service principals"] if open_statements else []
        return verdict(key, problems, "no unconditioned wildcard principal (the deletion window is only set when a "
                       "deletion is scheduled, so the preview and static layers check it)", evidence)

    return ctx.each(keys(ctx.inventory, ctx.region), evaluate)

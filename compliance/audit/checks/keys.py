"""KMS-01..KMS-03: the customer-managed keys themselves: rotation, one key per service, key policies."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from compliance.audit.checks.common import is_aws_managed_alias, pick, statements, verdict, wildcard_principal
from compliance.audit.checks.encryption import bucket_read, describe_secret
from compliance.audit.inventory import KEY, Resource
from compliance.audit.registry import CheckContext, Outcome, live_check


@live_check("KMS-01", "kms-01-key-rotation", resource_type=KEY)
def rotation(ctx: CheckContext):
    def evaluate(key: Resource) -> Outcome:
        status = ctx.call("kms", "GetKeyRotationStatus", KeyId=key.data["KeyId"])
        evidence = {"kms:GetKeyRotationStatus": pick(status, "KeyRotationEnabled", "RotationPeriodInDays")}
        problems = [] if status.get("KeyRotationEnabled") else ["automatic rotation is off: enable key rotation"]
        return verdict(key, problems, "automatic rotation enabled", evidence)

    return ctx.each(ctx.inventory.keys(ctx.region), evaluate)


def key_users(ctx: CheckContext) -> dict[str, set[str]]:
    """Key ARN -> the services whose in-scope resources are configured with it.

    Lambda environments and SQS queues share one key by design (ENC-09), and a
    bucket that a trail writes to belongs to CloudTrail, not to the S3 archive.
    """
    inv, region = ctx.inventory, ctx.region
    trail_buckets = {t.data.get("S3BucketName") for t in inv.trails(region)}
    references: list[tuple[str, str | None]] = []
    references += [("kinesis", s.data.get("KeyId")) for s in inv.streams(region)]
    references += [("aurora", c.data.get("KmsKeyId")) for c in inv.clusters(region)]
    references += [("elasticache", g.data.get("KmsKeyId")) for g in inv.replication_groups(region)]
    references += [("secretsmanager", describe_secret(ctx, s.id).get("KmsKeyId")) for s in inv.secrets(region)]
    references += [("dynamodb", (t.data.get("SSEDescription") or {}).get("KMSMasterKeyArn"))
                   for t in inv.tables(region)]
    references += [("logs", g.data.get("kmsKeyId")) for g in inv.log_groups(region)]
    references += [("cloudtrail", t.data.get("KmsKeyId")) for t in inv.trails(region)]
    references += [("lambda/sqs", f.data.get("KMSKeyArn")) for f in inv.functions(region)]
    references += [("lambda/sqs", q.data.get("KmsMasterKeyId")) for q in inv.queues(region)]
    for bucket in inv.buckets(region):
        answer = bucket_read(ctx, "GetBucketEncryption", bucket.name, "ServerSideEncryptionConfigurationNotFoundError")
        rules = ((answer or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules", [])
        default = (rules[0] if rules else {}).get("ApplyServerSideEncryptionByDefault") or {}
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

    return ctx.each(ctx.inventory.keys(ctx.region), evaluate)


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

    return ctx.each(ctx.inventory.keys(ctx.region), evaluate)

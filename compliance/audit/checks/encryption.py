"""ENC-01..ENC-10: encryption at rest with customer-managed keys, and in transit, as deployed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from compliance.audit.checks.common import as_list, key_problem, pick, statements, verdict, wildcard_principal
from compliance.audit.inventory import (
    BUCKET,
    CLUSTER,
    FUNCTION,
    LOG_GROUP,
    QUEUE,
    REPLICATION_GROUP,
    SECRET,
    STREAM,
    TABLE,
    TRAIL,
    Resource,
)
from compliance.audit.registry import CheckContext, Outcome, live_check


@live_check("ENC-01", "enc-01-kinesis-stream-key", resource_type=STREAM)
def kinesis_streams(ctx: CheckContext):
    def evaluate(stream: Resource) -> Outcome:
        evidence: dict[str, Any] = {"kinesis:DescribeStreamSummary": pick(stream.data, "EncryptionType", "KeyId")}
        problems = []
        if stream.data.get("EncryptionType") != "KMS":
            problems.append(f"EncryptionType is {stream.data.get('EncryptionType')}: start stream encryption "
                            "with the Kinesis key")
        elif problem := key_problem(ctx, stream.data.get("KeyId"), evidence, "the stream"):
            problems.append(problem)
        return verdict(stream, problems, "encrypted with a customer-managed KMS key", evidence)

    return ctx.each(ctx.inventory.streams(ctx.region), evaluate)


@live_check("ENC-02", "enc-02-aurora-storage-key", resource_type=CLUSTER)
def aurora_storage(ctx: CheckContext):
    def evaluate(cluster: Resource) -> Outcome:
        evidence: dict[str, Any] = {"rds:DescribeDBClusters": pick(cluster.data, "StorageEncrypted", "KmsKeyId")}
        problems = []
        if not cluster.data.get("StorageEncrypted"):
            problems.append("storage is not encrypted: recreate the cluster with storageEncrypted and the Aurora key")
        elif problem := key_problem(ctx, cluster.data.get("KmsKeyId"), evidence, "the storage"):
            problems.append(problem)
        return verdict(cluster, problems, "storage encrypted with a customer-managed KMS key", evidence)

    return ctx.each(ctx.inventory.clusters(ctx.region), evaluate)


@live_check("ENC-03", "enc-03-redis-encryption-and-auth", resource_type=REPLICATION_GROUP)
def redis_encryption(ctx: CheckContext):
    def evaluate(group: Resource) -> Outcome:
        data = group.data
        evidence: dict[str, Any] = {"elasticache:DescribeReplicationGroups": pick(
            data, "AtRestEncryptionEnabled", "KmsKeyId", "TransitEncryptionEnabled", "TransitEncryptionMode",
            "AuthTokenEnabled", "UserGroupIds")}
        problems = []
        if not data.get("AtRestEncryptionEnabled"):
            problems.append("at-rest encryption is off: recreate with atRestEncryptionEnabled and the ElastiCache key")
        elif problem := key_problem(ctx, data.get("KmsKeyId"), evidence, "at-rest encryption"):
            problems.append(problem)
        if not data.get("TransitEncryptionEnabled") or data.get("TransitEncryptionMode") == "preferred":
            problems.append("in-transit encryption is not required: set transitEncryptionEnabled (mode required)")
        if not data.get("AuthTokenEnabled") and not data.get("UserGroupIds"):
            problems.append("no AUTH token and no RBAC user group: set an authToken or user groups")
        return verdict(group, problems, "encrypted at rest (customer-managed key) and in transit, AUTH on", evidence)

    return ctx.each(ctx.inventory.replication_groups(ctx.region), evaluate)


def describe_secret(ctx: CheckContext, arn: str) -> dict[str, Any]:
    return ctx.inventory.memo.get(("DescribeSecret", arn),
                                  lambda: ctx.call("secretsmanager", "DescribeSecret", SecretId=arn))


@live_check("ENC-04", "enc-04-secret-key", resource_type=SECRET)
def secrets(ctx: CheckContext):
    def evaluate(secret: Resource) -> Outcome:
        described = describe_secret(ctx, secret.id)
        evidence: dict[str, Any] = {"secretsmanager:DescribeSecret": pick(described, "KmsKeyId")}
        problems = []
        if problem := key_problem(ctx, described.get("KmsKeyId"), evidence, "the secret"):
            problems.append(problem)
        return verdict(secret, problems, "encrypted with a customer-managed KMS key", evidence)

    return ctx.each(ctx.inventory.secrets(ctx.region), evaluate)


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


def bucket_read(ctx: CheckContext, operation: str, bucket: str, absent: str) -> dict[str, Any] | None:
    return ctx.inventory.memo.get((operation, bucket),
                                  lambda: ctx.call("s3", operation, absent=(absent,), Bucket=bucket))


@live_check("ENC-05", "enc-05-s3-default-key-and-tls-policy", resource_type=BUCKET)
def buckets(ctx: CheckContext):
    def evaluate(bucket: Resource) -> Outcome:
        name = bucket.name
        encryption = bucket_read(ctx, "GetBucketEncryption", name, "ServerSideEncryptionConfigurationNotFoundError")
        rules = ((encryption or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules", [])
        default = (rules[0] if rules else {}).get("ApplyServerSideEncryptionByDefault") or {}
        policy_answer = bucket_read(ctx, "GetBucketPolicy", name, "NoSuchBucketPolicy")
        policy = json.loads(policy_answer["Policy"]) if policy_answer else None
        evidence: dict[str, Any] = {
            "s3:GetBucketEncryption": {**pick(default, "SSEAlgorithm", "KMSMasterKeyID"),
                                       "BucketKeyEnabled": (rules[0] if rules else {}).get("BucketKeyEnabled")},
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

    return ctx.each(ctx.inventory.buckets(ctx.region), evaluate)


@live_check("ENC-06", "enc-06-dynamodb-table-key", resource_type=TABLE)
def tables(ctx: CheckContext):
    def evaluate(table: Resource) -> Outcome:
        sse = table.data.get("SSEDescription") or {}
        evidence: dict[str, Any] = {"dynamodb:DescribeTable": {"SSEDescription": pick(
            sse, "Status", "SSEType", "KMSMasterKeyArn")}}
        problems = []
        if sse.get("Status") not in ("ENABLED", "UPDATING") or sse.get("SSEType") != "KMS":
            problems.append("encrypted with the AWS-owned key: set server-side encryption with the DynamoDB key")
        elif problem := key_problem(ctx, sse.get("KMSMasterKeyArn"), evidence, "the table"):
            problems.append(problem)
        return verdict(table, problems, "encrypted with a customer-managed KMS key", evidence)

    return ctx.each(ctx.inventory.tables(ctx.region), evaluate)


def customer_key_on(ctx: CheckContext, resources: Iterable[Resource], api: str, key_field: str, subject: str, *,
                    passed: str = "encrypted with a customer-managed KMS key", shown: tuple[str, ...] = ()):
    """The check for resources whose one requirement is that the key in ``key_field`` is customer-managed."""

    def evaluate(resource: Resource) -> Outcome:
        evidence: dict[str, Any] = {api: pick(resource.data, key_field, *shown)}
        problem = key_problem(ctx, resource.data.get(key_field), evidence, subject)
        return verdict(resource, [problem] if problem else [], passed, evidence)

    return ctx.each(resources, evaluate)


@live_check("ENC-07", "enc-07-log-group-key", resource_type=LOG_GROUP)
def log_groups(ctx: CheckContext):
    return customer_key_on(ctx, ctx.inventory.log_groups(ctx.region), "logs:DescribeLogGroups", "kmsKeyId",
                           "the log group")


@live_check("ENC-08", "enc-08-cloudtrail-key", resource_type=TRAIL)
def trails(ctx: CheckContext):
    return customer_key_on(ctx, ctx.inventory.trails(ctx.region), "cloudtrail:DescribeTrails", "KmsKeyId",
                           "the trail's log files", passed="log files encrypted with a customer-managed KMS key")


@live_check("ENC-09", "enc-09-lambda-environment-key", resource_type=FUNCTION)
def functions(ctx: CheckContext):
    return customer_key_on(ctx, ctx.inventory.functions(ctx.region), "lambda:ListFunctions", "KMSKeyArn",
                           "the environment", passed="environment encrypted with a customer-managed KMS key")


@live_check("ENC-09", "enc-09-sqs-queue-key", resource_type=QUEUE)
def queues(ctx: CheckContext):
    return customer_key_on(ctx, ctx.inventory.queues(ctx.region), "sqs:GetQueueAttributes", "KmsMasterKeyId",
                           "the queue", shown=("SqsManagedSseEnabled",))


@live_check("ENC-10", "enc-10-aurora-force-ssl", resource_type=CLUSTER)
def aurora_tls(ctx: CheckContext):
    def evaluate(cluster: Resource) -> Outcome:
        group = cluster.data.get("DBClusterParameterGroup")
        parameters = ctx.inventory.memo.get(("DescribeDBClusterParameters", ctx.region, group), lambda: list(
            ctx.aws.pages("rds", ctx.region, "DescribeDBClusterParameters", "Parameters",
                          DBClusterParameterGroupName=group)))
        force_ssl = next((p for p in parameters if p.get("ParameterName") == "rds.force_ssl"), {})
        evidence = {"rds:DescribeDBClusters": {"DBClusterParameterGroup": group},
                    "rds:DescribeDBClusterParameters": pick(force_ssl, "ParameterName", "ParameterValue", "Source")}
        problems = []
        if str(force_ssl.get("ParameterValue")) != "1":
            problems.append(f"rds.force_ssl is {force_ssl.get('ParameterValue', 'not set')} in parameter group "
                            f"{group}: set it to 1")
        return verdict(cluster, problems, f"rds.force_ssl=1 in parameter group {group}", evidence)

    return ctx.each(ctx.inventory.clusters(ctx.region), evaluate)

"""ENC-01 .. ENC-04, ENC-06 .. ENC-09: data at rest under customer-managed keys (ENC-05 and ENC-10: own modules)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.keyrefs import key_problem, resource_key_problem
from rules.model import Resource
from rules.registry import NotApplicable, Registry, Undecided
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup, truthy

registry = Registry()


def _flag(resource: Resource, path: str, fix: str) -> Iterator[str | Undecided]:
    """A boolean setting that must be true: absent or false is a violation, unknown is undecided."""
    value = resource.lookup(path)
    if value is UNKNOWN:
        yield Undecided(path)
    elif not truthy(value):
        yield f"{path} is {describe(value)}: {fix}"


@registry.resource("ENC-01", "kinesis-customer-managed-key",
                   "Kinesis streams encrypt with a customer-managed KMS key.", [t.KINESIS_STREAM])
def kinesis_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    problem = resource_key_problem(r, "kmsKeyId", "the ARN of the stream's customer-managed key")
    if problem:
        yield problem
    encryption = r.lookup("encryptionType")
    if encryption is UNKNOWN:
        yield Undecided("encryptionType")
    elif str(encryption).upper() != "KMS":
        yield f"encryptionType is {describe(encryption)}: set encryptionType to \"KMS\" with kmsKeyId."


@registry.resource("ENC-02", "aurora-customer-managed-key",
                   "Aurora cluster storage is encrypted with a customer-managed KMS key.", [t.RDS_CLUSTER])
def aurora_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    problem = resource_key_problem(r, "kmsKeyId", "the ARN of the Aurora key")
    if problem:
        yield problem
    yield from _flag(r, "storageEncrypted", "set storageEncrypted to true.")


@registry.resource("ENC-03", "redis-encryption-and-auth",
                   "Redis encrypts at rest with a customer-managed key and in transit, and requires AUTH.",
                   [t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_CLUSTER, t.ELASTICACHE_SERVERLESS])
def redis_encryption_and_auth(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    engine = r.lookup("engine")
    if engine is UNKNOWN:
        yield Undecided("engine")
        return
    if isinstance(engine, str) and engine.lower() == "memcached":
        raise NotApplicable("memcached is not Redis; ENC-03 covers Redis and Valkey")
    if r.type == t.ELASTICACHE_CLUSTER:
        if r.lookup("replicationGroupId") is MISSING:
            yield ("a stand-alone Redis cluster cannot encrypt at rest: create an "
                   "aws.elasticache.ReplicationGroup with atRestEncryptionEnabled, kmsKeyId, "
                   "transitEncryptionEnabled and an authToken instead.")
        else:
            raise NotApplicable("a member of a replication group; the group carries the encryption settings")
        return
    problem = resource_key_problem(r, "kmsKeyId", "the ARN of the ElastiCache key")
    if problem:
        yield problem
    if r.type == t.ELASTICACHE_SERVERLESS:
        if r.lookup("userGroupId") is MISSING:
            yield "userGroupId is not set, so clients connect without AUTH: set userGroupId to an RBAC user group."
        return
    yield from _flag(r, "atRestEncryptionEnabled", "set atRestEncryptionEnabled to true.")
    yield from _flag(r, "transitEncryptionEnabled", "set transitEncryptionEnabled to true.")
    mode = r.lookup("transitEncryptionMode")  # absent: "required" (AWS's default with transit encryption on)
    if mode is UNKNOWN:
        yield Undecided("transitEncryptionMode")
    elif mode is not MISSING and str(mode).lower() != "required":
        yield (f"transitEncryptionMode is {describe(mode)}, so clients may still connect in plain text: "
               "set transitEncryptionMode to \"required\" (or leave it unset).")
    if not _given(r.lookup("authToken")) and not any(_given(g) for g in as_list(r.lookup("userGroupIds"))):
        yield ("neither authToken nor userGroupIds is set, so clients connect without AUTH: "
               "set authToken (from Secrets Manager) or userGroupIds.")


def _given(value: Any) -> bool:
    """Set to something: unknown until apply counts, an empty string does not."""
    return value is UNKNOWN or (value is not MISSING and value != "" and value is not None)


@registry.resource("ENC-04", "secret-customer-managed-key",
                   "Secrets Manager secrets encrypt with a customer-managed KMS key.", [t.SECRET])
def secret_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    problem = resource_key_problem(r, "kmsKeyId", "the ARN of the Secrets Manager key")
    if problem:
        yield problem


@registry.resource("ENC-04", "rds-managed-secret-customer-managed-key",
                   "The master-password secret that RDS manages encrypts with a customer-managed KMS key.",
                   [t.RDS_CLUSTER, t.RDS_INSTANCE])
def rds_managed_secret_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    managed = r.lookup("manageMasterUserPassword")
    if managed is UNKNOWN:
        yield Undecided("manageMasterUserPassword")
        return
    if not truthy(managed):
        raise NotApplicable("RDS does not manage the master password in Secrets Manager (see IAM-04)")
    problem = resource_key_problem(r, "masterUserSecretKmsKeyId", "the ARN of the Secrets Manager key")
    if problem:
        yield problem


@registry.resource("ENC-06", "dynamodb-customer-managed-key",
                   "DynamoDB tables encrypt with a customer-managed KMS key.", [t.DYNAMODB_TABLE])
def dynamodb_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    sse = r.lookup("serverSideEncryption")
    if sse is UNKNOWN:
        yield Undecided("serverSideEncryption")
        return
    if sse is MISSING:
        yield ("serverSideEncryption is not set, so the table uses an AWS-owned key: set "
               "serverSideEncryption {enabled: true, kmsKeyArn: <the DynamoDB key ARN>}.")
        return
    yield from _flag(r, "serverSideEncryption.enabled", "set serverSideEncryption.enabled to true with kmsKeyArn.")
    problem = key_problem(lookup(sse, "kmsKeyArn"), "serverSideEncryption.kmsKeyArn", "the ARN of the DynamoDB key")
    if problem:
        yield problem


@registry.resource("ENC-07", "log-group-customer-managed-key",
                   "CloudWatch log groups encrypt with a customer-managed KMS key.", [t.LOG_GROUP])
def log_group_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    problem = resource_key_problem(r, "kmsKeyId", "the ARN of the CloudWatch Logs key")
    if problem:
        yield problem


@registry.resource("ENC-08", "cloudtrail-customer-managed-key",
                   "CloudTrail log files encrypt with a customer-managed KMS key.", [t.TRAIL])
def cloudtrail_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    problem = resource_key_problem(r, "kmsKeyId", "the ARN of the CloudTrail key")
    if problem:
        yield problem


@registry.resource("ENC-09", "lambda-environment-customer-managed-key",
                   "Lambda environment variables encrypt with a customer-managed KMS key.", [t.LAMBDA_FUNCTION])
def lambda_environment_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    variables = r.lookup("environment.variables")
    if variables is MISSING or variables == {}:
        raise NotApplicable("the function has no environment variables")
    problem = resource_key_problem(r, "kmsKeyArn", "the ARN of the Lambda/SQS key")
    if problem:
        yield problem


@registry.resource("ENC-09", "sqs-customer-managed-key",
                   "SQS queues encrypt with a customer-managed KMS key.", [t.SQS_QUEUE])
def sqs_customer_managed_key(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    problem = resource_key_problem(r, "kmsMasterKeyId", "the ARN of the Lambda/SQS key")
    if problem:
        yield problem

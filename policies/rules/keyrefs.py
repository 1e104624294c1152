"""Where resources name their KMS key, and whether a key reference is customer-managed.

Shared by the ENC-xx policies (is the key customer-managed?) and the KMS-02
stack policies (which service uses which key; does the reference resolve to a
key of this stack?).
"""

from __future__ import annotations

from typing import Any

from controls.keys import CUSTOMER, KeyRef
from rules import types as t
from rules.model import Resource, StackView
from rules.values import MISSING, UNKNOWN, describe, lookup

# type -> [(top-level input carrying the key, dotted path to the key inside it, service)].
# The service is the unit of KMS-02's "one key per service": the Lambda function and
# its dead-letter queue form one service (the processing key), and the secret that
# RDS manages for the master password belongs to Secrets Manager.
KEY_CONSUMERS: dict[str, list[tuple[str, str, str]]] = {
    t.KINESIS_STREAM: [("kmsKeyId", "kmsKeyId", "kinesis")],
    t.RDS_CLUSTER: [("kmsKeyId", "kmsKeyId", "rds"),
                    ("performanceInsightsKmsKeyId", "performanceInsightsKmsKeyId", "rds"),
                    ("masterUserSecretKmsKeyId", "masterUserSecretKmsKeyId", "secretsmanager")],
    t.RDS_INSTANCE: [("kmsKeyId", "kmsKeyId", "rds"),
                     ("masterUserSecretKmsKeyId", "masterUserSecretKmsKeyId", "secretsmanager")],
    t.ELASTICACHE_REPLICATION_GROUP: [("kmsKeyId", "kmsKeyId", "elasticache")],
    t.ELASTICACHE_SERVERLESS: [("kmsKeyId", "kmsKeyId", "elasticache")],
    t.SECRET: [("kmsKeyId", "kmsKeyId", "secretsmanager")],
    t.S3_SSE: [("rules", "rules", "s3")],
    t.S3_SSE_V2: [("rules", "rules", "s3")],
    t.DYNAMODB_TABLE: [("serverSideEncryption", "serverSideEncryption.kmsKeyArn", "dynamodb")],
    t.LOG_GROUP: [("kmsKeyId", "kmsKeyId", "logs")],
    t.TRAIL: [("kmsKeyId", "kmsKeyId", "cloudtrail")],
    t.LAMBDA_FUNCTION: [("kmsKeyArn", "kmsKeyArn", "lambda-sqs")],
    t.SQS_QUEUE: [("kmsMasterKeyId", "kmsMasterKeyId", "lambda-sqs")],
}

AWS_MANAGED_MARK = "alias/aws/"


def aws_managed(value: Any) -> bool:
    return isinstance(value, str) and AWS_MANAGED_MARK in value


def key_problem(value: Any, setting: str, which: str) -> str | None:
    """Why a key reference is not a customer-managed key, or None.

    Present-but-unknown is compliant: during a first preview the ARN of a key
    created in the same stack is not known yet. Absent is a violation.
    """
    if value is UNKNOWN:
        return None
    if value is MISSING or value == "":
        return f"{setting} is not set, so the AWS-managed key is used: set {setting} to {which}."
    if not isinstance(value, str):
        return f"{setting} is {describe(value)}, not a key ARN: set {setting} to {which}."
    if aws_managed(value):
        return f"{setting} is {value!r}, an AWS-managed key: set {setting} to {which}."
    return None


KEY_TYPES = (t.KMS_KEY, t.KMS_ALIAS)


def urn_type(urn: str) -> str:
    """The type token a URN names (``urn:pulumi:<stack>::<project>::<qualified type>::<name>``)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def key_ref(resource: Resource, prop: str, value: Any = MISSING, stack: StackView | None = None) -> KeyRef:
    """The key ``resource`` names in input ``prop`` (``value`` when it sits deeper, e.g. inside ``rules``).

    A key or alias declared in this stack is customer-managed: when the input was
    computed from one (its property dependencies, visible to resource policies too,
    name its type) or, with the stack at hand, names one by its literal alias name
    or ARN. Anything else is left unresolved for the decision (``controls.keys``).
    """
    value = resource.lookup(prop) if value is MISSING else value
    if any(urn_type(urn) in KEY_TYPES for urn in resource.property_dependencies.get(prop, [])):
        return KeyRef(value, CUSTOMER)
    if stack is not None and isinstance(value, str) and value:
        for declared in stack.of_type(*KEY_TYPES):
            names = {lookup(declared.props, "name"), lookup(declared.props, "arn")}
            if value in {n for n in names if isinstance(n, str)} or \
                    any(isinstance(n, str) and n.startswith("alias/") and value.endswith(f":{n}") for n in names):
                return KeyRef(value, CUSTOMER)
    return KeyRef(value)

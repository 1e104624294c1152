"""KMS-01/02/03: one customer-managed key per service, each with an alias.

Every key rotates yearly, has a 7-day deletion window (the shortest, so a
destroyed stack does not linger) and a key policy that names only the account
root (which delegates to IAM, where the function and service roles get
key-by-key grants) and the service principals that must use the key directly:
CloudWatch Logs for the logs key, CloudTrail for the trail key. The root is
granted an explicit list of actions, not ``kms:*``.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from naming import Naming
from policy_documents import document, statement

SERVICES = ("kinesis", "aurora", "elasticache", "secretsmanager", "s3", "dynamodb", "logs", "cloudtrail", "lambda")

DELETION_WINDOW_DAYS = 7

# What the account (and, through it, IAM policies) may do with a key: administer it and use it.
ROOT_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
    "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
    "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:RetireGrant",
]

PURPOSE = {
    "kinesis": "Kinesis telemetry stream",
    "aurora": "Aurora PostgreSQL storage",
    "elasticache": "ElastiCache Redis at rest",
    "secretsmanager": "Secrets Manager secrets (Aurora master, Redis AUTH)",
    "s3": "S3 raw telemetry archive",
    "dynamodb": "DynamoDB tables",
    "logs": "CloudWatch Logs log groups",
    "cloudtrail": "CloudTrail log files and the trail bucket",
    "lambda": "Lambda environment variables and the SQS dead-letter queue",
}


class Keys(pulumi.ComponentResource):
    """``keys[service]`` is the service's key; ``arns[service]`` its ARN."""

    def __init__(self, name: str, naming: Naming, ctx: AwsContext, trail_name: str,
                 opts: pulumi.ResourceOptions | None = None, *, event_delivery: bool = False) -> None:
        """``event_delivery``: EventBridge may encrypt with the Lambda/SQS key (the compliance auditor's queue)."""
        super().__init__("iot-sensor-platform:keys:Keys", name, None, opts)
        self.keys: dict[str, aws.kms.Key] = {}
        self.aliases: dict[str, aws.kms.Alias] = {}
        for service in SERVICES:
            key = aws.kms.Key(
                service,
                description=f"{PURPOSE[service]} ({naming.suffix})",
                enable_key_rotation=True,
                deletion_window_in_days=DELETION_WINDOW_DAYS,
                policy=document(*self._policy(service, ctx, trail_name, event_delivery)),
                tags=naming.tags(naming.name("kms", service)),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.keys[service] = key
            self.aliases[service] = aws.kms.Alias(
                service,
                name=naming.alias(service),
                target_key_id=key.key_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.arns = {service: key.arn for service, key in self.keys.items()}
        self.register_outputs({"keyArns": self.arns})

    @staticmethod
    def _policy(service: str, ctx: AwsContext, trail_name: str, event_delivery: bool) -> list[dict[str, Any]]:
        root = ctx.arn("iam", "root", region="")
        statements = [statement("AccountAdministersAndDelegatesToIam", ROOT_ACTIONS, "*",
                                principal={"AWS": root})]
        if service == "logs":
            statements.append(statement(
                "CloudWatchLogsEncryptsThisAccountsLogGroups",
                ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "*",
                principal={"Service": ctx.regional_service_principal("logs")},
                condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", "log-group:*")}},
            ))
        if service == "lambda" and event_delivery:  # the compliance auditor's queue: EventBridge encrypts into it
            statements.append(statement(
                "EventBridgeDeliversToThisAccountsQueues", ["kms:GenerateDataKey", "kms:Decrypt"], "*",
                principal={"Service": "events.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            ))
        if service == "cloudtrail":
            trail_arn = ctx.arn("cloudtrail", f"trail/{trail_name}")
            statements.append(statement(
                "CloudTrailEncryptsThisTrailsLogs",
                ["kms:GenerateDataKey*"],
                "*",
                principal={"Service": "cloudtrail.amazonaws.com"},
                condition={
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                   ctx.arn("cloudtrail", "trail/*", region="*")},
                },
            ))
            statements.append(statement(
                "CloudTrailDescribesThisKey", ["kms:DescribeKey"], "*",
                principal={"Service": "cloudtrail.amazonaws.com"},
                condition={"StringEquals": {"aws:SourceArn": trail_arn}},
            ))
        return statements

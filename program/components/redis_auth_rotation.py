"""IAM-05: the Redis AUTH secret rotates every 30 days through a rotation function of ours.

The function (``program/functions/redis_auth_rotation``) runs Secrets Manager's
four steps and changes the replication group's token with
``ModifyReplicationGroup``: ``ROTATE`` first (old and new token both valid),
then, once consumers had ``CLIENT_GRACE_SECONDS`` to re-read the secret,
``SET`` (only the new token). Secrets Manager calls it once per step and acts
on each call's result (a failed step fails the rotation, which Secrets Manager
reports and retries); nothing else invokes it.

Like the processor it runs in the private subnets (NET-02) behind a security
group of its own (Redis 6379 and the interface endpoints 443 only), and reaches
Secrets Manager and the ElastiCache API through interface endpoints (no NAT,
NET-03). Its environment is encrypted with the Lambda key (ENC-09), it logs to
its own log group (LOG-02, RET-04, ENC-07), and its role grants exactly the
calls the function makes, on the secret and the replication group (IAM-01).
Only Secrets Manager may invoke it, and only for this secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from components.keys import Keys
from components.network import REDIS_PORT, ROTATION_TIER, Network
from components.storage import Storage
from lambda_platform import RUNTIME, VPC_NETWORK_INTERFACE_ACTIONS, powertools_layer_arn
from naming import Naming
from policy_documents import assume_role, document, statement

FUNCTION_DIR = Path(__file__).resolve().parents[1] / "functions" / "redis_auth_rotation"
HANDLER = "handler.lambda_handler"
ROTATION_DAYS = 30  # IAM-05: at most 30 days between rotations
# Each step may wait for the replication group to apply a token change, and finishSecret waits
# CLIENT_GRACE_SECONDS before the SET: the largest timeout Lambda allows.
TIMEOUT_SECONDS = 900
# How long consumers may keep using the old token after AWSCURRENT moves: at least the time the
# processor caches the secret (SECRET_MAX_AGE_SECONDS in telemetry_processor/app.py, 300 s).
CLIENT_GRACE_SECONDS = 300


@dataclass(frozen=True)
class RotationInputs:
    """What the rotation function works on, built by the other components."""

    storage: Storage
    log_group: aws.cloudwatch.LogGroup
    code: pulumi.Archive  # function_bundle.function_code(FUNCTION_DIR)


class RedisAuthRotation(pulumi.ComponentResource):
    def __init__(self, name: str, *, naming: Naming, ctx: AwsContext, keys: Keys, network: Network,
                 inputs: RotationInputs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:rotation:RedisAuthRotation", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        storage = inputs.storage
        secret, group = storage.redis_auth_secret, storage.redis

        role = aws.iam.Role(
            "redis-auth-rotation",
            name=naming.name("role", "redis-auth-rotation"),
            description="Rotates the Redis AUTH token (IAM-05)",
            assume_role_policy=assume_role("lambda.amazonaws.com"),
            tags=naming.tags(),
            opts=child,
        )
        grants = {
            "secret": [statement(
                "RotateRedisAuthSecret",
                ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
                 "secretsmanager:UpdateSecretVersionStage"],
                secret.arn,
            )],
            # The group and its member clusters (<group id>-001, -002): a group-wide change touches both.
            "cache": [statement(
                "ChangeRedisAuthToken",
                ["elasticache:DescribeReplicationGroups", "elasticache:ModifyReplicationGroup"],
                [group.arn, ctx.arn("elasticache", pulumi.Output.concat("cluster:", group.replication_group_id, "-*"))],
            )],
            "kms": [
                statement("ReadAndWriteSecretVersions", ["kms:Decrypt", "kms:GenerateDataKey"],
                          keys.arns["secretsmanager"]),
                statement("DecryptOwnEnvironment", ["kms:Decrypt"], keys.arns["lambda"]),
            ],
            "logs": [statement("WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"],
                               pulumi.Output.concat(inputs.log_group.arn, ":log-stream:*"))],
            "network": [statement("ManageVpcNetworkInterfaces", VPC_NETWORK_INTERFACE_ACTIONS, "*")],
        }
        policies = [
            aws.iam.RolePolicy(
                f"redis-auth-rotation-{concern}",
                name=naming.name("policy", f"redis-auth-rotation-{concern}"),
                role=role.id,
                policy=document(*statements),
                opts=child,
            )
            for concern, statements in grants.items()
        ]

        self.function = aws.lambda_.Function(
            "redis-auth-rotation",
            name=naming.name("lambda", "redis-auth-rotation"),
            description="Rotates the Redis AUTH token: ROTATE, test, then SET (IAM-05)",
            role=role.arn,
            runtime=RUNTIME,
            handler=HANDLER,
            code=inputs.code,
            architectures=["x86_64"],
            memory_size=256,
            timeout=TIMEOUT_SECONDS,
            kms_key_arn=keys.arns["lambda"],
            layers=[powertools_layer_arn(ctx.region)],
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.security_group_ids[ROTATION_TIER]],
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=inputs.log_group.name),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                "REPLICATION_GROUP_ID": group.replication_group_id,
                "REDIS_HOST": group.primary_endpoint_address,
                "REDIS_PORT": str(REDIS_PORT),
                "CLIENT_GRACE_SECONDS": str(CLIENT_GRACE_SECONDS),
                "POWERTOOLS_SERVICE_NAME": "redis-auth-rotation",
                "LOG_LEVEL": "INFO",
            }),
            tags=naming.tags(),
            # The role must hold its ENI and log grants before Lambda validates the VPC config.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*policies, inputs.log_group]),
        )
        permission = aws.lambda_.Permission(
            "redis-auth-rotation",
            statement_id="SecretsManagerRotatesRedisAuth",
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal="secretsmanager.amazonaws.com",
            source_arn=secret.arn,  # this secret only (confused-deputy guard)
            opts=child,
        )
        # The first rotation starts when this is created: the function, its permission, the secret's
        # first version and the endpoints it calls through must all exist by then.
        self.rotation = aws.secretsmanager.SecretRotation(
            "redis-auth",
            secret_id=secret.id,
            rotation_lambda_arn=self.function.arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(automatically_after_days=ROTATION_DAYS),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[
                permission, storage.redis_auth_version, group,
                network.interface_endpoints["secretsmanager"], network.interface_endpoints["elasticache"],
            ]),
        )
        self.register_outputs({"redisAuthRotationFunctionName": self.function.name})

"""Aurora as the analytics store: RDS Proxy for the processor, and the schema migrated by ``pulumi up``.

- **RDS Proxy** (PostgreSQL) in the private subnets behind its own security
  group, TLS required, with end-to-end IAM authentication
  (``defaultAuthScheme: IAM_AUTH``): clients present an IAM token, and the proxy
  reaches the database with IAM as well, through its own role. No database
  password exists for the proxy, so there is no secret to store or rotate
  (IAM-04). Its default target group points at the Aurora cluster.
- **The migration function** (``program/functions/migrator``) runs the Alembic
  migrations as the cluster's master user, whose password RDS manages and
  rotates in Secrets Manager; it connects straight to the cluster (TLS
  verify-full against the RDS CA bundle its build.sh fetches). It creates the
  least-privilege roles the runtime uses: nothing at runtime uses the master user.
- **The invocation** (``aws.lambda_.Invocation``) runs that function during
  ``pulumi up`` whenever the migrations, the settings or the limits change; a
  failed migration fails the deployment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from components.keys import Keys
from components.network import POSTGRES_PORT, Network
from components.storage import AURORA_DATABASE, Storage
from lambda_platform import RUNTIME, VPC_NETWORK_INTERFACE_ACTIONS
from naming import Naming
from policy_documents import assume_role, document, statement

MIGRATOR_DIR = Path(__file__).resolve().parents[1] / "functions" / "migrator"
WRITER_ROLE = "telemetry_writer"  # created by the migrations (telemetry_schema.WRITER_ROLE)
# Deployment settings written by the migration function (telemetry_schema.DEFAULT_SETTINGS).
DATABASE_SETTINGS = {"minute_retention_days": 90, "hourly_retention_days": 730}
PROXY_IDLE_CLIENT_TIMEOUT_SECONDS = 1800
PROXY_MAX_CONNECTIONS_PERCENT = 50


def directory_digest(directory: Path) -> str:
    """sha256 over the migration code (not vendor/ nor caches): re-run the migrations when it changes."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if path.is_file() and relative.parts[0] != "vendor" and "__pycache__" not in relative.parts:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class DatabaseAccess:
    """What the processor needs to reach the database: the proxy endpoint and its IAM grant."""

    endpoint: pulumi.Output[str]
    port: int
    name: str
    user: str
    connect_arn: pulumi.Output[str]  # rds-db:connect resource for the writer role through the proxy


class Analytics(pulumi.ComponentResource):
    def __init__(self, name: str, *, naming: Naming, ctx: AwsContext, keys: Keys, network: Network,
                 storage: Storage, log_group: aws.cloudwatch.LogGroup, code: pulumi.Archive,
                 metric_limits: dict, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:analytics:Analytics", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        cluster = storage.cluster

        proxy_role = aws.iam.Role(
            "rds-proxy",
            name=naming.name("role", "rds-proxy"),
            description="RDS Proxy: IAM authentication to the Aurora cluster as the writer role",
            assume_role_policy=assume_role("rds.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ctx.account_id}}),
            tags=naming.tags(),
            opts=child,
        )
        proxy_policy = aws.iam.RolePolicy(
            "rds-proxy",
            name=naming.name("policy", "rds-proxy"),
            role=proxy_role.id,
            policy=document(statement(
                "ConnectToTheClusterAsTheWriter", ["rds-db:connect"],
                ctx.arn("rds-db", pulumi.Output.concat("dbuser:", cluster.cluster_resource_id, "/", WRITER_ROLE)),
            )),
            opts=child,
        )
        self.proxy = aws.rds.Proxy(
            "metrics",
            name=naming.name("rdsproxy", "metrics"),
            engine_family="POSTGRESQL",
            default_auth_scheme="IAM_AUTH",  # end-to-end IAM: no database password anywhere
            require_tls=True,
            idle_client_timeout=PROXY_IDLE_CLIENT_TIMEOUT_SECONDS,
            role_arn=proxy_role.arn,
            vpc_subnet_ids=network.private_subnet_ids,
            vpc_security_group_ids=[network.security_group_ids["proxy"]],
            tags=naming.tags(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[proxy_policy]),
        )
        target_group = aws.rds.ProxyDefaultTargetGroup(
            "metrics",
            db_proxy_name=self.proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=PROXY_MAX_CONNECTIONS_PERCENT,
                connection_borrow_timeout=10,
            ),
            opts=child,
        )
        aws.rds.ProxyTarget(
            "metrics",
            db_proxy_name=self.proxy.name,
            target_group_name="default",  # the name AWS gives every proxy's default target group
            db_cluster_identifier=cluster.cluster_identifier,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[storage.cluster_instance, target_group]),
        )
        proxy_id = self.proxy.arn.apply(lambda arn: arn.rsplit(":", 1)[-1])
        self.database = DatabaseAccess(
            endpoint=self.proxy.endpoint,
            port=POSTGRES_PORT,
            name=AURORA_DATABASE,
            user=WRITER_ROLE,
            connect_arn=ctx.arn("rds-db", pulumi.Output.concat("dbuser:", proxy_id, "/", WRITER_ROLE)),
        )

        self.migrator_dlq = aws.sqs.Queue(  # LOG-02: where a failed asynchronous invocation would go
            "migrator-dlq",
            name=naming.name("sqs", "migrator-dlq"),
            kms_master_key_id=keys.arns["lambda"],
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=14 * 24 * 3600,
            tags=naming.tags(),
            opts=child,
        )
        self.migrator = self._migrator(naming, keys, network, storage, log_group, code)
        inputs = {"settings": DATABASE_SETTINGS, "metricLimits": metric_limits}
        self.migration = aws.lambda_.Invocation(
            "migrate-schema",
            function_name=self.migrator.name,
            input=json.dumps({"action": "upgrade", **inputs}, sort_keys=True),
            triggers={
                "migrations": directory_digest(MIGRATOR_DIR),
                "inputs": hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest(),
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[storage.cluster_instance]),
        )
        self.register_outputs({
            "rdsProxyName": self.proxy.name,
            "rdsProxyEndpoint": self.proxy.endpoint,
            "migratorFunctionName": self.migrator.name,
        })

    def _migrator(self, naming: Naming, keys: Keys, network: Network, storage: Storage,
                  log_group: aws.cloudwatch.LogGroup, code: pulumi.Archive) -> aws.lambda_.Function:
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            "migrator",
            name=naming.name("role", "migrator"),
            description="Schema migration Lambda: reads the Aurora master secret, nothing else",
            assume_role_policy=assume_role("lambda.amazonaws.com"),
            tags=naming.tags(),
            opts=child,
        )
        grants = {
            "secrets": [statement("ReadTheMasterSecret", ["secretsmanager:GetSecretValue"],
                                  storage.master_secret_arn)],
            "kms": [statement("DecryptOwnEnvironmentAndTheSecret", ["kms:Decrypt"],
                              [keys.arns["lambda"], keys.arns["secretsmanager"]]),
                    statement("EncryptDeadLetters", ["kms:GenerateDataKey"], keys.arns["lambda"])],
            "sqs": [statement("SendFailedInvocationsToDlq", ["sqs:SendMessage"], self.migrator_dlq.arn)],
            "logs": [statement("WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"],
                               pulumi.Output.concat(log_group.arn, ":log-stream:*"))],
            "network": [statement("ManageVpcNetworkInterfaces", VPC_NETWORK_INTERFACE_ACTIONS, "*")],
        }
        policies = [
            aws.iam.RolePolicy(
                f"migrator-{concern}",
                name=naming.name("policy", f"migrator-{concern}"),
                role=role.id,
                policy=document(*statements),
                opts=child,
            )
            for concern, statements in grants.items()
        ]
        return aws.lambda_.Function(
            "migrator",
            name=naming.name("lambda", "migrator"),
            description="Migrates the analytics schema in Aurora (Alembic); invoked by pulumi up",
            role=role.arn,
            runtime=RUNTIME,
            handler="handler.lambda_handler",
            code=code,
            architectures=["x86_64"],
            memory_size=512,
            timeout=300,
            kms_key_arn=keys.arns["lambda"],
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.security_group_ids["migrator"]],
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=self.migrator_dlq.arn),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                "DATABASE_HOST": storage.cluster.endpoint,
                "DATABASE_PORT": str(POSTGRES_PORT),
                "DATABASE_NAME": AURORA_DATABASE,
                "MASTER_SECRET_ARN": storage.master_secret_arn,
            }),
            tags=naming.tags(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*policies, log_group]),
        )

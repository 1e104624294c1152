"""The telemetry processor: Lambda on the Kinesis stream, its dead-letter queue and its role.

The function (``program/functions/processor``) runs in the private subnets
behind the processor security group, with its environment encrypted by the
Lambda key (ENC-09). It reads the stream through an event source mapping with
partial batch responses, bisect-on-error, bounded retries and record age, and
an on-failure destination: an SQS queue under the same key (LOG-02). Its role
grants exactly the calls the function makes, on the specific ARNs (IAM-01);
only the VPC network-interface calls need ``Resource: *``, and they are listed
one by one.

The environment variables are the contract with the function's code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from components.analytics import DatabaseAccess
from components.keys import Keys
from components.network import REDIS_PORT, Network
from components.storage import Storage
from lambda_platform import RUNTIME, VPC_NETWORK_INTERFACE_ACTIONS, powertools_layer_arn
from naming import Naming
from policy_documents import assume_role, document, statement

FUNCTION_DIR = Path(__file__).resolve().parents[1] / "functions" / "processor"
HANDLER = "handler.lambda_handler"

# Records per invocation. The handler takes Kinesis's maximum (10,000); 500 with a 5 s window
# keeps latency low and bounds what one failing record holds back on its shard.
BATCH_SIZE = 500
MAX_RETRY_ATTEMPTS = 5
MAX_RECORD_AGE_SECONDS = 3600
DLQ_RETENTION_SECONDS = 14 * 24 * 3600

# Operating limits per metric: a reading outside them is flagged as an anomaly (the processor's
# message schema holds the separate physical ranges outside which a reading is invalid).
METRIC_LIMITS = {
    "temperature_c": {"min": -40.0, "max": 150.0},
    "pressure_kpa": {"min": 0.0, "max": 2000.0},
    "vibration_mm_s": {"min": 0.0, "max": 100.0},
    "production_count": {"min": 0.0, "max": 100000.0},
}
ZSCORE_THRESHOLD = "4.0"
BASELINE_MIN_SAMPLES = "30"
MAX_FUTURE_SKEW_SECONDS = "300"


@dataclass(frozen=True)
class ProcessorInputs:
    """What the processor reads from and writes to, built by the other components."""

    stream: aws.kinesis.Stream
    storage: Storage
    database: DatabaseAccess  # the analytics store, through RDS Proxy
    log_group: aws.cloudwatch.LogGroup
    code: pulumi.Archive  # function_bundle.function_code(FUNCTION_DIR)


class Processing(pulumi.ComponentResource):
    def __init__(self, name: str, *, naming: Naming, ctx: AwsContext, keys: Keys, network: Network,
                 inputs: ProcessorInputs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:processing:Processing", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        storage = inputs.storage
        self.function_name = naming.name("lambda", "processor")

        self.dlq = aws.sqs.Queue(
            "processor-dlq",
            name=naming.name("sqs", "processor-dlq"),
            kms_master_key_id=keys.arns["lambda"],
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=naming.tags(),
            opts=child,
        )

        role = aws.iam.Role(
            "processor",
            name=naming.name("role", "processor"),
            description="Telemetry processor Lambda",
            assume_role_policy=assume_role("lambda.amazonaws.com"),
            tags=naming.tags(),
            opts=child,
        )
        # Device state and the ledger marks; aggregates and anomalies go to Aurora (the metrics table is
        # kept, unwritten, until its items expire: see the README).
        tables = [storage.devices_table.arn, storage.idempotency_table.arn]
        grants = {
            "kinesis": [statement(
                "ReadTelemetryStream",
                ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                 "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"],
                inputs.stream.arn,
            )],
            "dynamodb": [statement(
                "ReadWriteOwnTables",
                ["dynamodb:UpdateItem", "dynamodb:BatchGetItem"],
                tables,
            )],
            "database": [statement("ConnectThroughTheProxyAsTheWriter", ["rds-db:connect"],
                                   inputs.database.connect_arn)],
            "s3": [statement("ArchiveRawTelemetry", ["s3:PutObject"],
                             pulumi.Output.concat(storage.archive.arn, "/*"))],
            "sqs": [statement("SendFailedBatchesToDlq", ["sqs:SendMessage"], self.dlq.arn)],
            "secrets": [statement("ReadRedisAuthToken", ["secretsmanager:GetSecretValue"],
                                  storage.redis_auth_secret.arn)],
            "kms": [
                statement("DecryptStreamRecords", ["kms:Decrypt"], keys.arns["kinesis"]),
                statement("DecryptOwnEnvironmentAndSecrets", ["kms:Decrypt"],
                          [keys.arns["lambda"], keys.arns["secretsmanager"]]),
                statement("EncryptArchiveTablesAndDlq", ["kms:Decrypt", "kms:GenerateDataKey"],
                          [keys.arns["s3"], keys.arns["dynamodb"], keys.arns["lambda"]]),
            ],
            "logs": [statement("WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"],
                               pulumi.Output.concat(inputs.log_group.arn, ":log-stream:*"))],
            "network": [statement("ManageVpcNetworkInterfaces", VPC_NETWORK_INTERFACE_ACTIONS, "*")],
        }
        policies = [
            aws.iam.RolePolicy(
                f"processor-{concern}",
                name=naming.name("policy", f"processor-{concern}"),
                role=role.id,
                policy=document(*statements),
                opts=child,
            )
            for concern, statements in grants.items()
        ]

        self.function = aws.lambda_.Function(
            "processor",
            name=self.function_name,
            description="Validates, archives and aggregates device telemetry; flags anomalies",
            role=role.arn,
            runtime=RUNTIME,
            handler=HANDLER,
            code=inputs.code,
            architectures=["x86_64"],
            memory_size=512,
            timeout=60,
            kms_key_arn=keys.arns["lambda"],
            layers=[powertools_layer_arn(ctx.region)],
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.security_group_ids["processor"]],
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=inputs.log_group.name),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                "DEVICES_TABLE": storage.devices_table.name,
                "IDEMPOTENCY_TABLE": storage.idempotency_table.name,
                "ARCHIVE_BUCKET": storage.archive.name,
                "ARCHIVE_KMS_KEY_ARN": keys.arns["s3"],
                "DLQ_URL": self.dlq.url,
                "REDIS_HOST": storage.redis.primary_endpoint_address,
                "REDIS_PORT": str(REDIS_PORT),
                "REDIS_AUTH_SECRET_ARN": storage.redis_auth_secret.arn,
                "DATABASE_HOST": inputs.database.endpoint,
                "DATABASE_PORT": str(inputs.database.port),
                "DATABASE_NAME": inputs.database.name,
                "DATABASE_USER": inputs.database.user,
                "METRIC_LIMITS": json.dumps(METRIC_LIMITS, sort_keys=True),
                "ZSCORE_THRESHOLD": ZSCORE_THRESHOLD,
                "BASELINE_MIN_SAMPLES": BASELINE_MIN_SAMPLES,
                "MAX_FUTURE_SKEW_SECONDS": MAX_FUTURE_SKEW_SECONDS,
                "POWERTOOLS_SERVICE_NAME": "telemetry-processor",
                "POWERTOOLS_METRICS_NAMESPACE": "IotSensorPlatform",
                "LOG_LEVEL": "INFO",
            }),
            tags=naming.tags(),
            # The role must hold its ENI and log grants before Lambda validates the VPC config.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*policies, inputs.log_group]),
        )

        self.event_source_mapping = aws.lambda_.EventSourceMapping(
            "processor-telemetry",
            event_source_arn=inputs.stream.arn,
            function_name=self.function.arn,
            # From the oldest record the stream retains: readings the IoT rule wrote before this
            # mapping existed (or while it was being replaced) are processed, not skipped; the
            # processor's sinks are idempotent, so a record seen twice is counted once.
            starting_position="TRIM_HORIZON",
            batch_size=BATCH_SIZE,
            maximum_batching_window_in_seconds=5,
            function_response_types=["ReportBatchItemFailures"],
            bisect_batch_on_function_error=True,
            # One batch per shard at a time: the processor's archive and DLQ high-water marks rely on it.
            parallelization_factor=1,
            maximum_retry_attempts=MAX_RETRY_ATTEMPTS,
            maximum_record_age_in_seconds=MAX_RECORD_AGE_SECONDS,
            destination_config=aws.lambda_.EventSourceMappingDestinationConfigArgs(
                on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(destination_arn=self.dlq.arn),
            ),
            tags=naming.tags(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=policies),
        )
        self.register_outputs({"processorFunctionName": self.function.name, "dlqUrl": self.dlq.url})

"""Wiring: settings -> AWS clients, Redis, sinks, pipeline. Built once per cold start."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from botocore.config import Config

from telemetry_processor.baseline import RedisBaselineStore, SecretAuthToken, connect
from telemetry_processor.config import Settings
from telemetry_processor.database import ConnectionSource, RdsIamToken, default_ca_file
from telemetry_processor.detection import AnomalyDetector
from telemetry_processor.pipeline import TelemetryBatchProcessor, TelemetryPipeline
from telemetry_processor.sinks.analytics import AnalyticsWriter
from telemetry_processor.sinks.archive import ArchiveWriter
from telemetry_processor.sinks.devices import DeviceStateWriter
from telemetry_processor.sinks.dlq import DeadLetterWriter, PayloadStore
from telemetry_processor.sinks.ledger import StreamLedger
from telemetry_processor.validation import MessageValidator

# Every AWS call the function makes, as IAM actions (SendMessageBatch is authorised as
# sqs:SendMessage). The Pulumi program's role must grant them; the tests record the calls the
# handler really makes and check both sides.
REQUIRED_IAM_ACTIONS = frozenset(
    {
        "dynamodb:BatchGetItem",  # ledger marks
        "dynamodb:UpdateItem",  # device state, ledger marks
        "s3:PutObject",  # the raw archive and oversized DLQ payloads (SSE-KMS: kms:GenerateDataKey on ARCHIVE_KMS_KEY_ARN)
        "sqs:SendMessage",  # the dead-letter queue (SendMessageBatch)
        "secretsmanager:GetSecretValue",  # the Redis AUTH token
        "rds-db:connect",  # as telemetry_writer through RDS Proxy (the IAM token is signed locally: no API call)
    }
)
NOT_API_CALLS = frozenset({"rds-db:connect"})  # authorised when the proxy checks the token, not by a call

SINK_WORKERS = 8  # concurrent DynamoDB/S3 calls per batch (I/O bound)
SECRET_MAX_AGE_SECONDS = 300  # re-read the Redis AUTH token at most this often (rotation)

# botocore's standard retry mode retries throttling with backoff; AWS_MAX_ATTEMPTS
# (default 3) bounds it. What is still failing after that is retried by Lambda.
_BOTO_CONFIG = Config(
    retries={"mode": "standard"},
    connect_timeout=3,
    read_timeout=10,
    max_pool_connections=SINK_WORKERS + 2,
)
_EXECUTOR = ThreadPoolExecutor(max_workers=SINK_WORKERS, thread_name_prefix="sink")


@dataclass(frozen=True, slots=True)
class AwsClients:
    dynamodb: object
    s3: object
    sqs: object
    secretsmanager: object
    rds: object  # signs IAM database tokens locally


def make_clients(session: boto3.session.Session) -> AwsClients:
    return AwsClients(
        *(session.client(name, config=_BOTO_CONFIG) for name in ("dynamodb", "s3", "sqs", "secretsmanager", "rds"))
    )


def redis_baselines(settings: Settings, secretsmanager: object) -> RedisBaselineStore:
    """The baseline store: Redis with the AUTH token from Secrets Manager (cached, re-read after an AUTH failure)."""
    secrets = SecretsProvider(boto3_client=secretsmanager)

    def fetch_token(refresh: bool) -> str:
        return secrets.get(
            settings.redis_auth_secret_arn, max_age=SECRET_MAX_AGE_SECONDS, force_fetch=refresh
        )

    token = SecretAuthToken(fetch_token)
    return RedisBaselineStore(connect(settings.redis_host, settings.redis_port, settings.redis_tls, token), token)


def build_processor(
    settings: Settings,
    clients: AwsClients,
    logger: Logger,
    metrics: Metrics,
    database_password: Callable[[], str] | None = None,
) -> TelemetryBatchProcessor:
    """``database_password`` is the seam the tests use; by default an RDS IAM token per new connection."""
    dynamodb = clients.dynamodb
    ledger = StreamLedger(dynamodb, settings.idempotency_table)

    connections = ConnectionSource(
        host=settings.database_host,
        port=settings.database_port,
        dbname=settings.database_name,
        user=settings.database_user,
        ca_file=settings.database_ca_bundle or default_ca_file(),
        password=database_password
        or RdsIamToken(clients.rds, settings.database_host, settings.database_port, settings.database_user),
    )

    pipeline = TelemetryPipeline(
        validator=MessageValidator(settings.max_future_skew_seconds),
        detector=AnomalyDetector(
            settings.metric_limits,
            zscore_threshold=settings.zscore_threshold,
            min_samples=settings.baseline_min_samples,
            alpha=settings.baseline_alpha,
        ),
        baselines=redis_baselines(settings, clients.secretsmanager),
        dead_letters=DeadLetterWriter(
            clients.sqs,
            settings.dlq_url,
            ledger,
            PayloadStore(clients.s3, settings.archive_bucket, settings.archive_kms_key_arn),
        ),
        analytics=AnalyticsWriter(connections),
        devices=DeviceStateWriter(dynamodb, settings.devices_table, _EXECUTOR),
        archive=ArchiveWriter(
            clients.s3,
            settings.archive_bucket,
            settings.archive_kms_key_arn,
            ledger,
            _EXECUTOR,
        ),
        logger=logger,
        metrics=metrics,
    )
    return TelemetryBatchProcessor(pipeline)

"""The compliance auditor deployed with the platform: re-checks on every change, audits on a schedule.

The function (``program/functions/auditor``, bundled by its build.sh from the
repository's own audit code and catalog) judges with the controls that gated
the deploy. Two ways in:

- **changes**: one EventBridge rule per CloudTrail event source, its pattern
  generated from the catalog's ``triggers`` (``Catalog.event_patterns``), sends
  the management events that can break a control to an SQS queue (encrypted
  with the Lambda/SQS key, ENC-09; a dead-letter queue after
  ``MAX_RECEIVE_COUNT`` receives, with an alarm on anything in it). The queue
  feeds the function through an event source mapping with partial batch
  responses, so a burst of changes is never lost;
- **the schedule**: an EventBridge Scheduler schedule (daily by default,
  ``auditorSchedule``) invokes it for a full audit of the stack, whose reports
  go to the evidence bucket.

The evidence bucket is a ``SecureBucket`` created with S3 Object Lock: default
retention ``evidenceRetentionDays`` in ``evidenceLockMode`` (GOVERNANCE keeps the
stack destroyable, DES-02; COMPLIANCE belongs in a long-lived stack of its own).

The role is exactly the auditor policy (``compliance/audit/auditor-policy.json``,
what an audit reads) plus what the function writes: Security Hub findings, the
evidence bucket's objects, the queue's messages, its log group, X-Ray traces and
the network interfaces of a VPC function. Metrics are embedded in the logs
(Powertools, EMF): no cloudwatch:PutMetricData. The function runs in the private
subnets (NET-02) and reaches AWS through the interface endpoints the network
adds for it (``network.AUDITOR_ENDPOINTS``). The stack never enables Security
Hub: the function checks that it is enabled and fails with the fix otherwise.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from components.keys import Keys
from components.network import AUDITOR_TIER, Network
from components.secure_bucket import SecureBucket, tiered_lifecycle
from config import AuditorConfig
from lambda_platform import RUNTIME, VPC_NETWORK_INTERFACE_ACTIONS, powertools_layer_arn
from naming import Naming
from policy_documents import assume_role, document, statement

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTION_DIR = REPO_ROOT / "program" / "functions" / "auditor"
AUDITOR_POLICY = REPO_ROOT / "compliance" / "audit" / "auditor-policy.json"
HANDLER = "handler.lambda_handler"
SCHEDULED_INPUT = {"auditor": "scheduled-audit"}  # compliance_auditor.app.SCHEDULED_EVENT
SERVICE_NAME = "compliance-auditor"
METRICS_NAMESPACE = "IotPlatform/Compliance"

TIMEOUT_SECONDS = 300  # a full audit of the stack takes seconds; throttled reads retry
BATCH_SIZE = 10
MAX_RECEIVE_COUNT = 5  # deliveries before a change moves to the dead-letter queue
# AWS: a queue feeding a function needs a visibility timeout of at least 6x the function's timeout.
VISIBILITY_TIMEOUT_SECONDS = 6 * TIMEOUT_SECONDS
QUEUE_RETENTION_SECONDS = 4 * 24 * 3600
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
EVIDENCE_GLACIER_AFTER_DAYS = 90


def event_patterns() -> dict[str, dict]:
    """The rules' patterns, generated from policies/controls.yaml (the catalog's one reader)."""
    policies = str(REPO_ROOT / "policies")
    if policies not in sys.path:
        sys.path.insert(0, policies)
    from controls.catalog import load_catalog

    return load_catalog().event_patterns()


class EvidenceBucket(pulumi.ComponentResource):
    """The scheduled audit's reports, under S3 Object Lock: versioned, SSE-KMS (the S3 key), TLS only.

    Its own component, declared before the trail so that the trail's data events cover it (LOG-01), and
    so that it can move to a long-lived stack of its own where COMPLIANCE mode is wanted (DES-02).
    """

    def __init__(self, name: str, *, naming: Naming, ctx: AwsContext, keys: Keys, settings: AuditorConfig,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:compliance:EvidenceBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.secure = SecureBucket(
            name,
            bucket_name=ctx.account_id.apply(lambda account: naming.name("s3", f"evidence-{account}")),
            kms_key_arn=keys.arns["s3"],
            # Object Lock keeps a locked version whatever the lifecycle says; the noncurrent expiration only
            # clears the versions whose retention has ended.
            lifecycle_rules=tiered_lifecycle(glacier_after_days=EVIDENCE_GLACIER_AFTER_DAYS, noncurrent_days=settings.evidence_retention_days),
            naming=naming,
            object_lock=True,
            opts=child,
        )
        aws.s3.BucketObjectLockConfiguration(
            name,
            bucket=self.secure.bucket.id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=settings.evidence_lock_mode, days=settings.evidence_retention_days),
            ),
            opts=child,
        )
        self.arn = self.secure.arn
        self.name = self.secure.name
        self.register_outputs({"evidenceBucketName": self.name})


@dataclass(frozen=True)
class AuditorInputs:
    log_group: aws.cloudwatch.LogGroup
    code: pulumi.Archive  # function_bundle.function_code(FUNCTION_DIR)
    settings: AuditorConfig
    evidence: EvidenceBucket


class ComplianceAuditor(pulumi.ComponentResource):
    def __init__(self, name: str, *, naming: Naming, ctx: AwsContext, keys: Keys, network: Network,
                 inputs: AuditorInputs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:compliance:ComplianceAuditor", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = inputs.settings
        lambda_key = keys.arns["lambda"]
        self.evidence = inputs.evidence

        self.dlq = aws.sqs.Queue(
            "auditor-events-dlq",
            name=naming.name("sqs", "auditor-events-dlq"),
            kms_master_key_id=lambda_key,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=naming.tags(),
            opts=child,
        )
        queue_name = naming.name("sqs", "auditor-events")
        self.queue = aws.sqs.Queue(
            "auditor-events",
            name=queue_name,
            kms_master_key_id=lambda_key,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=QUEUE_RETENTION_SECONDS,
            visibility_timeout_seconds=VISIBILITY_TIMEOUT_SECONDS,
            redrive_policy=self.dlq.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": MAX_RECEIVE_COUNT})),
            tags=naming.tags(),
            opts=child,
        )
        self.rules = {
            service: aws.cloudwatch.EventRule(
                f"auditor-{service}",
                name=naming.name("rule", f"auditor-{service}"),
                description=f"CloudTrail {service} calls that can break a control (policies/controls.yaml triggers)",
                event_pattern=json.dumps(pattern, sort_keys=True),
                tags=naming.tags(),
                opts=child,
            )
            for service, pattern in event_patterns().items()
        }
        for service, rule in self.rules.items():
            aws.cloudwatch.EventTarget(
                f"auditor-{service}",
                rule=rule.name,
                target_id="auditor-queue",
                arn=self.queue.arn,
                opts=child,
            )
        aws.sqs.QueuePolicy(
            "auditor-events",
            queue_url=self.queue.url,
            policy=document(statement(
                "AuditorRulesSendChanges", ["sqs:SendMessage"], self.queue.arn,
                principal={"Service": "events.amazonaws.com"},
                condition={"ArnEquals": {"aws:SourceArn": [rule.arn for rule in self.rules.values()]}},
            )),
            opts=child,
        )

        role = aws.iam.Role(
            "auditor",
            name=naming.name("role", "auditor"),
            description="Compliance auditor Lambda: reads what an audit reads, writes findings and reports",
            assume_role_policy=assume_role("lambda.amazonaws.com"),
            tags=naming.tags(),
            opts=child,
        )
        grants = {
            "audit-read": json.loads(AUDITOR_POLICY.read_text())["Statement"],
            "findings": [statement("ImportFindings", ["securityhub:BatchImportFindings", "securityhub:DescribeHub"],
                                   [ctx.arn("securityhub", "hub/default"),
                                    ctx.arn("securityhub", pulumi.Output.concat("product/", ctx.account_id,
                                                                                "/default"))])],
            "evidence": [statement("WriteReports", ["s3:PutObject"],
                                   pulumi.Output.concat(self.evidence.arn, "/*"))],
            "queue": [statement("ConsumeChanges", ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                   "sqs:GetQueueAttributes"], self.queue.arn),
                      statement("SendFailedInvocationsToDlq", ["sqs:SendMessage"], self.dlq.arn)],
            "kms": [statement("DecryptQueueAndEnvironment", ["kms:Decrypt", "kms:GenerateDataKey"], lambda_key),
                    statement("EncryptReports", ["kms:GenerateDataKey"], keys.arns["s3"])],
            "logs": [statement("WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"],
                               pulumi.Output.concat(inputs.log_group.arn, ":log-stream:*"))],
            "tracing": [statement("WriteTraces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")],
            "network": [statement("ManageVpcNetworkInterfaces", VPC_NETWORK_INTERFACE_ACTIONS, "*")],
        }
        policies = [
            aws.iam.RolePolicy(
                f"auditor-{concern}",
                name=naming.name("policy", f"auditor-{concern}"),
                role=role.id,
                policy=document(*statements),
                opts=child,
            )
            for concern, statements in grants.items()
        ]

        self.function = aws.lambda_.Function(
            "auditor",
            name=naming.name("lambda", "auditor"),
            description="Compliance auditor: re-checks changed resources, audits the stack daily (Security Hub)",
            role=role.arn,
            runtime=RUNTIME,
            handler=HANDLER,
            code=inputs.code,
            architectures=["x86_64"],
            memory_size=1024,
            timeout=TIMEOUT_SECONDS,
            kms_key_arn=lambda_key,
            layers=[powertools_layer_arn(ctx.region)],
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=network.private_subnet_ids,
                security_group_ids=[network.security_group_ids[AUDITOR_TIER]],
            ),
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=self.dlq.arn),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=inputs.log_group.name),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                "AUDIT_SUFFIX": naming.suffix,
                "EVIDENCE_BUCKET": self.evidence.name,
                "REPORT_PREFIX": "reports",
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "LOG_LEVEL": "INFO",
            }),
            tags=naming.tags(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*policies, inputs.log_group]),
        )
        self.event_source_mapping = aws.lambda_.EventSourceMapping(
            "auditor-events",
            # The queue's ARN built from its name, known before the queue exists: a first preview can tell that
            # this mapping reads a queue (whose redrive policy keeps failures), not a stream (LOG-02).
            event_source_arn=ctx.arn("sqs", queue_name),
            function_name=self.function.arn,
            batch_size=BATCH_SIZE,
            maximum_batching_window_in_seconds=1,
            function_response_types=["ReportBatchItemFailures"],
            tags=naming.tags(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*policies, self.queue]),
        )

        scheduler_role = aws.iam.Role(
            "auditor-schedule",
            name=naming.name("role", "auditor-schedule"),
            description="EventBridge Scheduler starts the compliance auditor's full audit",
            assume_role_policy=assume_role("scheduler.amazonaws.com",
                                           {"StringEquals": {"aws:SourceAccount": ctx.account_id}}),
            tags=naming.tags(),
            opts=child,
        )
        scheduler_policy = aws.iam.RolePolicy(
            "auditor-schedule",
            name=naming.name("policy", "auditor-schedule"),
            role=scheduler_role.id,
            policy=document(
                statement("InvokeAuditor", ["lambda:InvokeFunction"], self.function.arn),
                statement("KeepFailedStartsInDlq", ["sqs:SendMessage"], self.dlq.arn),
                statement("EncryptIntoDlq", ["kms:GenerateDataKey", "kms:Decrypt"], lambda_key),
            ),
            opts=child,
        )
        self.schedule = aws.scheduler.Schedule(
            "auditor",
            name=naming.name("schedule", "auditor"),
            description="Full compliance audit of the stack; reports to the evidence bucket",
            schedule_expression=settings.schedule,
            kms_key_arn=lambda_key,  # the schedule's target input, encrypted at rest with the Lambda/SQS key
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=self.function.arn,
                role_arn=scheduler_role.arn,
                input=json.dumps(SCHEDULED_INPUT),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(maximum_retry_attempts=2),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=self.dlq.arn),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[scheduler_policy]),
        )

        self.redrive_alarm = _alarm_on_any(
            "auditor-events-dlq", naming, child,
            description="A change or a scheduled audit could not be handled: it waits in the auditor's DLQ",
            namespace="AWS/SQS", metric_name="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": self.dlq.name})
        self.failures_alarm = _alarm_on_any(
            "auditor-mandatory-failures", naming, child,
            description="The compliance auditor found a mandatory control failing",
            namespace=METRICS_NAMESPACE, metric_name="MandatoryFailures", dimensions={"service": SERVICE_NAME})
        self.register_outputs({"auditorFunctionName": self.function.name, "evidenceBucketName": self.evidence.name,
                               "auditorQueueUrl": self.queue.url})


def _alarm_on_any(purpose: str, naming: Naming, opts: pulumi.ResourceOptions, *, description: str, namespace: str,
                  metric_name: str, dimensions: dict[str, Any]) -> aws.cloudwatch.MetricAlarm:
    """An alarm that fires as soon as the metric is above zero in a 5-minute period (no data: all is well)."""
    return aws.cloudwatch.MetricAlarm(
        purpose,
        name=naming.name("alarm", purpose),
        alarm_description=description,
        namespace=namespace,
        metric_name=metric_name,
        dimensions=dimensions,
        statistic="Maximum",
        period=300,
        evaluation_periods=1,
        threshold=0,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
        tags=naming.tags(),
        opts=opts,
    )

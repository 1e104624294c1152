"""LOG-01 / RET-04 / RET-05 / ENC-07 / ENC-08: CloudTrail, its bucket, and every log group.

The trail is multi-region with log file validation, encrypted with the trail
key, with Insights on API call and error rates and data events for the raw
archive and the tables. It delivers to a dedicated hardened bucket that keeps
logs a year, and to a CloudWatch log group kept 90 days. The operational log
groups (the Lambda processor's, the IoT rule's errors) are declared here too,
kept 30 days and encrypted with the logs key, so that no service creates an
unencrypted never-expiring group on first write.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from components.keys import Keys
from components.secure_bucket import SecureBucket
from naming import Naming
from policy_documents import assume_role, document, statement

OPERATIONAL_RETENTION_DAYS = 30
TRAIL_LOG_RETENTION_DAYS = 90
TRAIL_BUCKET_EXPIRATION_DAYS = 365


class AuditLogging(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        naming: Naming,
        ctx: AwsContext,
        keys: Keys,
        trail_name: str,
        operational_log_groups: dict[str, str],
        data_event_bucket_arns: list[pulumi.Input[str]],
        data_event_table_arns: list[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``operational_log_groups`` maps a logical name to a log group name (built by ``Naming``)."""
        super().__init__("iot-sensor-platform:audit:AuditLogging", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.operational_log_groups = {
            logical: aws.cloudwatch.LogGroup(
                logical, name=group_name, retention_in_days=OPERATIONAL_RETENTION_DAYS,
                kms_key_id=keys.arns["logs"], tags=naming.tags(), opts=child,
            )
            for logical, group_name in operational_log_groups.items()
        }
        self.trail_log_group = aws.cloudwatch.LogGroup(
            "trail", name=naming.log_group("cloudtrail", "trail", "audit"),
            retention_in_days=TRAIL_LOG_RETENTION_DAYS, kms_key_id=keys.arns["logs"],
            tags=naming.tags(), opts=child,
        )

        trail_arn = ctx.arn("cloudtrail", f"trail/{trail_name}")
        from_this_trail = {"StringEquals": {"aws:SourceArn": trail_arn}}

        def cloudtrail_delivery(bucket_arn: pulumi.Output[str]) -> list[dict]:
            return [
                statement("CloudTrailReadsAcl", ["s3:GetBucketAcl"], bucket_arn,
                          principal={"Service": "cloudtrail.amazonaws.com"}, condition=from_this_trail),
                statement("CloudTrailWritesLogs", ["s3:PutObject"],
                          pulumi.Output.concat(bucket_arn, "/AWSLogs/", ctx.account_id, "/*"),
                          principal={"Service": "cloudtrail.amazonaws.com"},
                          condition={"StringEquals": {"aws:SourceArn": trail_arn,
                                                      "s3:x-amz-acl": "bucket-owner-full-control"}}),
            ]

        self.trail_bucket = SecureBucket(
            "trail-logs",
            bucket_name=ctx.account_id.apply(lambda account: naming.name("s3", f"trail-logs-{account}")),
            kms_key_arn=keys.arns["cloudtrail"],
            lifecycle_rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="keep-a-year",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=TRAIL_BUCKET_EXPIRATION_DAYS),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=TRAIL_LOG_RETENTION_DAYS),
                abort_incomplete_multipart_upload=(
                    aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(days_after_initiation=7)
                ),
            )],
            naming=naming,
            extra_statements=cloudtrail_delivery,
            opts=child,
        )

        role = aws.iam.Role(
            "trail-logs",
            name=naming.name("role", "trail-logs"),
            description="CloudTrail delivers events to its CloudWatch log group",
            assume_role_policy=assume_role("cloudtrail.amazonaws.com", from_this_trail),
            tags=naming.tags(),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            "trail-logs",
            name=naming.name("policy", "trail-logs"),
            role=role.id,
            policy=document(statement(
                "WriteTrailLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"],
                pulumi.Output.concat(self.trail_log_group.arn, ":log-stream:*"),
            )),
            opts=child,
        )
        self.trail = aws.cloudtrail.Trail(
            "audit",
            name=trail_name,
            s3_bucket_name=self.trail_bucket.name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=keys.arns["cloudtrail"],
            cloud_watch_logs_group_arn=pulumi.Output.concat(self.trail_log_group.arn, ":*"),
            cloud_watch_logs_role_arn=role.arn,
            insight_selectors=[
                aws.cloudtrail.TrailInsightSelectorArgs(insight_type="ApiCallRateInsight"),
                aws.cloudtrail.TrailInsightSelectorArgs(insight_type="ApiErrorRateInsight"),
            ],
            event_selectors=[aws.cloudtrail.TrailEventSelectorArgs(
                read_write_type="All",
                include_management_events=True,
                data_resources=[
                    aws.cloudtrail.TrailEventSelectorDataResourceArgs(
                        type="AWS::S3::Object",
                        values=[pulumi.Output.concat(arn, "/") for arn in data_event_bucket_arns],
                    ),
                    aws.cloudtrail.TrailEventSelectorDataResourceArgs(
                        type="AWS::DynamoDB::Table", values=data_event_table_arns,
                    ),
                ],
            )],
            tags=naming.tags(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.trail_bucket.policy, role_policy]),
        )
        self.log_group_names = [
            *(group.name for group in self.operational_log_groups.values()),
            self.trail_log_group.name,
        ]
        self.register_outputs({"trailArn": self.trail.arn, "trailBucketName": self.trail_bucket.name})

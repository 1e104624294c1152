"""ENC-05 / RET-03 / DES-02: an S3 bucket hardened the same way wherever it is used.

Versioning on; default encryption SSE-KMS with the given key and an S3 Bucket
Key; every public-access block on; ACLs disabled (BucketOwnerEnforced); a
bucket policy that denies any request not made over TLS, plus whatever
statements the caller builds from the bucket's ARN (CloudTrail's delivery grants); the caller's
lifecycle rules; ``force_destroy`` so that the stack can be destroyed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
from naming import Naming
from policy_documents import document, statement


class SecureBucket(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        bucket_name: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str],
        lifecycle_rules: list[aws.s3.BucketLifecycleConfigurationRuleArgs],
        naming: Naming,
        extra_statements: Callable[[pulumi.Output[str]], list[dict[str, Any]]] | None = None,
        object_lock: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``object_lock``: created with S3 Object Lock enabled (it cannot be switched on later by this
        provider); the caller declares the default retention."""
        super().__init__("iot-sensor-platform:storage:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(name, bucket=bucket_name, force_destroy=True, tags=naming.tags(),
                                    object_lock_enabled=True if object_lock else None, opts=child)
        ownership = aws.s3.BucketOwnershipControls(
            name, bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            name, bucket=self.bucket.id,
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketVersioning(
            name, bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name, bucket=self.bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=(
                    aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn,
                    )
                ),
                bucket_key_enabled=True,
            )],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(name, bucket=self.bucket.id, rules=lifecycle_rules, opts=child)
        objects = pulumi.Output.concat(self.bucket.arn, "/*")
        self.policy = aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.id,
            policy=document(
                statement("DenyInsecureTransport", ["s3:*"], [self.bucket.arn, objects], effect="Deny",
                          principal={"AWS": "*"}, condition={"Bool": {"aws:SecureTransport": "false"}}),
                *(extra_statements(self.bucket.arn) if extra_statements else []),
            ),
            # The public-access block must exist first, or S3 may judge the policy before it is in force.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access, ownership]),
        )
        self.arn = self.bucket.arn
        self.name = self.bucket.bucket
        self.register_outputs({"bucketName": self.name, "bucketArn": self.arn})


def tiered_lifecycle(*, glacier_after_days: int, noncurrent_days: int) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    """The archive buckets' one lifecycle rule: Intelligent-Tiering at once, Glacier after ``glacier_after_days``,
    noncurrent versions expired after ``noncurrent_days`` (RET-03), incomplete uploads aborted after 7 days."""
    return [aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="tier-then-glacier",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        transitions=[
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=0, storage_class="INTELLIGENT_TIERING"),
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=glacier_after_days, storage_class="GLACIER"),
        ],
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=noncurrent_days),
        abort_incomplete_multipart_upload=(
            aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(days_after_initiation=7)
        ),
    )]

"""The S3 raw archive and the trail bucket: versioning, SSE-KMS, public access block, policy, lifecycle (ENC-05, RET-03)."""

from __future__ import annotations

from typing import Any

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, pascal, tag_list


@handles("aws:s3/bucket:Bucket", not_api=("forceDestroy",))
def bucket(ctx: Context, inputs: Inputs) -> Created:
    s3 = ctx.client("s3")
    name = inputs.get("bucket") or ctx.autoname(inputs.get("bucketPrefix"))
    configuration = None if ctx.region == "us-east-1" else {"LocationConstraint": ctx.region}
    s3.create_bucket(**compact(Bucket=name, CreateBucketConfiguration=configuration,
                               ObjectLockEnabledForBucket=inputs.get("objectLockEnabled")))
    if inputs.get("tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(inputs["tags"])})
    _inline_settings(s3, name, inputs)
    return Created(name, {
        "arn": f"arn:aws:s3:::{name}", "bucket": name, "region": ctx.region, "bucketRegion": ctx.region,
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
    })


def _inline_settings(s3: Any, name: str, inputs: Inputs) -> None:
    """The bucket's own (deprecated) versioning, default encryption and policy inputs (ENC-05, RET-03 cases)."""
    versioning = inputs.get("versioning")
    if versioning and versioning.get("enabled") is not None:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={
            "Status": "Enabled" if versioning["enabled"] else "Suspended"})
    encryption = inputs.get("serverSideEncryptionConfiguration")
    if encryption:
        rule = pascal(encryption["rule"], {"kmsMasterKeyId": "KMSMasterKeyID", "sseAlgorithm": "SSEAlgorithm"})
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [rule]})
    if inputs.get("policy"):
        s3.put_bucket_policy(Bucket=name, Policy=inputs["policy"])


@handles("aws:s3/bucketVersioning:BucketVersioning")
def bucket_versioning(ctx: Context, inputs: Inputs) -> Created:
    configuration = inputs["versioningConfiguration"]
    ctx.client("s3").put_bucket_versioning(**compact(
        Bucket=inputs["bucket"], ExpectedBucketOwner=inputs.get("expectedBucketOwner"),
        VersioningConfiguration=compact(Status=configuration["status"], MFADelete=configuration.get("mfaDelete"))))
    return Created(inputs["bucket"])


@handles("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
def bucket_encryption(ctx: Context, inputs: Inputs) -> Created:
    """ENC-05: default SSE-KMS with the bucket's key (and S3 Bucket Keys)."""
    rules = pascal(inputs["rules"], {"kmsMasterKeyId": "KMSMasterKeyID", "sseAlgorithm": "SSEAlgorithm"})
    ctx.client("s3").put_bucket_encryption(**compact(
        Bucket=inputs["bucket"], ExpectedBucketOwner=inputs.get("expectedBucketOwner"),
        ServerSideEncryptionConfiguration={"Rules": rules}))
    return Created(inputs["bucket"])


@handles("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", not_api=("skipDestroy",))
def bucket_public_access_block(ctx: Context, inputs: Inputs) -> Created:
    settings = {api: bool(inputs.get(key, False)) for key, api in (
        ("blockPublicAcls", "BlockPublicAcls"), ("ignorePublicAcls", "IgnorePublicAcls"),
        ("blockPublicPolicy", "BlockPublicPolicy"), ("restrictPublicBuckets", "RestrictPublicBuckets"))}
    ctx.client("s3").put_public_access_block(Bucket=inputs["bucket"], PublicAccessBlockConfiguration=settings)
    return Created(inputs["bucket"])


@handles("aws:s3/bucketPolicy:BucketPolicy")
def bucket_policy(ctx: Context, inputs: Inputs) -> Created:
    ctx.client("s3").put_bucket_policy(Bucket=inputs["bucket"], Policy=inputs["policy"])
    return Created(inputs["bucket"])


@handles("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
def bucket_lifecycle(ctx: Context, inputs: Inputs) -> Created:
    """RET-03: tiering, Glacier after 90 days, noncurrent versions expire."""
    rules = pascal(inputs["rules"], {"id": "ID"})
    ctx.client("s3").put_bucket_lifecycle_configuration(**compact(
        Bucket=inputs["bucket"], ExpectedBucketOwner=inputs.get("expectedBucketOwner"),
        TransitionDefaultMinimumObjectSize=inputs.get("transitionDefaultMinimumObjectSize"),
        LifecycleConfiguration={"Rules": rules}))
    return Created(inputs["bucket"])


@handles("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
def bucket_ownership_controls(ctx: Context, inputs: Inputs) -> Created:
    ctx.client("s3").put_bucket_ownership_controls(
        Bucket=inputs["bucket"], OwnershipControls={"Rules": [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]})
    return Created(inputs["bucket"])

"""RET-03 cases: versioning on, off or suspended; the data archive's tiering, its boundaries and its filters."""

import json

from controls.cases import case, ref, resource

BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TRAIL = "aws:cloudtrail/trail:Trail"
ACCOUNT = "123456789012"  # the sandbox's (moto's) account
NAME = "s3-ret03-{id}-{suffix}"
TAGS = {"Environment": "{suffix}"}
TIERING = {"days": 0, "storageClass": "INTELLIGENT_TIERING"}


def glacier(days=90, storage_class="GLACIER"):
    return {"days": days, "storageClass": storage_class}


def rule(*transitions, noncurrent=30, status="Enabled", prefix="", rule_id="tier-then-glacier"):
    found = {"id": rule_id, "status": status, "filter": {"prefix": prefix},
             "transitions": list(transitions or [TIERING, glacier()])}
    if noncurrent is not None:
        found["noncurrentVersionExpiration"] = {"noncurrentDays": noncurrent}
    return found


def bucket(**inputs):
    return resource("bucket", BUCKET, bucket=NAME, forceDestroy=True, tags=TAGS, **inputs)


def versioning(status="Enabled"):
    return resource("versioning", VERSIONING, bucket=ref("bucket", "id"), versioningConfiguration={"status": status})


def lifecycle(*rules):
    return resource("lifecycle", LIFECYCLE, bucket=ref("bucket", "id"), rules=list(rules or [rule()]))


def archive(name, expect, *rules, **details):
    """A case about the lifecycle of a versioned data bucket."""
    return case(name, "RET-03", expect, "bucket", bucket(), versioning(), lifecycle(*rules), **details)


def trail_policy() -> str:
    arn, source = f"arn:aws:s3:::{NAME}", {"aws:SourceArn": f"arn:aws:cloudtrail:sa-east-1:{ACCOUNT}:trail/"
                                                            "trail-ret03-{id}-{suffix}"}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "CloudTrailReadsAcl", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": arn, "Condition": {"StringEquals": source}},
        {"Sid": "CloudTrailWrites", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
         "Condition": {"StringEquals": {**source, "s3:x-amz-acl": "bucket-owner-full-control"}}}]})


CASES = [
    archive("ret-03-versioned-archive-tiered", "pass", why="Intelligent-Tiering at once, Glacier at 90 days, "
                                                           "noncurrent versions expire"),
    case("ret-03-not-versioned", "RET-03", "fail", "bucket", bucket(), lifecycle()),
    case("ret-03-versioning-suspended", "RET-03", "fail", "bucket", bucket(), versioning("Suspended"), lifecycle()),
    case("ret-03-inline-versioning", "RET-03", "pass", "bucket", bucket(versioning={"enabled": True}), lifecycle(),
         why="the bucket's own versioning input"),
    case("ret-03-archive-without-lifecycle", "RET-03", "fail", "bucket", bucket(), versioning()),
    archive("ret-03-glacier-after-91-days", "fail", rule(TIERING, glacier(91))),
    archive("ret-03-deep-archive-at-90-days", "pass", rule(TIERING, glacier(90, "DEEP_ARCHIVE")),
            why="Deep Archive is a Glacier storage class"),
    archive("ret-03-no-intelligent-tiering", "fail", rule(glacier(30))),
    archive("ret-03-noncurrent-versions-kept-forever", "fail", rule(noncurrent=None)),
    archive("ret-03-lifecycle-rule-disabled", "fail", rule(status="Disabled")),
    archive("ret-03-tiering-under-a-prefix-only", "fail", rule(prefix="incoming/"),
            why="objects outside incoming/ never leave S3 Standard"),
    archive("ret-03-tiering-split-across-rules", "pass", rule(TIERING, noncurrent=None, rule_id="tier"),
            rule(glacier(60), rule_id="glacier"), why="two enabled rules for every object together do it"),
    case("ret-03-trail-bucket-without-archive-lifecycle", "RET-03", "pass", "bucket", bucket(), versioning(),
         resource("policy", POLICY, bucket=ref("bucket", "id"), policy=trail_policy()),
         resource("trail", TRAIL, name="trail-ret03-{id}-{suffix}", s3BucketName=ref("bucket", "id"),
                  isMultiRegionTrail=False, tags=TAGS),
         why="a trail's bucket keeps log files by RET-05's rules; only its versioning is RET-03's"),
    case("ret-03-trail-bucket-not-versioned", "RET-03", "fail", "bucket", bucket(),
         resource("policy", POLICY, bucket=ref("bucket", "id"), policy=trail_policy()),
         resource("trail", TRAIL, name="trail-ret03-{id}-{suffix}", s3BucketName=ref("bucket", "id"),
                  isMultiRegionTrail=False, tags=TAGS)),
]

"""RET-05 cases: the trail's log group at 30, 90, 3653 days or never expiring; the trail bucket's expiration.

A trail names its log group with a literal ARN (CloudTrail wants the ``:*`` of
every log stream, which a case cannot append to a reference); the sandbox's
account and the render's are both 123456789012.
"""

import json

from controls.cases import case, ref, resource

TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET = "aws:s3/bucket:Bucket"
TAGS = {"Environment": "{suffix}"}
REGION_ACCOUNT = "sa-east-1:123456789012"


def trail_bucket_policy(key: str, bucket_key: str, bucket_name: str):
    """What CloudTrail needs on its bucket (AWS refuses CreateTrail without it)."""
    service = {"Service": "cloudtrail.amazonaws.com"}
    return resource(key, "aws:s3/bucketPolicy:BucketPolicy", bucket=ref(bucket_key, "id"), policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "AclCheck", "Effect": "Allow", "Principal": service, "Action": "s3:GetBucketAcl",
             "Resource": f"arn:aws:s3:::{bucket_name}"},
            {"Sid": "Write", "Effect": "Allow", "Principal": service, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket_name}/AWSLogs/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}))


FIXTURES = [
    resource("retlog-trail-bucket", BUCKET, bucket="s3-retlog-trails-{suffix}", forceDestroy=True, tags=TAGS),
    trail_bucket_policy("retlog-trail-bucket-policy", "@retlog-trail-bucket", "s3-retlog-trails-{suffix}"),
    resource("retlog-trail-role", "aws:iam/role:Role", name="role-retlog-trail-{suffix}", tags=TAGS,
             assumeRolePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
             inlinePolicies=[{"name": "deliver-to-logs", "policy": json.dumps({
                 "Version": "2012-10-17", "Statement": [{
                     "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": f"arn:aws:logs:{REGION_ACCOUNT}:log-group:/retlog/*"}]})}]),
]


def trail(group: str | None = None, bucket=None, **inputs):
    """A trail writing to the shared trail bucket (or ``bucket``), delivering to the log group called ``group``."""
    settings = {"name": "trail-retention-{id}-{suffix}", "s3BucketName": bucket or ref("@retlog-trail-bucket", "id"),
                "tags": TAGS, **inputs}
    if group:
        settings["cloudWatchLogsGroupArn"] = f"arn:aws:logs:{REGION_ACCOUNT}:log-group:{group}:*"
        settings["cloudWatchLogsRoleArn"] = ref("@retlog-trail-role", "arn")
    return resource("trail", TRAIL, **settings)


GROUP = "/retlog/loggroup-trail-{id}-{suffix}"


def with_group(**group_inputs):
    """A trail and its log group."""
    return (resource("group", "aws:cloudwatch/logGroup:LogGroup", name=GROUP, tags=TAGS, **group_inputs),
            trail(GROUP))


def with_bucket(*rules):
    """A trail writing to a bucket of its own, with these lifecycle rules."""
    name = "s3-trail-{id}-{suffix}"
    found = [resource("bucket", BUCKET, bucket=name, forceDestroy=True, tags=TAGS),
             trail_bucket_policy("policy", "bucket", name), trail(bucket=ref("bucket", "id"))]
    if rules:
        found.append(resource("lifecycle", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                              bucket=ref("bucket", "id"), rules=list(rules)))
    return tuple(found)


def expire(days: int, status: str = "Enabled"):
    return {"id": f"expire-{days}", "status": status, "filter": {"prefix": ""}, "expiration": {"days": days}}


CASES = [
    case("ret-05-log-group-90-days", "RET-05", "pass", "trail", *with_group(retentionInDays=90), why="exactly minDays"),
    case("ret-05-log-group-never-expires", "RET-05", "pass", "trail", *with_group(),
         why="a group that never expires keeps the history at least 90 days; RET-04 fails the group for keeping it "
             "forever"),
    case("ret-05-log-group-30-days", "RET-05", "fail", "trail", *with_group(retentionInDays=30)),
    case("ret-05-log-group-60-days", "RET-05", "fail", "trail", *with_group(retentionInDays=60)),
    case("ret-05-log-group-3653-days", "RET-05", "pass", "trail", *with_group(retentionInDays=3653)),
    case("ret-05-no-log-group", "RET-05", "pass", "trail", trail(),
         why="the trail's history lives in its bucket, which keeps it"),
    case("ret-05-bucket-expires-after-30-days", "RET-05", "fail", "trail", *with_bucket(expire(30))),
    case("ret-05-bucket-expires-after-90-days", "RET-05", "pass", "trail", *with_bucket(expire(90))),
    case("ret-05-bucket-expiry-disabled", "RET-05", "pass", "trail", *with_bucket(expire(30, "Disabled")),
         why="a disabled rule expires nothing"),
    case("ret-05-log-group-not-declared", "RET-05", "fail", "trail", trail("/retlog/loggroup-elsewhere-{id}-{suffix}"),
         not_live="CloudTrail refuses a log group that does not exist (InvalidCloudWatchLogsLogGroupArnException)"),
]

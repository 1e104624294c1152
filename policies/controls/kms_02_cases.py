"""KMS-02 cases: a key used by one service, by two, by a trail and its own bucket, and by nothing."""

import json

from controls.cases import case, ref, resource

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SECRET = "aws:secretsmanager/secret:Secret"
QUEUE = "aws:sqs/queue:Queue"
BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TRAIL = "aws:cloudtrail/trail:Trail"
ACCOUNT = "123456789012"  # the sandbox's (moto's) account
TRAIL_ARN = f"arn:aws:cloudtrail:sa-east-1:{ACCOUNT}:trail/trail-kms02-{{id}}-{{suffix}}"
TAGS = {"Environment": "{suffix}"}

# The services the cases encrypt with the key may use it (KMS refuses a log group or a trail otherwise).
KEY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "LogsEncrypt", "Effect": "Allow", "Principal": {"Service": "logs.sa-east-1.amazonaws.com"},
     "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
     "Resource": "*"},
    {"Sid": "CloudTrailEncrypts", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": ["kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
     "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}},
]})


def key(name="key"):
    return resource(name, KEY, description="KMS-02 case", enableKeyRotation=True, deletionWindowInDays=7,
                    policy=KEY_POLICY, tags={**TAGS, "Name": f"kms-kms02{name}-{{id}}-{{suffix}}"})


def log_group(name, key_ref=None):
    return resource(name, LOG_GROUP, name=f"/cases/kms02/log-kms02{name}-{{id}}-{{suffix}}", retentionInDays=30,
                    kmsKeyId=key_ref or ref("key", "arn"), tags=TAGS)


def bucket(name, key_name="key", trail_bucket=False):
    bucket_name = f"s3-kms02{name}-{{id}}-{{suffix}}"
    arn = f"arn:aws:s3:::{bucket_name}"
    statements = [{"Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    if trail_bucket:
        source = {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
        statements += [
            {"Sid": "CloudTrailReadsAcl", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": arn, "Condition": source},
            {"Sid": "CloudTrailWrites", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
             "Condition": {"StringEquals": {**source["StringEquals"], "s3:x-amz-acl": "bucket-owner-full-control"}}},
        ]
    return [
        resource(name, BUCKET, bucket=bucket_name, forceDestroy=True, tags=TAGS),
        resource(f"{name}-sse", SSE, bucket=ref(name, "id"), rules=[{"applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms", "kmsMasterKeyId": ref(key_name, "arn")}, "bucketKeyEnabled": True}]),
        resource(f"{name}-policy", POLICY, bucket=ref(name, "id"),
                 policy=json.dumps({"Version": "2012-10-17", "Statement": statements})),
    ]


def trail(bucket_name, key_name="key"):
    return resource("trail", TRAIL, name="trail-kms02-{id}-{suffix}", s3BucketName=ref(bucket_name, "id"),
                    kmsKeyId=ref(key_name, "arn"), isMultiRegionTrail=False, enableLogFileValidation=True,
                    tags=TAGS)


CASES = [
    case("kms-02-one-service-two-log-groups", "KMS-02", "pass", "key", key(), log_group("a"), log_group("b")),
    case("kms-02-log-group-and-secret", "KMS-02", "fail", "key", key(), log_group("a"),
         resource("secret", SECRET, name="secret-kms02-{id}-{suffix}", kmsKeyId=ref("key", "arn"), tags=TAGS),
         why="CloudWatch Logs and Secrets Manager share one key"),
    case("kms-02-queue-by-literal-alias-and-log-group", "KMS-02", "fail", "key", key(),
         resource("alias", ALIAS, name="alias/kms-kms02-{id}-{suffix}", targetKeyId=ref("key", "id")),
         resource("queue", QUEUE, name="sqs-kms02-{id}-{suffix}", kmsMasterKeyId="alias/kms-kms02-{id}-{suffix}",
                  tags=TAGS),
         log_group("a"), why="the queue names the key by its alias's literal name"),
    case("kms-02-unused-key", "KMS-02", "pass", "key", key(), why="a key no resource uses shares nothing"),
    case("kms-02-trail-and-its-own-bucket", "KMS-02", "pass", "key", key(), *bucket("logs", trail_bucket=True),
         trail("logs"), why="the bucket a trail writes to belongs to CloudTrail"),
    case("kms-02-trail-and-a-data-bucket", "KMS-02", "fail", "key", key(), key("other"),
         *bucket("logs", key_name="other", trail_bucket=True), *bucket("data"), trail("logs"),
         why="the trail and a data bucket no trail writes to share the key"),
]

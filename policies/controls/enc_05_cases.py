"""ENC-05 cases: the TLS denial however it is written, and the default key however it is named."""

import json

from controls.cases import case, ref, resource

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"

NAME = "s3-enc05-{id}-{suffix}"
BUCKET_ARN = f"arn:aws:s3:::{NAME}"
OBJECTS = f"{BUCKET_ARN}/*"
S3_ALIAS = "alias/kms-enc05s3-{suffix}"
ACCOUNT_ROOT = "arn:aws:iam::123456789012:root"  # the sandbox's (moto's) account
REGION_ACCOUNT = "sa-east-1:123456789012"  # the case stack's region and the sandbox's account
TLS_FALSE = {"Bool": {"aws:SecureTransport": "false"}}
NOT_BUCKET = ("S3 refuses a bucket policy whose resources are not the bucket or its objects (MalformedPolicy: "
              "Policy has invalid resource)")

FIXTURES = [
    resource("keys-enc05-s3", KEY, description="ENC-05 cases: the S3 key", enableKeyRotation=True,
             deletionWindowInDays=7, tags={"Environment": "{suffix}", "Name": "kms-enc05s3-{suffix}"}),
    resource("keys-enc05-s3-alias", ALIAS, name=S3_ALIAS, targetKeyId=ref("@keys-enc05-s3", "id")),
]
CMK = ref("@keys-enc05-s3", "arn")


def denial(resources=(BUCKET_ARN, OBJECTS), condition=None, principal="*", action="s3:*", element="Resource"):
    return {"Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": principal, "Action": action,
            element: list(resources), "Condition": TLS_FALSE if condition is None else condition}


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def sse_rule(algorithm="aws:kms", key=CMK):
    default = {"sseAlgorithm": algorithm}
    if key is not None:
        default["kmsMasterKeyId"] = key
    return {"applyServerSideEncryptionByDefault": default, "bucketKeyEnabled": algorithm != "AES256"}


def bucket(**inputs):
    return resource("bucket", BUCKET, bucket=NAME, forceDestroy=True, tags={"Environment": "{suffix}"}, **inputs)


def sse(*rules):
    return resource("sse", SSE, bucket=ref("bucket", "id"), rules=list(rules or [sse_rule()]))


def policy(*statements):
    return resource("policy", POLICY, bucket=ref("bucket", "id"), policy=document(*(statements or [denial()])))


def tls(name, expect, *statements, **details):
    """A case about the TLS denial: the bucket's encryption is compliant."""
    return case(name, "ENC-05", expect, "bucket", bucket(), sse(), policy(*statements), **details)


def key(name, expect, *rules, **details):
    """A case about the default key: the bucket's policy is compliant."""
    return case(name, "ENC-05", expect, "bucket", bucket(), sse(*rules), policy(), **details)


CASES = [
    tls("enc-05-compliant-key-arn-tls-on-bucket-and-objects", "pass", denial(),
        why="SSE-KMS with the stack's key by ARN; plain HTTP denied to the bucket and its objects, condition \"false\""),
    tls("enc-05-tls-deny-objects-only", "fail", denial([OBJECTS]),
        why="ListBucket and the bucket's configuration stay reachable over plain HTTP"),
    tls("enc-05-tls-deny-bucket-only", "fail", denial([BUCKET_ARN]),
        why="the objects stay reachable over plain HTTP"),
    tls("enc-05-tls-deny-split-across-two-statements", "pass", denial([BUCKET_ARN]), denial([OBJECTS]),
        why="two denials together cover the bucket and its objects"),
    tls("enc-05-tls-condition-boolean-false", "pass",
        denial(condition={"Bool": {"aws:SecureTransport": False}}), why="IAM reads false and \"false\" alike"),
    tls("enc-05-tls-condition-bool-if-exists", "pass",
        denial(condition={"BoolIfExists": {"aws:SecureTransport": "false"}})),
    tls("enc-05-tls-deny-aws-star-principal", "pass", denial(principal={"AWS": "*"})),
    tls("enc-05-tls-deny-account-principal", "fail", denial(principal={"AWS": ACCOUNT_ROOT}),
        why="only the account's own principals are denied plain HTTP; everyone else is not"),
    tls("enc-05-tls-deny-narrowed-by-another-condition-key", "fail",
        denial(condition={"Bool": {"aws:SecureTransport": "false"},
                          "StringEquals": {"aws:PrincipalAccount": "123456789012"}}),
        why="the denial applies only to one account's requests"),
    tls("enc-05-tls-deny-narrowed-inside-bool", "fail",
        denial(condition={"Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": "false"}})),
    tls("enc-05-tls-deny-secure-transport-true", "fail",
        denial(condition={"Bool": {"aws:SecureTransport": "true"}}), why="denies TLS, not plain HTTP"),
    tls("enc-05-tls-deny-some-actions-only", "fail", denial(action=["s3:GetObject", "s3:PutObject"])),
    tls("enc-05-tls-deny-bucket-name-wildcard", "pass", denial([f"{BUCKET_ARN}*"]),
        why="an IAM wildcard after the name reaches the bucket and every object"),
    tls("enc-05-tls-deny-single-character-wildcard", "fail", denial([BUCKET_ARN, f"{BUCKET_ARN}/?"]),
        why="? matches one-character object keys only"),
    tls("enc-05-tls-deny-not-resource-excludes-a-prefix", "fail",
        denial([f"{BUCKET_ARN}/public/*"], element="NotResource"),
        why="objects under public/ stay reachable over plain HTTP"),
    tls("enc-05-tls-deny-not-resource-elsewhere", "pass",
        denial(["arn:aws:s3:::s3-elsewhere-{suffix}/*"], element="NotResource"),
        why="a Deny with NotResource denies everything it does not name", not_live=NOT_BUCKET),
    tls("enc-05-tls-deny-on-another-bucket", "fail",
        denial(["arn:aws:s3:::s3-elsewhere-{suffix}", "arn:aws:s3:::s3-elsewhere-{suffix}/*"]),
        not_live=NOT_BUCKET),
    tls("enc-05-policy-without-tls-denial", "fail",
        {"Sid": "AccountReads", "Effect": "Allow", "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "s3:GetObject",
         "Resource": OBJECTS}),
    case("enc-05-no-bucket-policy", "ENC-05", "fail", "bucket", bucket(), sse()),
    case("enc-05-inline-bucket-policy", "ENC-05", "pass", "bucket", bucket(policy=document(denial())), sse(),
         why="the bucket's own policy input carries the denial"),
    key("enc-05-sse-s3-aes256", "fail", sse_rule("AES256", None)),
    key("enc-05-sse-kms-without-key", "fail", sse_rule(key=None),
        why="aws:kms without a key encrypts with the AWS-managed aws/s3 key"),
    key("enc-05-sse-aws-managed-alias", "fail", sse_rule(key="alias/aws/s3")),
    key("enc-05-sse-aws-managed-alias-arn", "fail", sse_rule(key=f"arn:aws:kms:{REGION_ACCOUNT}:alias/aws/s3")),
    key("enc-05-sse-cmk-alias-name", "pass", sse_rule(key=S3_ALIAS),
        why="the literal name of an alias the stack declares"),
    key("enc-05-sse-cmk-alias-arn", "pass", sse_rule(key=ref("@keys-enc05-s3-alias", "arn"))),
    key("enc-05-sse-cmk-alias-arn-literal", "pass", sse_rule(key=f"arn:aws:kms:{REGION_ACCOUNT}:{S3_ALIAS}")),
    key("enc-05-sse-cmk-key-id", "pass", sse_rule(key=ref("@keys-enc05-s3", "id"))),
    key("enc-05-sse-dsse-cmk", "pass", sse_rule("aws:kms:dsse")),
    key("enc-05-sse-key-outside-the-stack", "fail",
        sse_rule(key="arn:aws:kms:sa-east-1:999999999999:key/0b0c0d0e-1111-2222-3333-444455556666"),
        why="its manager cannot be verified before the deploy",
        not_live="the declaring layers cannot see another account's key; the audit resolves it where it lives"),
    case("enc-05-no-default-encryption", "ENC-05", "fail", "bucket", bucket(), policy(),
         why="S3 encrypts with its own key (SSE-S3)"),
    case("enc-05-inline-sse-cmk", "ENC-05", "pass", "bucket",
         bucket(serverSideEncryptionConfiguration={"rule": sse_rule()}), policy()),
    case("enc-05-inline-sse-aes256", "ENC-05", "fail", "bucket",
         bucket(serverSideEncryptionConfiguration={"rule": sse_rule("AES256", None)}), policy()),
]

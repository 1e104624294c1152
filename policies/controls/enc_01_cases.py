"""ENC-01 cases, and what every ENC-xx case table shares: the services' keys and the key spellings.

``FIXTURES`` holds one customer-managed key and one alias per service
(``@enc-key-<service>``, ``@enc-alias-<service>``), the role the ENC-09 functions
run as and the bucket the ENC-08 trails write to. ``key_cases`` gives the cases
every encryption control has for the key part: the key named by alias name, alias
ARN, key ID and key ARN, each an output of the fixtures (``ref``), all expected to
pass, for the spellings the service's API accepts (CloudWatch Logs and Lambda take
a key ARN only; AWS refuses the other spellings at deploy, so those are not cases).
"""

import json

from controls.cases import case, ref, resource

ACCOUNT, REGION = "123456789012", "sa-east-1"  # the sandbox's account and the case runner's region
TAGS = {"Environment": "{suffix}"}
SPELLINGS = {"alias-name": ("@enc-alias-{}", "name"), "alias-arn": ("@enc-alias-{}", "arn"),
             "key-id": ("@enc-key-{}", "id"), "key-arn": ("@enc-key-{}", "arn")}
SERVICES = {"kinesis": "kinesis.amazonaws.com", "rds": "rds.amazonaws.com", "elasticache": "elasticache.amazonaws.com",
            "secrets": "secretsmanager.amazonaws.com", "dynamodb": "dynamodb.amazonaws.com",
            "logs": f"logs.{REGION}.amazonaws.com", "cloudtrail": "cloudtrail.amazonaws.com",
            "lambda": "lambda.amazonaws.com"}
STREAM = "aws:kinesis/stream:Stream"


def _key_policy(service: str) -> str:
    """The account administers the key; the service may use it (CloudTrail and Logs need that to accept it)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Service", "Effect": "Allow", "Principal": {"Service": service},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"}]})


def _keys(service: str, principal: str) -> list:
    return [resource(f"enc-key-{service}", "aws:kms/key:Key", description=f"ENC cases: the {service} key",
                     enableKeyRotation=True, deletionWindowInDays=7, policy=_key_policy(principal), tags=TAGS),
            resource(f"enc-alias-{service}", "aws:kms/alias:Alias", name=f"alias/kms-enc{service}-{{suffix}}",
                     targetKeyId=ref(f"@enc-key-{service}", "id"))]


_TRAIL_BUCKET = "s3-enctrail-{suffix}"
FIXTURES = [
    *(r for service, principal in SERVICES.items() for r in _keys(service, principal)),
    resource("enc-role-lambda", "aws:iam/role:Role", name="role-enclambda-{suffix}", tags=TAGS,
             assumeRolePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
    resource("enc-trail-bucket", "aws:s3/bucket:Bucket", bucket=_TRAIL_BUCKET, forceDestroy=True, tags=TAGS),
    resource("enc-trail-bucket-policy", "aws:s3/bucketPolicy:BucketPolicy", bucket=ref("@enc-trail-bucket", "id"),
             policy=json.dumps({"Version": "2012-10-17", "Statement": [
                 {"Sid": "AclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                  "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{_TRAIL_BUCKET}"},
                 {"Sid": "Write", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                  "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{_TRAIL_BUCKET}/AWSLogs/{ACCOUNT}/*",
                  "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]})),
]


def key_of(service: str, spelling: str):
    """The fixture output that names ``service``'s key in ``spelling`` (a key of SPELLINGS)."""
    key, output = SPELLINGS[spelling]
    return ref(key.format(service), output)


def key_cases(control: str, prefix: str, service: str, subject: str, make, spellings=tuple(SPELLINGS), **details):
    """One passing case per spelling: ``make(key)`` gives the case's resources, the subject under ``subject``."""
    return [case(f"{prefix}-key-as-{spelling}", control, "pass", subject, *make(key_of(service, spelling)),
                 why=f"a customer-managed key of the stack, named by its {spelling.replace('-', ' ')}", **details)
            for spelling in spellings]


def aws_alias_arn(service: str) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/{service}"


def stream(key=None, **inputs):
    settings = {"encryptionType": "KMS", "tags": TAGS, **({"kmsKeyId": key} if key is not None else {}), **inputs}
    return resource("stream", STREAM, name="kinesis-{id}-{suffix}", shardCount=1, **settings)


CASES = [
    *key_cases("ENC-01", "enc-01", "kinesis", "stream", lambda key: (stream(key),)),
    case("enc-01-key-as-literal-alias-name-of-the-stack", "ENC-01", "pass", "stream",
         stream("alias/kms-enckinesis-{suffix}", tags={**TAGS, "KeyAlias": ref("@enc-alias-kinesis", "name")}),
         why="a literal alias name resolves to the stack's alias in every layer (the tag only declares the alias)"),
    case("enc-01-key-as-literal-alias-arn-of-the-stack", "ENC-01", "pass", "stream",
         stream(f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/kms-enckinesis-{{suffix}}",
                tags={**TAGS, "KeyAlias": ref("@enc-alias-kinesis", "name")})),
    case("enc-01-aws-managed-alias", "ENC-01", "fail", "stream", stream("alias/aws/kinesis")),
    case("enc-01-aws-managed-alias-arn", "ENC-01", "fail", "stream", stream(aws_alias_arn("kinesis"))),
    case("enc-01-key-id-outside-the-stack", "ENC-01", "fail", "stream", stream("1234abcd-12ab-34cd-56ef-1234567890ab"),
         why="a literal key the stack does not declare cannot be verified before the deploy",
         not_live="AWS refuses a key ID that names no key of the account (KMS NotFound at StartStreamEncryption)"),
    case("enc-01-kms-without-key", "ENC-01", "fail", "stream", stream(),
         not_live="AWS refuses KMS stream encryption without a key (StartStreamEncryption needs KeyId)"),
    case("enc-01-encryption-none", "ENC-01", "fail", "stream", stream(encryptionType="NONE")),
    case("enc-01-encryption-type-absent", "ENC-01", "fail", "stream",
         resource("stream", STREAM, name="kinesis-{id}-{suffix}", shardCount=1, tags=TAGS,
                  kmsKeyId=key_of("kinesis", "key-arn")),
         why="without encryptionType the stream is not encrypted, whatever key it names"),
]

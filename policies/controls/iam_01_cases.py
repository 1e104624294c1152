"""IAM-01 cases: broad actions on every resource, however the grant is written or attached."""

import json

from controls.cases import case, ref, resource
from controls.net_02_cases import TAGS

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

AWS_POLICY_GAP = ("moto holds no AWS-managed policies unless started with MOTO_IAM_LOAD_MANAGED_POLICIES=true: the "
                  "sandbox records the attachment as a gap")
VENDOR_WILDCARD = ("IAM refuses a wildcard in the service prefix (MalformedPolicyDocument: Action vendors must not "
                   "contain wildcards); moto refuses s*:* too, but accepts *:*")
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"Service": "lambda.amazonaws.com"}}]})
BUCKET = "arn:aws:s3:::s3-archive-{id}-{suffix}"


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource_="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource_, **extra}


def role(key: str = "role", **inputs):
    return resource(key, ROLE, name=f"role-{key}-{{id}}-{{suffix}}", assumeRolePolicy=TRUST, tags=TAGS, **inputs)


def inline(*statements, key: str = "role"):
    return role(key, inlinePolicies=[{"name": "grants", "policy": doc(*statements)}])


def role_policy(*statements, key: str = "grants"):
    return resource(key, ROLE_POLICY, name=f"policy-{key}-{{id}}-{{suffix}}", role=ref("role"),
                    policy=doc(*statements))


def attach(arn, key: str = "attach"):
    return resource(key, ATTACHMENT, role=ref("role"), policyArn=arn)


CASES = [
    case("iam-01-listed-actions-on-named-resources", "IAM-01", "pass", "role",
         inline(allow(["s3:GetObject", "s3:PutObject"], f"{BUCKET}/*"), allow("kinesis:GetRecords", "arn:aws:kinesis:"
                "sa-east-1:123456789012:stream/kinesis-telemetry-{suffix}"))),
    case("iam-01-service-wildcard-on-everything", "IAM-01", "fail", "role", inline(allow("s3:*"))),
    case("iam-01-every-action-on-everything", "IAM-01", "fail", "grants", role(), role_policy(allow("*")),
         live_subject="role"),
    case("iam-01-any-service-wildcard", "IAM-01", "fail", "role", inline(allow("*:*")), not_live=VENDOR_WILDCARD),
    case("iam-01-double-wildcard", "IAM-01", "fail", "role", inline(allow(["kinesis:GetRecords", "s3:**"])),
         why="s3:** is s3:* written twice"),
    case("iam-01-wildcard-in-service-prefix", "IAM-01", "fail", "role", inline(allow("s*:*")),
         not_live=VENDOR_WILDCARD,
         why="every action of every service starting with s, had IAM accepted it"),
    case("iam-01-not-action-on-everything", "IAM-01", "fail", "role",
         inline({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
         why="NotAction allows every action it does not list"),
    case("iam-01-not-resource", "IAM-01", "fail", "role",
         inline({"Sid": "AllButOne", "Effect": "Allow", "Action": "s3:*", "NotResource": f"{BUCKET}/*"}),
         why="NotResource allows every resource it does not list"),
    case("iam-01-every-resource-of-a-service", "IAM-01", "fail", "role", inline(allow("s3:*", "arn:aws:s3:::*")),
         why="arn:aws:s3:::* is every bucket and object"),
    case("iam-01-wildcard-arn", "IAM-01", "fail", "role", inline(allow("dynamodb:*", "arn:aws:*:*:*:*"))),
    case("iam-01-condition-does-not-narrow-the-grant", "IAM-01", "fail", "role",
         inline(allow("s3:*", Condition={"Bool": {"aws:SecureTransport": "true"}}))),
    case("iam-01-partial-wildcard-action", "IAM-01", "pass", "role", inline(allow("s3:Get*")),
         why="s3:Get* is not every action of the service"),
    case("iam-01-wildcard-action-on-one-bucket", "IAM-01", "pass", "role", inline(allow("s3:*", BUCKET)),
         why="every action, but on one named resource"),
    case("iam-01-deny-everything", "IAM-01", "pass", "role",
         inline({"Effect": "Deny", "Action": "*", "Resource": "*"}, allow("s3:GetObject", f"{BUCKET}/*")),
         why="a Deny grants nothing"),
    case("iam-01-aws-managed-administrator", "IAM-01", "fail", "role",
         role(managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"]), gaps={"live": AWS_POLICY_GAP}),
    case("iam-01-attached-full-access", "IAM-01", "fail", "attach", role(),
         attach("arn:aws:iam::aws:policy/AmazonS3FullAccess"), live_subject="role", gaps={"live": AWS_POLICY_GAP}),
    case("iam-01-attached-narrow-aws-policy", "IAM-01", "pass", "attach", role(),
         attach("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"), live_subject="role", gaps={"live": AWS_POLICY_GAP},
         why="read-only actions (s3:Get*, s3:List*) on every resource are not service:*"),
    case("iam-01-customer-policy-with-wildcards", "IAM-01", "fail", "policy", role(),
         resource("policy", POLICY, name="policy-wide-{id}-{suffix}", policy=doc(allow("kinesis:*")), tags=TAGS),
         attach(ref("policy", "arn")), live_subject="role"),
]

"""Violation variants of the compliant platform, one or more per policy.

Each case changes the compliant platform (``platform.platform()``) and names
the policy that must catch it, the resource it must be reported on, a phrase
of the fix the message must carry, and any other resources that legitimately
fail the same control (e.g. a bucket whose encryption configuration fails).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compliance_tests.gate.harness import resource
from compliance_tests.policies.platform import doc
from rules import types as t

Resources = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Case:
    id: str
    policy: str
    target: str
    change: Callable[[Resources], None]
    fix: str
    also: tuple[str, ...] = ()
    also_controls: tuple[str, ...] = ()  # other controls the same change rightly fails (they must fail too)

    @property
    def control(self) -> str:
        return self.policy[:6].upper()


def put(key: str, **inputs: Any) -> Callable[[Resources], None]:
    def change(r: Resources) -> None:
        r[key]["inputs"].update(inputs)
    return change


def _recompute_dependencies(res: dict[str, Any]) -> None:
    res["dependencies"] = sorted({u for urns in res["propertyDependencies"].values() for u in urns})


def drop(key: str, *names: str) -> Callable[[Resources], None]:
    def change(r: Resources) -> None:
        for name in names:
            r[key]["inputs"].pop(name)
            r[key]["propertyDependencies"].pop(name, None)
        _recompute_dependencies(r[key])
    return change


def rewire(key: str, prop: str, *sources: str, value: Any = None) -> Callable[[Resources], None]:
    """Make ``prop`` of ``key`` computed from other resources (or from none: a literal)."""
    def change(r: Resources) -> None:
        r[key]["propertyDependencies"][prop] = sorted(r[s]["urn"] for s in sources)
        _recompute_dependencies(r[key])
        if value is not None:
            r[key]["inputs"][prop] = value
    return change


def remove(*keys: str) -> Callable[[Resources], None]:
    def change(r: Resources) -> None:
        gone = {r.pop(key)["urn"] for key in keys}
        for res in r.values():  # what referred to it now holds a literal
            res["propertyDependencies"] = {p: [u for u in urns if u not in gone]
                                           for p, urns in res["propertyDependencies"].items()}
            _recompute_dependencies(res)
    return change


def add(key: str, type_token: str, name: str, inputs: dict[str, Any],
        deps: dict[str, list[str]] | None = None) -> Callable[[Resources], None]:
    def change(r: Resources) -> None:
        r[key] = resource(type_token, name, inputs, deps={p: [r[s] for s in srcs] for p, srcs in (deps or {}).items()})
    return change


def both(*changes: Callable[[Resources], None]) -> Callable[[Resources], None]:
    def change(r: Resources) -> None:
        for step in changes:
            step(r)
    return change


def options(key: str, **opts: Any) -> Callable[[Resources], None]:
    def change(r: Resources) -> None:
        r[key]["options"].update(opts)
    return change


def tls_denial(key: str, **changes: Any) -> Callable[[Resources], None]:
    """The bucket policy's TLS denial with some of its fields changed."""
    def change(r: Resources) -> None:
        statement = json.loads(r[key]["inputs"]["policy"])["Statement"][0]
        r[key]["inputs"]["policy"] = doc({**statement, **changes})
    return change


WORLD_OPEN_INGRESS = [{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}]
WILDCARD = doc({"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"})

CASES: list[Case] = [
    # ENC-01
    Case("kinesis-unencrypted", "enc-01-kinesis-customer-managed-key", "stream",
         both(put("stream", encryptionType="NONE"), drop("stream", "kmsKeyId")), 'set encryptionType to "KMS"'),
    Case("kinesis-no-key", "enc-01-kinesis-customer-managed-key", "stream", drop("stream", "kmsKeyId"),
         "set kmsKeyId"),
    Case("kinesis-aws-managed-key", "enc-01-kinesis-customer-managed-key", "stream",
         both(drop("stream", "kmsKeyId"), put("stream", kmsKeyId="alias/aws/kinesis")), "AWS-managed key"),
    # ENC-02
    Case("aurora-unencrypted", "enc-02-aurora-customer-managed-key", "cluster",
         put("cluster", storageEncrypted=False), "set storageEncrypted to true"),
    Case("aurora-default-key", "enc-02-aurora-customer-managed-key", "cluster", drop("cluster", "kmsKeyId"),
         "set kmsKeyId to the ARN of the Aurora key"),
    # ENC-03
    Case("redis-no-at-rest", "enc-03-redis-encryption-and-auth", "redis",
         put("redis", atRestEncryptionEnabled=False), "set atRestEncryptionEnabled to true"),
    Case("redis-no-transit", "enc-03-redis-encryption-and-auth", "redis", drop("redis", "transitEncryptionEnabled"),
         "set transitEncryptionEnabled to true"),
    Case("redis-no-auth", "enc-03-redis-encryption-and-auth", "redis", drop("redis", "authToken"),
         "set authToken"),
    Case("redis-empty-auth-token", "enc-03-redis-encryption-and-auth", "redis",
         put("redis", authToken="", userGroupIds=""), "set authToken"),
    Case("redis-transit-preferred", "enc-03-redis-encryption-and-auth", "redis",
         put("redis", transitEncryptionMode="preferred"), 'set transitEncryptionMode to "required"'),
    Case("redis-default-key", "enc-03-redis-encryption-and-auth", "redis", drop("redis", "kmsKeyId"),
         "the ElastiCache key"),
    Case("redis-standalone-cluster", "enc-03-redis-encryption-and-auth", "cache-node",
         add("cache-node", t.ELASTICACHE_CLUSTER, "cache", {"clusterId": "redis-node-dev", "engine": "redis"}),
         "aws.elasticache.ReplicationGroup"),
    # ENC-04
    Case("secret-default-key", "enc-04-secret-customer-managed-key", "secret", drop("secret", "kmsKeyId"),
         "the Secrets Manager key"),
    Case("rds-managed-secret-default-key", "enc-04-rds-managed-secret-customer-managed-key", "cluster",
         drop("cluster", "masterUserSecretKmsKeyId"), "set masterUserSecretKmsKeyId"),
    # ENC-05
    Case("s3-sse-aes256", "enc-05-s3-default-encryption-sse-kms", "sse-raw-archive",
         put("sse-raw-archive", rules=[{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]),
         'set sseAlgorithm to "aws:kms"', also=("bucket-raw-archive",)),
    Case("s3-no-default-encryption", "enc-05-s3-bucket-encrypted-and-tls-only", "bucket-raw-archive",
         remove("sse-raw-archive"), "add a BucketServerSideEncryptionConfiguration"),
    Case("s3-policy-allows-http", "enc-05-s3-bucket-policy-denies-plain-http", "policy-raw-archive",
         put("policy-raw-archive", policy=doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                                               "Action": "s3:GetObject", "Resource": "*"})),
         "aws:SecureTransport", also=("bucket-raw-archive",)),
    Case("s3-no-bucket-policy", "enc-05-s3-bucket-encrypted-and-tls-only", "bucket-trail-logs",
         remove("policy-trail-logs"), "add a BucketPolicy that denies s3:*"),
    Case("s3-tls-deny-on-another-bucket", "enc-05-s3-bucket-policy-denies-plain-http", "policy-raw-archive",
         tls_denial("policy-raw-archive", Resource=["arn:aws:s3:::some-other-bucket", "arn:aws:s3:::some-other-bucket/*"]),
         "to the bucket and its objects", also=("bucket-raw-archive",)),
    Case("s3-tls-deny-on-the-bucket-only", "enc-05-s3-bucket-policy-denies-plain-http", "policy-raw-archive",
         tls_denial("policy-raw-archive", Resource=["arn:aws:s3:::s3-raw-archive-dev"]),
         "to the bucket and its objects", also=("bucket-raw-archive",)),
    Case("s3-tls-deny-narrowed-by-a-condition", "enc-05-s3-bucket-policy-denies-plain-http", "policy-raw-archive",
         tls_denial("policy-raw-archive", Condition={"Bool": {"aws:SecureTransport": "false"},
                                                     "StringEquals": {"aws:PrincipalAccount": "999999999999"}}),
         "and no other condition", also=("bucket-raw-archive",)),
    Case("s3-inline-aes256", "enc-05-s3-bucket-encrypted-and-tls-only", "bucket-raw-archive",
         both(remove("sse-raw-archive"), put("bucket-raw-archive", serverSideEncryptionConfiguration={
             "rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}})),
         'set sseAlgorithm to "aws:kms"'),
    # ENC-06
    Case("dynamodb-aws-owned-key", "enc-06-dynamodb-customer-managed-key", "table",
         drop("table", "serverSideEncryption"), "set serverSideEncryption"),
    Case("dynamodb-sse-disabled", "enc-06-dynamodb-customer-managed-key", "table",
         put("table", serverSideEncryption={"enabled": False}), "serverSideEncryption.enabled to true"),
    # ENC-07 .. ENC-09
    Case("log-group-no-key", "enc-07-log-group-customer-managed-key", "log-processor",
         drop("log-processor", "kmsKeyId"), "the CloudWatch Logs key"),
    Case("trail-aws-managed-key", "enc-08-cloudtrail-customer-managed-key", "trail",
         both(drop("trail", "kmsKeyId"), put("trail", kmsKeyId="alias/aws/cloudtrail")), "the CloudTrail key"),
    Case("lambda-env-default-key", "enc-09-lambda-environment-customer-managed-key", "function",
         drop("function", "kmsKeyArn"), "set kmsKeyArn"),
    Case("sqs-aws-managed-key", "enc-09-sqs-customer-managed-key", "dlq",
         both(drop("dlq", "kmsMasterKeyId"), put("dlq", kmsMasterKeyId="alias/aws/sqs")), "AWS-managed key"),
    # ENC-10
    Case("aurora-force-ssl-off", "enc-10-aurora-force-ssl", "cluster",
         put("rds-params", parameters=[{"name": "rds.force_ssl", "value": "0"}]), "set rds.force_ssl = 1"),
    Case("aurora-default-parameter-group", "enc-10-aurora-force-ssl", "cluster",
         drop("cluster", "dbClusterParameterGroupName"), "attach a ClusterParameterGroup"),
    Case("proxy-tls-not-required", "enc-10-rds-proxy-requires-tls", "proxy", put("proxy", requireTls=False),
         "set requireTls to true"),
    Case("proxy-tls-unset", "enc-10-rds-proxy-requires-tls", "proxy", drop("proxy", "requireTls"),
         "set requireTls to true"),
    # KMS-01 .. KMS-03
    Case("key-not-rotated", "kms-01-key-rotation-enabled", "key-kinesis", put("key-kinesis", enableKeyRotation=False),
         "set enableKeyRotation to true"),
    Case("key-shared-by-two-services", "kms-02-one-key-per-service", "key-s3",
         both(drop("dlq", "kmsMasterKeyId"), put("dlq", kmsMasterKeyId="arn:aws:kms:sa-east-1:123456789012:key/s3"),
              rewire("dlq", "kmsMasterKeyId", "key-s3")), "give each service its own key"),
    # kms-02-key-references-resolve-in-stack merged away: a key reference no layer can resolve is failed by the
    # encryption control of the setting that holds it (controls.keys.judge_key).
    Case("key-from-outside-the-stack", "enc-01-kinesis-customer-managed-key", "stream",
         rewire("stream", "kmsKeyId", value="arn:aws:kms:sa-east-1:999999999999:key/elsewhere"),
         "names no key declared in this stack"),
    # kms-02-key-references-resolve-in-stack merged away: a key reference no layer can resolve is failed by the
    # encryption control of the setting that holds it (controls.keys.judge_key), here ENC-05's.
    Case("key-from-outside-the-stack", "enc-05-s3-default-encryption-sse-kms", "sse-raw-archive",
         both(rewire("sse-raw-archive", "rules"), put("sse-raw-archive", rules=[{"applyServerSideEncryptionByDefault": {
             "sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:sa-east-1:999999999999:key/elsewhere"}}])),
         "names no key declared in this stack", also=("bucket-raw-archive",)),
    Case("key-policy-public", "kms-03-key-policy-no-public-principal", "key-logs",
         put("key-logs", policy=doc({"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt",
                                     "Resource": "*"})), "name the account root"),
    Case("key-policy-not-principal", "kms-03-key-policy-no-public-principal", "key-logs",
         put("key-logs", policy=doc({"Sid": "AllButOne", "Effect": "Allow",
                                     "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/role-other-dev"},
                                     "Action": "kms:*", "Resource": "*"})), "every principal but NotPrincipal"),
    Case("key-policy-resource-public", "kms-03-key-policy-resources-on-their-key", "key-logs",
         add("key-policy-logs", t.KMS_KEY_POLICY, "logs", {"keyId": "key-logs", "policy": doc(
             {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"})},
             deps={"keyId": ["key-logs"]}), "name the account root", also=("key-policy-logs",)),
    Case("key-deletion-window-short", "kms-03-key-deletion-window", "key-dynamodb",
         put("key-dynamodb", deletionWindowInDays=3.0), "set it between 7 and 30"),
    # RET-01 .. RET-05
    Case("aurora-backups-short", "ret-01-aurora-backup-retention", "cluster",
         put("cluster", backupRetentionPeriod=7.0), "set backupRetentionPeriod to 30 or more"),
    Case("aurora-backups-default", "ret-01-aurora-backup-retention", "cluster",
         drop("cluster", "backupRetentionPeriod"), "AWS keeps 1 day"),
    Case("dynamodb-no-pitr", "ret-02-dynamodb-point-in-time-recovery", "table",
         drop("table", "pointInTimeRecovery"), "set pointInTimeRecovery"),
    Case("s3-versioning-suspended", "ret-03-s3-versioning-enabled", "versioning-raw-archive",
         put("versioning-raw-archive", versioningConfiguration={"status": "Suspended"}), 'set it to "Enabled"',
         also=("bucket-raw-archive",)),
    Case("s3-not-versioned", "ret-03-s3-bucket-versioned-and-archive-tiered", "bucket-trail-logs",
         remove("versioning-trail-logs"), 'add a BucketVersioning with status "Enabled"'),
    Case("archive-never-to-glacier", "ret-03-s3-bucket-versioned-and-archive-tiered", "bucket-raw-archive",
         put("lifecycle-raw-archive", rules=[{"id": "tier", "status": "Enabled", "transitions": [
             {"days": 0.0, "storageClass": "INTELLIGENT_TIERING"}, {"days": 365.0, "storageClass": "GLACIER"}],
             "noncurrentVersionExpiration": {"noncurrentDays": 30.0}}]), "GLACIER at 90 days or sooner"),
    Case("archive-without-lifecycle", "ret-03-s3-bucket-versioned-and-archive-tiered", "bucket-raw-archive",
         remove("lifecycle-raw-archive"), "INTELLIGENT_TIERING"),
    Case("log-group-short-retention", "ret-04-log-group-retention", "log-processor",
         put("log-processor", retentionInDays=7.0), "set retentionInDays to 30 or more"),
    Case("log-group-never-expires", "ret-04-log-group-retention", "log-trail", drop("log-trail", "retentionInDays"),
         "never expire"),
    Case("trail-log-group-short", "ret-05-cloudtrail-log-retention", "trail",
         put("log-trail", retentionInDays=30.0), "set retentionInDays to 90 or more"),
    Case("trail-log-group-elsewhere", "ret-05-cloudtrail-log-retention", "trail",
         both(rewire("trail", "cloudWatchLogsGroupArn"),
              put("trail", cloudWatchLogsGroupArn="arn:aws:logs:sa-east-1:123456789012:log-group:/other/trail:*")),
         "declare the log group in the program"),
    Case("trail-bucket-expires-early", "ret-05-cloudtrail-log-retention", "trail",
         put("lifecycle-trail-logs", rules=[{"id": "expire", "status": "Enabled", "expiration": {"days": 30.0}}]),
         "expire them after 90 days or more"),
    # NET-01 .. NET-04
    Case("sg-inline-world-ingress", "net-01-no-world-open-ingress", "sg-processor",
         put("sg-processor", ingress=WORLD_OPEN_INGRESS), "replace it with the source security group"),
    Case("ingress-rule-world-ipv6", "net-01-no-world-open-ingress", "sg-rule",
         add("sg-rule", t.SECURITY_GROUP_RULE, "ssh", {"type": "ingress", "protocol": "tcp", "fromPort": 22.0,
                                                        "toPort": 22.0, "ipv6CidrBlocks": ["::/0"],
                                                        "securityGroupId": "secgroup-processor-dev-id"},
             deps={"securityGroupId": ["sg-processor"]}), "admits ::/0", also=("sg-processor",)),
    Case("vpc-ingress-rule-world", "net-01-no-world-open-ingress", "ingress-aurora",
         both(drop("ingress-aurora", "referencedSecurityGroupId"), put("ingress-aurora", cidrIpv4="0.0.0.0/0")),
         "admits 0.0.0.0/0 on ports 5432-5432", also=("sg-aurora",)),
    Case("default-sg-world-ingress", "net-01-no-world-open-ingress", "sg-default",
         add("sg-default", t.DEFAULT_SECURITY_GROUP, "default", {"vpcId": "main-id", "ingress": WORLD_OPEN_INGRESS},
             deps={"vpcId": ["vpc"]}), "replace it with the source security group"),
    Case("vpc-ingress-rule-world-ipv6-spelled", "net-01-no-world-open-ingress", "ingress-redis",
         both(drop("ingress-redis", "referencedSecurityGroupId"), put("ingress-redis", cidrIpv6="::0/0")),
         "admits ::0/0 on ports 6379-6379", also=("sg-redis",)),
    Case("sg-inline-world-ingress-split", "net-01-no-world-open-ingress", "sg-processor",
         put("sg-processor", ingress=[{**WORLD_OPEN_INGRESS[0], "cidrBlocks": ["0.0.0.0/1", "128.0.0.0/1"]}]),
         "together every IPv4 address"),
    Case("sg-inline-ingress-unparsable-cidr", "net-01-no-world-open-ingress", "sg-processor",
         put("sg-processor", ingress=[{**WORLD_OPEN_INGRESS[0], "cidrBlocks": ["10.40.0.0/33"]}]),
         "not a valid CIDR"),
    Case("db-instance-public", "net-02-data-store-not-publicly-accessible", "cluster-instance",
         put("cluster-instance", publiclyAccessible=True), "set publiclyAccessible to false", also=("cluster",)),
    Case("db-in-public-subnet", "net-02-data-store-in-private-subnets", "cluster",
         rewire("rds-subnets", "subnetIds", "subnet-public", value=["public-a-id"]),
         "routes to an internet gateway"),
    Case("lambda-outside-vpc", "net-02-data-store-in-private-subnets", "function", drop("function", "vpcConfig"),
         "put it in the private subnets"),
    Case("proxy-in-public-subnet", "net-02-data-store-in-private-subnets", "proxy",
         rewire("proxy", "vpcSubnetIds", "subnet-public", "subnet-a", value=["public-a-id", "private-a-id"]),
         "routes to an internet gateway"),
    Case("private-subnet-maps-public-ips", "net-02-data-store-in-private-subnets", "cluster",
         put("subnet-a", mapPublicIpOnLaunch=True), "maps public IPs", also=("redis", "function", "proxy")),
    Case("unassociated-subnet-public-default-table", "net-02-data-store-in-private-subnets", "cluster",
         both(remove("assoc-private-a"),
              add("rt-default", t.DEFAULT_ROUTE_TABLE, "default", {
                  "defaultRouteTableId": "main-default-rt-id",
                  "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "main-id"}]},
                  deps={"defaultRouteTableId": ["vpc"], "routes": ["igw"]})),
         "main route table 'default', which routes to an internet gateway", also=("redis", "function", "proxy")),
    Case("unassociated-subnet-public-main-association", "net-02-data-store-in-private-subnets", "cluster",
         both(remove("assoc-private-b"),
              add("rt-main", t.MAIN_ROUTE_TABLE_ASSOCIATION, "main", {"vpcId": "main-id", "routeTableId": "public-id"},
                  deps={"vpcId": ["vpc"], "routeTableId": ["rt-public"]})),
         "associate the subnet with the private route table", also=("redis", "function", "proxy")),
    Case("no-kms-endpoint", "net-03-vpc-endpoints-and-no-nat", "vpc", remove("endpoint-kms"),
         "no VPC endpoint for kms"),
    Case("nat-gateway", "net-03-vpc-endpoints-and-no-nat", "vpc",
         add("nat", t.NAT_GATEWAY, "egress", {"subnetId": "public-a-id"}, deps={"subnetId": ["subnet-public"]}),
         "remove it", also=("nat",)),
    Case("data-store-admits-cidr", "net-04-data-store-ingress-from-security-groups", "cluster",
         both(drop("ingress-aurora", "referencedSecurityGroupId"), put("ingress-aurora", cidrIpv4="10.40.0.0/16")),
         "admit only the processor's security group", also=("sg-aurora", "ingress-aurora")),
    Case("data-store-without-sg", "net-04-data-store-ingress-from-security-groups", "redis",
         drop("redis", "securityGroupIds"), "attach the data store's own security group"),
    Case("data-store-sg-outside-stack", "net-04-data-store-ingress-from-security-groups", "cluster",
         put("cluster", vpcSecurityGroupIds=["secgroup-aurora-dev-id", "sg-0123456789abcdef0"]),
         "includes security groups not declared in this stack"),
    # IAM-01 .. IAM-04
    Case("role-policy-admin", "iam-01-no-wildcard-actions-on-all-resources", "role-policy",
         put("role-policy", policy=WILDCARD), "list the actions the principal calls"),
    Case("role-inline-service-wildcard", "iam-01-no-wildcard-actions-on-all-resources", "role",
         put("role", inlinePolicies=[{"name": "s3", "policy": doc({"Effect": "Allow", "Action": "s3:*",
                                                                     "Resource": "*"})}]), "allows s3:*"),
    Case("role-policy-not-resource", "iam-01-no-wildcard-actions-on-all-resources", "role-policy",
         put("role-policy", policy=doc({"Sid": "AllButOne", "Effect": "Allow", "Action": "*",
                                        "NotResource": "arn:aws:s3:::s3-raw-archive-dev"})),
         "every resource but NotResource"),
    Case("role-policy-wildcard-only-action", "iam-01-no-wildcard-actions-on-all-resources", "role-policy",
         put("role-policy", policy=doc({"Effect": "Allow", "Action": ["kinesis:GetRecords", "s3:**"],
                                        "Resource": "*"})), "allows s3:**"),
    Case("role-policy-any-service-wildcard", "iam-01-no-wildcard-actions-on-all-resources", "role-policy",
         put("role-policy", policy=doc({"Effect": "Allow", "Action": "*:*", "Resource": "*"})), "allows *:*"),
    Case("role-managed-administrator", "iam-01-no-wildcard-actions-on-all-resources", "role",
         put("role", managedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"]),
         "AWS-managed AdministratorAccess"),
    Case("role-attachment-full-access", "iam-01-no-wildcard-actions-on-all-resources", "role-vpc-access",
         put("role-vpc-access", policyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess"),
         "AWS-managed AmazonS3FullAccess"),
    Case("user-attachment-power-user", "iam-01-no-wildcard-actions-on-all-resources", "user-attach",
         add("user-attach", t.IAM_USER_POLICY_ATTACHMENT, "operator-power-user",
             {"user": "user-operator-dev", "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}),
         "AWS-managed PowerUserAccess"),
    Case("iot-policy-wildcard-action", "iam-02-iot-policy-scoped-to-thing", "iot-policy",
         put("iot-policy", policy=doc({"Effect": "Allow", "Action": "iot:*",
                                       "Resource": "arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}"})),
         "list the actions a device needs"),
    Case("iot-policy-any-topic", "iam-02-iot-policy-scoped-to-thing", "iot-policy",
         put("iot-policy", policy=doc({"Effect": "Allow", "Action": "iot:Publish", "Resource": "*"})),
         "use ${iot:Connection.Thing.ThingName}"),
    Case("iot-policy-not-action", "iam-02-iot-policy-scoped-to-thing", "iot-policy",
         put("iot-policy", policy=doc({"Effect": "Allow", "NotAction": "iot:DeleteThing",
                                       "Resource": "arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}"})),
         "list the actions a device needs"),
    Case("iot-policy-not-resource", "iam-02-iot-policy-scoped-to-thing", "iot-policy",
         put("iot-policy", policy=doc({"Effect": "Allow", "Action": "iot:Publish",
                                       "NotResource": "arn:aws:iot:*:*:topic/$aws/things/*"})),
         "every resource but NotResource"),
    Case("thing-without-certificate", "iam-03-iot-thing-has-active-certificate", "thing-temperature-01",
         remove("attach-temperature-01"), "ThingPrincipalAttachment"),
    Case("certificate-inactive", "iam-03-iot-thing-has-active-certificate", "thing-temperature-02",
         put("cert-temperature-02", active=False), "set active to true"),
    Case("certificate-without-policy", "iam-03-iot-thing-has-active-certificate", "thing-temperature-01",
         remove("policy-attach-temperature-01"), "aws.iot.PolicyAttachment"),
    Case("aurora-static-password", "iam-04-database-credentials-in-secrets-manager", "cluster",
         both(put("cluster", manageMasterUserPassword=False, masterPassword="[secret]"),
              drop("cluster", "masterUserSecretKmsKeyId")), "set manageMasterUserPassword to true"),
    Case("proxy-without-iam-or-secret", "iam-04-rds-proxy-credentials-rotated", "proxy",
         drop("proxy", "defaultAuthScheme"), "set defaultAuthScheme to IAM_AUTH"),
    Case("proxy-secret-rotated-quarterly", "iam-04-rds-proxy-credentials-rotated", "proxy",
         both(put("proxy", defaultAuthScheme="NONE", auths=[
             {"authScheme": "SECRETS", "iamAuth": "REQUIRED", "secretArn": "arn:aws:secretsmanager:x"}]),
              rewire("proxy", "auths", "secret"), put("rotation", rotationRules={"automaticallyAfterDays": 90.0})),
         "rotate every 30 days or fewer", also=("rotation",)),
    Case("proxy-secret-outside-the-stack", "iam-04-rds-proxy-credentials-rotated", "proxy",
         put("proxy", auths=[{"authScheme": "SECRETS", "secretArn": "arn:aws:secretsmanager:sa-east-1:1:secret:x"}]),
         "not readable here"),
    Case("secret-rotation-quarterly", "iam-04-secret-rotation-schedule", "rotation",
         put("rotation", rotationRules={"automaticallyAfterDays": 90.0}), "rotate every 30 days or fewer"),
    Case("secret-rotation-cron", "iam-04-secret-rotation-schedule", "rotation",
         put("rotation", rotationRules={"scheduleExpression": "cron(0 4 1 * ? *)"}), 'rate(N days)'),
    # IAM-05
    Case("redis-token-literal", "iam-05-redis-auth-secret-rotates", "redis", rewire("redis", "authToken"),
         "keep the token in a Secrets Manager secret tagged AuthTokenFor=redis-baseline-dev"),
    Case("redis-token-secret-untagged", "iam-05-redis-auth-secret-rotates", "redis",
         put("secret", tags={"Environment": "dev", "Project": "iot-sensor-platform", "Owner": "platform-team",
                             "DataClassification": "confidential"}), "tag the secret AuthTokenFor=redis-baseline-dev"),
    Case("redis-token-secret-never-rotates", "iam-05-redis-auth-secret-rotates", "secret", remove("rotation"),
         "declare an aws.secretsmanager.SecretRotation"),
    Case("redis-token-rotation-without-function", "iam-05-redis-auth-secret-rotates", "secret",
         drop("rotation", "rotationLambdaArn"), "set rotationLambdaArn", also=("rotation",)),
    Case("redis-token-rotation-31-days", "iam-05-redis-auth-secret-rotates", "secret",
         put("rotation", rotationRules={"automaticallyAfterDays": 31.0}), "rotate every 30 days or fewer",
         also=("rotation",)),
    # LOG-01, LOG-02, LOG-03
    Case("trail-single-region", "log-01-cloudtrail-configuration", "trail", put("trail", isMultiRegionTrail=False),
         "set isMultiRegionTrail to true"),
    Case("trail-not-logging", "log-01-cloudtrail-configuration", "trail", put("trail", enableLogging=False),
         "set enableLogging to true"),
    Case("table-near-namesake-only", "log-01-data-events-cover-data-stores", "table",
         both(put("trail", eventSelectors=[{"dataResources": [
             {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::s3-raw-archive-dev/"]},
             {"type": "AWS::DynamoDB::Table", "values": [
                 "arn:aws:dynamodb:sa-east-1:123456789012:table/dynamodb-metrics-dev-old"]}]}]),
              rewire("trail", "eventSelectors", "bucket-raw-archive")), "add its ARN to the trail's"),
    Case("bucket-excluded-by-advanced-selector", "log-01-data-events-cover-data-stores", "bucket-raw-archive",
         both(put("trail", eventSelectors=[{"dataResources": [
             {"type": "AWS::DynamoDB::Table", "values": [
                 "arn:aws:dynamodb:sa-east-1:123456789012:table/dynamodb-metrics-dev"]}]}],
             advancedEventSelectors=[{"fieldSelectors": [
                 {"field": "eventCategory", "equals": ["Data"]},
                 {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                 {"field": "resources.ARN", "notStartsWiths": ["arn:aws:s3:::s3-raw-archive-dev/"]}]}]),
              rewire("trail", "eventSelectors", "table"), rewire("trail", "advancedEventSelectors", "bucket-raw-archive")),
         "add its ARN to the trail's"),
    Case("bucket-prefix-only", "log-01-data-events-cover-data-stores", "bucket-raw-archive",
         both(put("trail", eventSelectors=[{"dataResources": [
             {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::s3-raw-archive-dev/only-this-prefix/"]},
             {"type": "AWS::DynamoDB::Table", "values": [
                 "arn:aws:dynamodb:sa-east-1:123456789012:table/dynamodb-metrics-dev"]}]}]),
              rewire("trail", "eventSelectors", "table")), "add its ARN to the trail's"),
    Case("trail-one-insight", "log-01-cloudtrail-configuration", "trail",
         put("trail", insightSelectors=[{"insightType": "ApiCallRateInsight"}]), "ApiErrorRateInsight"),
    Case("table-without-data-events", "log-01-data-events-cover-data-stores", "table",
         both(put("trail", eventSelectors=[{"dataResources": [
             {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::s3-raw-archive-dev/"]}]}]),
             rewire("trail", "eventSelectors", "bucket-raw-archive")), "add its ARN to the trail's",
         also=("trail",)),
    Case("stream-retries-forever", "log-02-stream-failures-bounded-and-kept", "mapping",
         drop("mapping", "maximumRetryAttempts"), "set it between 0 and 10", also=("function",)),
    Case("stream-no-bisect", "log-02-stream-failures-bounded-and-kept", "mapping",
         put("mapping", bisectBatchOnFunctionError=False), "set it to true", also=("function",)),
    Case("stream-failures-lost", "log-02-stream-failures-bounded-and-kept", "mapping",
         drop("mapping", "destinationConfig"), "send them to the dead-letter queue", also=("function",)),
    Case("lambda-without-log-group", "log-02-lambda-log-group-and-failure-destination", "function",
         both(remove("log-processor"), drop("function", "loggingConfig")), "declare /aws/lambda/<name>"),
    Case("lambda-invoked-asynchronously-without-dead-letter-queue", "log-02-lambda-log-group-and-failure-destination",
         "function", add("s3-invokes", t.LAMBDA_PERMISSION, "raw-archive-invokes-processor", {
             "function": "lambda-processor-dev", "action": "lambda:InvokeFunction", "principal": "s3.amazonaws.com"},
             deps={"function": ["function"]}), "set deadLetterConfig"),
    Case("vpc-without-flow-log", "log-03-vpc-flow-logs", "vpc", remove("flow-log"), "add an aws.ec2.FlowLog"),
    Case("flow-log-rejected-traffic-only", "log-03-vpc-flow-logs", "vpc", put("flow-log", trafficType="REJECT"),
         "set trafficType to ALL", also=("flow-log",)),
    Case("flow-log-to-s3", "log-03-vpc-flow-logs", "vpc",
         both(put("flow-log", logDestinationType="s3", logDestination="arn:aws:s3:::s3-flowlogs-dev"),
              rewire("flow-log", "logDestination")), "set logDestinationType to cloud-watch-logs", also=("flow-log",)),
    Case("flow-log-group-14-days", "log-03-vpc-flow-logs", "vpc", put("log-flow", retentionInDays=14.0),
         "set its retentionInDays to 30 or more", also=("flow-log",)),
    Case("flow-log-group-without-key", "log-03-vpc-flow-logs", "vpc", drop("log-flow", "kmsKeyId"),
         "set kmsKeyId to the ARN of the CloudWatch Logs key", also=("flow-log",)),
    # GOV-01 .. GOV-03, LAM-01
    Case("name-without-convention", "gov-01-physical-names-follow-convention", "stream",
         put("stream", name="TelemetryStream"), "build it with the program's naming helper"),
    Case("name-of-another-stack", "gov-01-physical-names-follow-convention", "table",
         put("table", name="dynamodb-metrics-prod"), "{type}-{purpose}-{suffix}"),
    Case("proxy-name-without-convention", "gov-01-physical-names-follow-convention", "proxy",
         put("proxy", name="metricsproxy"), "build it with the program's naming helper"),
    Case("name-generated", "gov-01-physical-names-follow-convention", "bucket-raw-archive",
         drop("bucket-raw-archive", "bucket"), "Pulumi generates a random physical name"),
    Case("resource-in-other-region", "gov-02-approved-regions", "stream", put("stream", region="us-east-1"),
         "use one of sa-east-1, ap-southeast-1"),
    Case("tags-missing-owner", "gov-03-required-tags", "stream",
         put("stream", tags={"Environment": "dev", "Project": "iot-sensor-platform", "DataClassification": "x"}),
         "tags lack Owner"),
    Case("runtime-not-approved", "lam-01-approved-runtime", "function", put("function", runtime="python3.9"),
         "use one of python3.11"),
    # DES-01, DES-02
    Case("protected-resource", "des-01-no-protect", "stream", options("stream", protect=True),
         "remove protect=True"),
    Case("aurora-deletion-protection", "des-02-database-destroyable", "cluster",
         put("cluster", deletionProtection=True), "set deletionProtection to false"),
    Case("aurora-final-snapshot", "des-02-database-destroyable", "cluster", drop("cluster", "skipFinalSnapshot"),
         "set skipFinalSnapshot to true"),
    Case("table-deletion-protection", "des-02-dynamodb-no-deletion-protection", "table",
         put("table", deletionProtectionEnabled=True), "set deletionProtectionEnabled to false"),
    Case("bucket-not-force-destroy", "des-02-s3-force-destroy", "bucket-trail-logs",
         drop("bucket-trail-logs", "forceDestroy"), "set forceDestroy to true"),
    Case("log-group-skip-destroy", "des-02-log-group-deleted-with-stack", "log-trail",
         put("log-trail", skipDestroy=True), "remove skipDestroy"),
    Case("function-skip-destroy", "des-02-function-deleted-with-stack", "function",
         put("function", skipDestroy=True), "remove skipDestroy"),
]


"""One graph that breaks many controls at once, each on its own resource where possible.

Every mutation names what must catch it: the control, the checkov check and the
Pulumi resource. The clean program passes the same check on the same resource
(the tests prove both), so each violation test can fail.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

WORLD = "0.0.0.0/0"


@dataclass(frozen=True)
class Mutation:
    what: str
    control: str
    check: str
    type: str
    name: str  # the Pulumi logical name the finding must name
    added: bool = False  # a resource that the clean program does not have


class _Graph:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, type_suffix: str, name: str) -> dict[str, Any]:
        for resource in self.data["resources"]:
            if resource["type"].endswith(type_suffix) and resource["name"] == name:
                return resource
        raise LookupError(f"the program has no {type_suffix} named {name!r}; update the mutation")

    @staticmethod
    def drop(resource: dict[str, Any], *keys: str) -> None:
        for key in keys:
            resource["inputs"].pop(key, None)
            resource["propertyDependencies"].pop(key, None)


def _policy(resource: dict[str, Any]) -> dict[str, Any]:
    return json.loads(resource["inputs"]["policy"])


def mutate(clean: dict[str, Any]) -> tuple[dict[str, Any], list[Mutation]]:
    data = copy.deepcopy(clean)
    g = _Graph(data)
    done: list[Mutation] = []

    def record(what: str, control: str, check: str, type_suffix: str, name: str, added: bool = False) -> None:
        done.append(Mutation(what, control, check, type_suffix, name, added))

    stream = g.get(":Stream", "telemetry")
    stream["inputs"]["encryptionType"] = "NONE"
    g.drop(stream, "kmsKeyId")
    record("Kinesis unencrypted", "ENC-01", "CKV_IOT_21", ":Stream", "telemetry")

    cluster = g.get("rds/cluster:Cluster", "aurora")
    cluster["inputs"]["backupRetentionPeriod"] = 7.0
    record("Aurora backup retention 7 days", "RET-01", "CKV_IOT_7", "rds/cluster:Cluster", "aurora")
    cluster["inputs"]["manageMasterUserPassword"] = False
    cluster["inputs"]["masterPassword"] = "[secret]"
    record("Aurora master password inline", "IAM-04", "CKV_IOT_17", "rds/cluster:Cluster", "aurora")

    parameter_group = g.get(":ClusterParameterGroup", "aurora")
    for parameter in parameter_group["inputs"]["parameters"]:
        if parameter["name"] == "rds.force_ssl":
            parameter["value"] = "0"
    record("Aurora TLS not forced", "ENC-10", "CKV_IOT_8", "rds/cluster:Cluster", "aurora")

    proxy = g.get("rds/proxy:Proxy", "metrics")
    proxy["inputs"]["requireTls"] = False
    record("RDS Proxy accepts plain text", "ENC-10", "CKV_IOT_8", "rds/proxy:Proxy", "metrics")
    g.drop(proxy, "defaultAuthScheme")
    record("RDS Proxy with neither IAM nor a secret", "IAM-04", "CKV_IOT_17", "rds/proxy:Proxy", "metrics")
    proxy["inputs"]["name"] = "metricsproxy"
    record("RDS Proxy named without the convention", "GOV-01", "CKV_IOT_4", "rds/proxy:Proxy", "metrics")

    ingress = g.get(":SecurityGroupIngressRule", "network-aurora-from-proxy")
    g.drop(ingress, "referencedSecurityGroupId")
    ingress["inputs"]["cidrIpv4"] = WORLD
    record("0.0.0.0/0 on 5432 (ingress rule)", "NET-01", "CKV_IOT_2", ":SecurityGroupIngressRule",
           "network-aurora-from-proxy")
    record("world ingress, judged on the rule's group", "NET-01", "CKV_IOT_2", ":SecurityGroup", "network-aurora")
    record("CIDR source on 5432", "NET-04", "CKV_IOT_3", ":SecurityGroupIngressRule", "network-aurora-from-proxy")

    endpoints = g.get(":SecurityGroup", "network-endpoints")
    endpoints["inputs"]["ingress"] = [{"fromPort": 6379.0, "toPort": 6379.0, "protocol": "tcp", "cidrBlocks": [WORLD],
                                       "description": "mutation"}]
    record("0.0.0.0/0 on 6379 (inline rule)", "NET-01", "CKV_IOT_2", ":SecurityGroup", "network-endpoints")

    redis_group = g.get(":SecurityGroup", "network-redis")
    rule_urn = redis_group["urn"].rsplit("::", 2)[0] + "::aws:ec2/securityGroupRule:SecurityGroupRule::redis-world"
    data["resources"].append({
        "urn": rule_urn, "type": "aws:ec2/securityGroupRule:SecurityGroupRule", "name": "redis-world", "custom": True,
        "parent": redis_group["parent"],
        "inputs": {"type": "ingress", "fromPort": 6379.0, "toPort": 6379.0, "protocol": "tcp",
                   "ipv6CidrBlocks": ["::0/0"], "securityGroupId": f"{redis_group['name']}-id", "description": "mutation"},
        "options": {"protect": False, "retainOnDelete": False},
        "dependencies": [redis_group["urn"]], "propertyDependencies": {"securityGroupId": [redis_group["urn"]]},
        "source": None,
    })
    record("::0/0 (the world, spelled out) on 6379 (SecurityGroupRule)", "NET-01", "CKV_IOT_2", ":SecurityGroupRule",
           "redis-world", added=True)
    record("::0/0 on 6379, judged on the rule's group", "NET-01", "CKV_IOT_2", ":SecurityGroup", "network-redis")

    g.get(":Table", "metrics")["inputs"]["pointInTimeRecovery"] = {"enabled": False}
    record("DynamoDB without PITR", "RET-02", "CKV_IOT_41", ":Table", "metrics")

    g.get(":Table", "devices")["inputs"]["name"] = "dynamodb-devices"
    record("name without suffix", "GOV-01", "CKV_IOT_4", ":Table", "devices")

    g.drop(g.get(":LogGroup", "processor"), "retentionInDays")
    record("log group without retention", "RET-04", "CKV_IOT_6", ":LogGroup", "processor")

    g.drop(g.get(":LogGroup", "iot-rule-errors"), "kmsKeyId")
    record("log group without KMS", "ENC-07", "CKV_IOT_26", ":LogGroup", "iot-rule-errors")

    g.get(":LogGroup", "trail")["inputs"]["retentionInDays"] = 30.0
    record("trail logs kept 30 days", "RET-05", "CKV_IOT_9", ":Trail", "audit")

    iot_policy = g.get("iot/policy:Policy", "device")
    iot_policy["inputs"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]})
    iot_policy["propertyDependencies"].pop("policy", None)
    record("IoT policy iot:* on *", "IAM-02", "CKV_IOT_5", "iot/policy:Policy", "device")

    g.get(":Key", "kinesis")["inputs"]["enableKeyRotation"] = False
    record("KMS key without rotation", "KMS-01", "CKV_IOT_31", ":Key", "kinesis")

    g.get(":Key", "aurora")["inputs"]["deletionWindowInDays"] = 3.0
    record("KMS deletion window 3 days", "KMS-03", "CKV_IOT_10", ":Key", "aurora")

    g.get(":Function", "processor")["inputs"]["runtime"] = "python3.9"
    record("Lambda runtime not approved", "LAM-01", "CKV_IOT_15", ":Function", "processor")

    g.drop(g.get(":Queue", "processor-dlq"), "tags")
    record("queue without tags", "GOV-03", "CKV_IOT_13", ":Queue", "processor-dlq")

    g.get(":Bucket", "trail-logs")["inputs"]["forceDestroy"] = False
    record("bucket not force-destroyable", "DES-02", "CKV_IOT_14", ":Bucket", "trail-logs")

    bucket_policy = g.get(":BucketPolicy", "raw-archive")
    document = _policy(bucket_policy)
    document["Statement"] = [s for s in document["Statement"]
                             if "aws:SecureTransport" not in json.dumps(s.get("Condition", {}))]
    document["Statement"].append({"Sid": "ReadForTheAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::mutation/*"})
    bucket_policy["inputs"]["policy"] = json.dumps(document)
    record("bucket policy without TLS deny", "ENC-05", "CKV_IOT_16", ":BucketPolicy", "raw-archive")

    trail_policy = g.get(":BucketPolicy", "trail-logs")
    document = _policy(trail_policy)
    for statement in document["Statement"]:
        if "aws:SecureTransport" in json.dumps(statement.get("Condition", {})):
            statement["Condition"]["StringEquals"] = {"aws:PrincipalAccount": "999999999999"}
    trail_policy["inputs"]["policy"] = json.dumps(document)
    record("TLS deny narrowed to one account", "ENC-05", "CKV_IOT_16", ":BucketPolicy", "trail-logs")

    g.get(":EventSourceMapping", "processor-telemetry")["inputs"]["bisectBatchOnFunctionError"] = False
    record("stream mapping without bisect", "LOG-02", "CKV_IOT_12", ":EventSourceMapping", "processor-telemetry")

    role_policy = g.get(":RolePolicy", "processor-s3")
    document = _policy(role_policy)
    document["Statement"].append({"Sid": "Everything", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    role_policy["inputs"]["policy"] = json.dumps(document)
    record("IAM s3:* on *", "IAM-01", "CKV_IOT_18", ":RolePolicy", "processor-s3")

    g.drop(g.get(":Trail", "audit"), "insightSelectors")
    record("trail without Insights", "LOG-01", "CKV_IOT_11", ":Trail", "audit")

    g.get(":ReplicationGroup", "redis")["inputs"]["transitEncryptionEnabled"] = False
    record("Redis without TLS", "ENC-03", "CKV_IOT_23", ":ReplicationGroup", "redis")

    g.get(":Certificate", "plant-1-temperature-01")["inputs"]["active"] = False
    record("inactive device certificate", "IAM-03", "CKV_IOT_19", ":Thing", "plant-1-temperature-01")

    orphan = g.get(":ThingPrincipalAttachment", "plant-1-temperature-02")
    data["resources"].remove(orphan)
    record("certificate attached to no thing", "IAM-03", "CKV_IOT_19", ":Thing", "plant-1-temperature-02")

    g.get(":Subnet", "network-private-a")["inputs"]["mapPublicIpOnLaunch"] = True
    for kind, store in (("rds/cluster:Cluster", "aurora"), (":ReplicationGroup", "redis"), (":Function", "processor"),
                        (":Function", "migrator"), (":Function", "redis-auth-rotation"), ("rds/proxy:Proxy", "metrics"),
                        (":Function", "auditor")):
        record("private subnet maps public IPs", "NET-02", "CKV_IOT_52", kind, store)

    # IAM-05: a second rotation schedule for the Redis secret, tied to it only by propertyDependencies
    # (checkov's CKV2_AWS_57 finds the edge and passes the secret), that names no rotation function:
    # nothing would change the token the replication group checks. (Before the program rotated the
    # secret itself, this mutation only proved that CKV2_AWS_57 follows the edge.)
    secret = g.get(":Secret", "redis-auth")
    data["resources"].append({
        "urn": secret["urn"].replace("aws:secretsmanager/secret:Secret", "aws:secretsmanager/secretRotation:SecretRotation"),
        "type": "aws:secretsmanager/secretRotation:SecretRotation", "name": "redis-auth", "custom": True,
        "parent": secret["parent"],
        "inputs": {"secretId": f"arn:aws:secretsmanager:sa-east-1:123456789012:secret:{secret['inputs']['name']}",
                   "rotationRules": {"automaticallyAfterDays": 30.0}},
        "options": {"protect": False, "retainOnDelete": False},
        "dependencies": [secret["urn"]], "propertyDependencies": {"secretId": [secret["urn"]]}, "source": None,
    })
    record("Redis AUTH secret also rotated without a function", "IAM-05", "CKV_IOT_62", ":Secret", "redis-auth")
    return data, done

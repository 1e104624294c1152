"""A small, hand-written, compliant version of the platform's resource graph.

It holds one or two resources of every type the policies judge, linked by
property dependencies the way the program links them, and passes every control
(a test proves that). Policy tests change one input of one resource and expect
exactly that control to fail on exactly that resource. It is written by hand so
the policy suite does not depend on the program under test.
"""

from __future__ import annotations

import json
from typing import Any

from compliance.graph import Graph
from compliance_tests.gate.harness import ACCOUNT, graph, key_arn, resource
from rules import types as t
from rules.gov_03 import TAGGABLE

TAGS = {"Environment": "dev", "Project": "iot-sensor-platform", "Owner": "platform-team",
        "DataClassification": "confidential"}
SERVICES = ("kinesis", "aurora", "elasticache", "secretsmanager", "s3", "dynamodb", "logs", "cloudtrail", "lambda")


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


KEY_POLICY = doc({"Sid": "Account", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                  "Action": "kms:*", "Resource": "*"},
                 {"Sid": "Service", "Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
                  "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
                  "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}})


def tls_policy(bucket: str) -> str:
    return doc({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}})


def _tagged(res: dict[str, Any]) -> dict[str, Any]:
    if res["type"] in TAGGABLE:
        res["inputs"].setdefault("tags", dict(TAGS))
    return res


def platform() -> dict[str, dict[str, Any]]:
    """name -> resource, in registration order (names are unique across types)."""
    r: dict[str, dict[str, Any]] = {}

    def add(key: str, type_token: str, name: str, inputs: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        r[key] = _tagged(resource(type_token, name, inputs, **kwargs))
        return r[key]

    for service in SERVICES:
        key = add(f"key-{service}", t.KMS_KEY, service,
                  {"enableKeyRotation": True, "deletionWindowInDays": 7.0, "policy": KEY_POLICY})
        add(f"alias-{service}", t.KMS_ALIAS, service, {"name": f"alias/kms-{service}-dev", "targetKeyId": service},
            deps={"targetKeyId": [key]})
    keys = {s: r[f"key-{s}"] for s in SERVICES}

    def kms(service: str) -> str:
        return key_arn(service)

    vpc = add("vpc", "aws:ec2/vpc:Vpc", "main", {"cidrBlock": "10.40.0.0/16"})
    igw = add("igw", t.INTERNET_GATEWAY, "main", {"vpcId": "main-id"}, deps={"vpcId": [vpc]})
    public = add("subnet-public", t.SUBNET, "public-a",
                 {"vpcId": "main-id", "cidrBlock": "10.40.0.0/24", "mapPublicIpOnLaunch": False},
                 deps={"vpcId": [vpc]})
    private = [add(f"subnet-{z}", t.SUBNET, f"private-{z}", {"vpcId": "main-id", "cidrBlock": f"10.40.1{i}.0/24"},
                   deps={"vpcId": [vpc]}) for i, z in enumerate("ab")]
    public_rt = add("rt-public", t.ROUTE_TABLE, "public", {"vpcId": "main-id"}, deps={"vpcId": [vpc]})
    private_rt = add("rt-private", t.ROUTE_TABLE, "private", {"vpcId": "main-id"}, deps={"vpcId": [vpc]})
    add("route-internet", t.ROUTE, "public-internet",
        {"routeTableId": "public-id", "gatewayId": "main-id", "destinationCidrBlock": "0.0.0.0/0"},
        deps={"routeTableId": [public_rt], "gatewayId": [igw]})
    add("assoc-public", t.ROUTE_TABLE_ASSOCIATION, "public-a", {"routeTableId": "public-id", "subnetId": "public-a-id"},
        deps={"routeTableId": [public_rt], "subnetId": [public]})
    for subnet in private:
        add(f"assoc-{subnet['name']}", t.ROUTE_TABLE_ASSOCIATION, subnet["name"],
            {"routeTableId": "private-id", "subnetId": f"{subnet['name']}-id"},
            deps={"routeTableId": [private_rt], "subnetId": [subnet]})
    for service, kind in (("s3", "Gateway"), ("dynamodb", "Gateway"), ("kinesis-streams", "Interface"),
                          ("secretsmanager", "Interface"), ("kms", "Interface"), ("logs", "Interface")):
        add(f"endpoint-{service}", t.VPC_ENDPOINT, service,
            {"vpcId": "main-id", "serviceName": f"com.amazonaws.sa-east-1.{service}", "vpcEndpointType": kind},
            deps={"vpcId": [vpc]})

    processor_sg = add("sg-processor", t.SECURITY_GROUP, "processor",
                       {"name": "secgroup-processor-dev", "description": "processor", "vpcId": "main-id"},
                       deps={"vpcId": [vpc]})
    stores_sg = {}
    for store, port in (("aurora", 5432.0), ("redis", 6379.0)):
        sg = add(f"sg-{store}", t.SECURITY_GROUP, store,
                 {"name": f"secgroup-{store}-dev", "description": store, "vpcId": "main-id"}, deps={"vpcId": [vpc]})
        add(f"ingress-{store}", t.SECURITY_GROUP_INGRESS_RULE, f"{store}-from-processor",
            {"securityGroupId": f"secgroup-{store}-dev-id", "referencedSecurityGroupId": "secgroup-processor-dev-id",
             "ipProtocol": "tcp", "fromPort": port, "toPort": port},
            deps={"securityGroupId": [sg], "referencedSecurityGroupId": [processor_sg]})
        stores_sg[store] = sg

    db_subnets = add("rds-subnets", t.RDS_SUBNET_GROUP, "aurora",
                     {"name": "dbsubnet-aurora-dev", "subnetIds": ["private-a-id", "private-b-id"]},
                     deps={"subnetIds": private})
    params = add("rds-params", t.RDS_CLUSTER_PARAMETER_GROUP, "aurora",
                 {"name": "dbparams-aurora-dev", "family": "aurora-postgresql16",
                  "parameters": [{"name": "rds.force_ssl", "value": "1"}]})
    cluster = add("cluster", t.RDS_CLUSTER, "aurora", {
        "clusterIdentifier": "aurora-metrics-dev", "engine": "aurora-postgresql", "storageEncrypted": True,
        "kmsKeyId": kms("aurora"), "backupRetentionPeriod": 30.0, "skipFinalSnapshot": True,
        "deletionProtection": False, "manageMasterUserPassword": True,
        "masterUserSecretKmsKeyId": kms("secretsmanager"), "dbClusterParameterGroupName": "dbparams-aurora-dev",
        "dbSubnetGroupName": "dbsubnet-aurora-dev", "vpcSecurityGroupIds": ["secgroup-aurora-dev-id"]},
        deps={"kmsKeyId": [keys["aurora"]], "masterUserSecretKmsKeyId": [keys["secretsmanager"]],
              "dbClusterParameterGroupName": [params], "dbSubnetGroupName": [db_subnets],
              "vpcSecurityGroupIds": [stores_sg["aurora"]]})
    add("cluster-instance", t.RDS_CLUSTER_INSTANCE, "aurora-writer",
        {"identifier": "aurora-writer-dev", "clusterIdentifier": "aurora-metrics-dev",
         "instanceClass": "db.serverless", "engine": "aurora-postgresql", "publiclyAccessible": False},
        deps={"clusterIdentifier": [cluster]})
    add("proxy", t.RDS_PROXY, "metrics", {
        "name": "rdsproxy-metrics-dev", "engineFamily": "POSTGRESQL", "defaultAuthScheme": "IAM_AUTH",
        "requireTls": True, "roleArn": f"arn:aws:iam::{ACCOUNT}:role/role-rds-proxy-dev",
        "vpcSubnetIds": ["private-a-id", "private-b-id"]}, deps={"vpcSubnetIds": private})

    cache_subnets = add("cache-subnets", t.ELASTICACHE_SUBNET_GROUP, "redis",
                        {"name": "cachesubnet-redis-dev", "subnetIds": ["private-a-id", "private-b-id"]},
                        deps={"subnetIds": private})
    # IAM-05: the secret names the group whose token it holds, the group reads the token from the
    # secret's version, and the secret rotates through a function (named by its ARN here).
    secret = add("secret", t.SECRET, "redis-auth", {"name": "secret-redis-auth-dev", "kmsKeyId": kms("secretsmanager"),
                                                    "tags": {**TAGS, "AuthTokenFor": "redis-baseline-dev"}},
                 deps={"kmsKeyId": [keys["secretsmanager"]]})
    version = add("secret-version", t.SECRET_VERSION, "redis-auth",
                  {"secretId": "secret-redis-auth-dev", "secretString": "[secret]"}, deps={"secretId": [secret]})
    add("rotation", t.SECRET_ROTATION, "redis-auth",
        {"secretId": "secret-redis-auth-dev", "rotationRules": {"automaticallyAfterDays": 30.0},
         "rotationLambdaArn": f"arn:aws:lambda:sa-east-1:{ACCOUNT}:function:lambda-redis-auth-rotation-dev"},
        deps={"secretId": [secret]})
    add("redis", t.ELASTICACHE_REPLICATION_GROUP, "redis", {
        "replicationGroupId": "redis-baseline-dev", "description": "baselines", "engine": "redis",
        "atRestEncryptionEnabled": True, "kmsKeyId": kms("elasticache"), "transitEncryptionEnabled": True,
        "authToken": "[secret]", "subnetGroupName": "cachesubnet-redis-dev",
        "securityGroupIds": ["secgroup-redis-dev-id"]},
        deps={"kmsKeyId": [keys["elasticache"]], "subnetGroupName": [cache_subnets],
              "securityGroupIds": [stores_sg["redis"]], "authToken": [version]})

    buckets = {}
    for purpose, key in (("raw-archive", "s3"), ("trail-logs", "cloudtrail")):
        physical = f"s3-{purpose}-dev"
        bucket = add(f"bucket-{purpose}", t.S3_BUCKET, purpose, {"bucket": physical, "forceDestroy": True})
        add(f"sse-{purpose}", t.S3_SSE, purpose, {"bucket": physical, "rules": [{
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": kms(key)},
            "bucketKeyEnabled": True}]}, deps={"bucket": [bucket], "rules": [keys[key]]})
        add(f"versioning-{purpose}", t.S3_VERSIONING, purpose,
            {"bucket": physical, "versioningConfiguration": {"status": "Enabled"}}, deps={"bucket": [bucket]})
        add(f"policy-{purpose}", t.S3_BUCKET_POLICY, purpose, {"bucket": physical, "policy": tls_policy(physical)},
            deps={"bucket": [bucket]})
        buckets[purpose] = bucket
    add("lifecycle-raw-archive", t.S3_LIFECYCLE, "raw-archive", {"bucket": "s3-raw-archive-dev", "rules": [{
        "id": "tier", "status": "Enabled", "filter": {"prefix": ""},
        "transitions": [{"days": 0.0, "storageClass": "INTELLIGENT_TIERING"}, {"days": 90.0, "storageClass": "GLACIER"}],
        "noncurrentVersionExpiration": {"noncurrentDays": 30.0}}]}, deps={"bucket": [buckets["raw-archive"]]})
    add("lifecycle-trail-logs", t.S3_LIFECYCLE, "trail-logs", {"bucket": "s3-trail-logs-dev", "rules": [{
        "id": "expire", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 365.0}}]},
        deps={"bucket": [buckets["trail-logs"]]})

    table = add("table", t.DYNAMODB_TABLE, "metrics", {
        "name": "dynamodb-metrics-dev", "hashKey": "pk", "attributes": [{"name": "pk", "type": "S"}],
        "billingMode": "PAY_PER_REQUEST", "pointInTimeRecovery": {"enabled": True},
        "serverSideEncryption": {"enabled": True, "kmsKeyArn": kms("dynamodb")}, "deletionProtectionEnabled": False},
        deps={"serverSideEncryption": [keys["dynamodb"]]})

    processor_logs = add("log-processor", t.LOG_GROUP, "processor",
                         {"name": "/aws/lambda/lambda-processor-dev", "retentionInDays": 30.0, "kmsKeyId": kms("logs")},
                         deps={"kmsKeyId": [keys["logs"]]})
    # LOG-03: the VPC's flow log (all traffic) into a log group of its own, encrypted and kept 30 days.
    flow_logs = add("log-flow", t.LOG_GROUP, "flow-logs",
                    {"name": "/aws/vpc/flowlogs-network-dev", "retentionInDays": 30.0, "kmsKeyId": kms("logs")},
                    deps={"kmsKeyId": [keys["logs"]]})
    add("flow-log", t.FLOW_LOG, "main", {
        "vpcId": "main-id", "trafficType": "ALL", "logDestinationType": "cloud-watch-logs",
        "logDestination": "arn:aws:logs:sa-east-1:123456789012:log-group:/aws/vpc/flowlogs-network-dev",
        "iamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/role-network-flow-logs-dev"},
        deps={"vpcId": [vpc], "logDestination": [flow_logs]})
    trail_logs = add("log-trail", t.LOG_GROUP, "trail",
                     {"name": "/aws/cloudtrail/trail-audit-dev", "retentionInDays": 90.0, "kmsKeyId": kms("logs")},
                     deps={"kmsKeyId": [keys["logs"]]})
    add("trail", t.TRAIL, "audit", {
        "name": "trail-audit-dev", "s3BucketName": "s3-trail-logs-dev", "kmsKeyId": kms("cloudtrail"),
        "isMultiRegionTrail": True, "enableLogFileValidation": True,
        "cloudWatchLogsGroupArn": "arn:aws:logs:sa-east-1:123456789012:log-group:/aws/cloudtrail/trail-audit-dev:*",
        "insightSelectors": [{"insightType": "ApiCallRateInsight"}, {"insightType": "ApiErrorRateInsight"}],
        "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True, "dataResources": [
            {"type": "AWS::S3::Object", "values": ["arn:aws:s3:::s3-raw-archive-dev/"]},
            {"type": "AWS::DynamoDB::Table", "values": [f"arn:aws:dynamodb:sa-east-1:{ACCOUNT}:table/dynamodb-metrics-dev"]},
        ]}]},
        deps={"s3BucketName": [buckets["trail-logs"]], "kmsKeyId": [keys["cloudtrail"]],
              "cloudWatchLogsGroupArn": [trail_logs], "eventSelectors": [buckets["raw-archive"], table]})

    role = add("role", t.IAM_ROLE, "processor", {"name": "role-processor-dev", "assumeRolePolicy": doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})})
    add("role-policy", t.IAM_ROLE_POLICY, "processor-kinesis", {"name": "policy-processor-kinesis-dev",
        "role": "role-processor-dev", "policy": doc(
            {"Sid": "ReadStream", "Effect": "Allow", "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator"],
             "Resource": f"arn:aws:kinesis:sa-east-1:{ACCOUNT}:stream/kinesis-telemetry-dev"},
            {"Sid": "Describe", "Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"})},
        deps={"role": [role]})
    add("role-vpc-access", t.IAM_ROLE_POLICY_ATTACHMENT, "processor-vpc-access", {"role": "role-processor-dev",
        "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"}, deps={"role": [role]})
    dlq = add("dlq", t.SQS_QUEUE, "processor-dlq", {"name": "sqs-processor-dlq-dev", "kmsMasterKeyId": kms("lambda")},
              deps={"kmsMasterKeyId": [keys["lambda"]]})
    function = add("function", t.LAMBDA_FUNCTION, "processor", {
        "name": "lambda-processor-dev", "runtime": "python3.11", "handler": "handler.lambda_handler",
        "role": f"arn:aws:iam::{ACCOUNT}:role/role-processor-dev", "kmsKeyArn": kms("lambda"),
        "environment": {"variables": {"TABLE": "dynamodb-metrics-dev"}},
        "loggingConfig": {"logFormat": "JSON", "logGroup": "/aws/lambda/lambda-processor-dev"},
        "vpcConfig": {"subnetIds": ["private-a-id", "private-b-id"], "securityGroupIds": ["secgroup-processor-dev-id"]}},
        deps={"kmsKeyArn": [keys["lambda"]], "role": [role], "loggingConfig": [processor_logs],
              "vpcConfig": [*private, processor_sg]})
    stream = add("stream", t.KINESIS_STREAM, "telemetry",
                 {"name": "kinesis-telemetry-dev", "encryptionType": "KMS", "kmsKeyId": kms("kinesis")},
                 deps={"kmsKeyId": [keys["kinesis"]]})
    add("mapping", t.LAMBDA_EVENT_SOURCE_MAPPING, "processor-telemetry", {
        "eventSourceArn": f"arn:aws:kinesis:sa-east-1:{ACCOUNT}:stream/kinesis-telemetry-dev",
        "functionName": "lambda-processor-dev", "startingPosition": "TRIM_HORIZON", "maximumRetryAttempts": 5.0,
        "bisectBatchOnFunctionError": True,
        "destinationConfig": {"onFailure": {"destinationArn": f"arn:aws:sqs:sa-east-1:{ACCOUNT}:sqs-processor-dlq-dev"}}},
        deps={"eventSourceArn": [stream], "functionName": [function], "destinationConfig": [dlq]})

    thing_type = add("thing-type", t.IOT_THING_TYPE, "temperature", {"name": "thingtype-temperature-dev"})
    device_policy = add("iot-policy", t.IOT_POLICY, "device", {"name": "iotpolicy-device-dev", "policy": doc(
        {"Effect": "Allow", "Action": "iot:Connect",
         "Resource": f"arn:aws:iot:sa-east-1:{ACCOUNT}:client/${{iot:Connection.Thing.ThingName}}"},
        {"Effect": "Allow", "Action": "iot:Publish",
         "Resource": f"arn:aws:iot:sa-east-1:{ACCOUNT}:topic/factory/*/${{iot:Connection.Thing.ThingName}}/telemetry"})})
    for device in ("temperature-01", "temperature-02"):
        thing = add(f"thing-{device}", t.IOT_THING, device,
                    {"name": f"thing-plant-1-{device}-dev", "thingTypeName": "thingtype-temperature-dev"},
                    deps={"thingTypeName": [thing_type]})
        cert = add(f"cert-{device}", t.IOT_CERTIFICATE, device, {"active": True})
        add(f"attach-{device}", t.IOT_THING_PRINCIPAL_ATTACHMENT, device,
            {"thing": f"thing-plant-1-{device}-dev", "principal": f"arn:aws:iot:sa-east-1:{ACCOUNT}:cert/{device}"},
            deps={"thing": [thing], "principal": [cert]})
        add(f"policy-attach-{device}", t.IOT_POLICY_ATTACHMENT, device,
            {"policy": "iotpolicy-device-dev", "target": f"arn:aws:iot:sa-east-1:{ACCOUNT}:cert/{device}"},
            deps={"policy": [device_policy], "target": [cert]})
    add("topic-rule", t.IOT_TOPIC_RULE, "telemetry", {
        "name": "iotrule_telemetry_dev", "enabled": True, "sql": "SELECT * FROM 'factory/+/+/telemetry'",
        "sqlVersion": "2016-03-23", "kineses": [{"streamName": "kinesis-telemetry-dev", "partitionKey": "${topic(3)}",
                                                  "roleArn": f"arn:aws:iam::{ACCOUNT}:role/role-iot-rule-dev"}]},
        deps={"kineses": [stream]})
    return r


def platform_graph(resources: dict[str, dict[str, Any]] | None = None, config: dict[str, str] | None = None) -> Graph:
    return graph(*(resources or platform()).values(), config=config)

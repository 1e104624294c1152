"""What the audit reads is what the program declared: per control, the live configuration in moto.

Expected values come from the rendered graph (what the program declares) and
from the stack outputs (the real IDs and key ARNs); control thresholds named
in the catalog (30-day backups, force_ssl, ...) are asserted literally.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from compliance.graph import Graph
from compliance.sandbox import SandboxStack


def declared(graph: Graph, type_token: str, name: str | None = None) -> list[dict[str, Any]]:
    found = [r["inputs"] for r in graph.of_type(type_token) if name is None or r["name"] == name]
    assert found, f"the program declares no {type_token} {name or ''}"
    return found


@pytest.fixture(scope="module")
def keys(deployed_dev: SandboxStack) -> dict[str, str]:
    return deployed_dev.outputs["kmsKeyArns"]


def test_enc01_stream_is_encrypted_with_the_kinesis_key(deployed_dev: SandboxStack, keys: dict[str, str]):
    summary = deployed_dev.client("kinesis").describe_stream_summary(
        StreamName=deployed_dev.outputs["streamName"])["StreamDescriptionSummary"]
    assert summary["EncryptionType"] == "KMS"
    assert summary["KeyId"] == keys["kinesis"]
    assert summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND"


def test_gov_tags_are_readable_as_declared(deployed_dev: SandboxStack, rendered_dev: Graph):
    """Tags scope an audit to a suffix: what the program declares must read back (IoT's are a gap)."""
    outputs = deployed_dev.outputs
    [stream] = declared(rendered_dev, "aws:kinesis/stream:Stream")
    assert deployed_dev.client("kinesis").list_tags_for_stream(StreamName=outputs["streamName"])["Tags"] == [
        {"Key": k, "Value": v} for k, v in sorted(stream["tags"].items())]
    [function] = declared(rendered_dev, "aws:lambda/function:Function", "processor")
    arn = deployed_dev.client("lambda").get_function(FunctionName=outputs["processorFunctionName"])["Configuration"][
        "FunctionArn"]
    assert deployed_dev.client("lambda").list_tags(Resource=arn)["Tags"] == function["tags"]
    [trail] = declared(rendered_dev, "aws:cloudtrail/trail:Trail")
    [listed] = deployed_dev.client("cloudtrail").list_tags(ResourceIdList=[outputs["trailArn"]])["ResourceTagList"]
    assert {t["Key"]: t["Value"] for t in listed["TagsList"]} == trail["tags"]


def test_kms01_every_key_rotates_and_has_its_alias(deployed_dev: SandboxStack, keys: dict[str, str],
                                                   rendered_dev: Graph):
    kms = deployed_dev.client("kms")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    for service, arn in keys.items():
        assert kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"], service
        key_id = arn.rsplit("/", 1)[1]
        assert any(target == key_id for target in aliases.values()), f"no alias for the {service} key"
        policy = json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
        assert policy["Statement"], service
    declared_aliases = {inputs["name"] for inputs in declared(rendered_dev, "aws:kms/alias:Alias")}
    assert declared_aliases <= set(aliases)


def test_ret01_enc02_enc10_aurora_backups_key_and_tls(deployed_dev: SandboxStack, keys: dict[str, str]):
    rds = deployed_dev.client("rds")
    cluster = rds.describe_db_clusters(DBClusterIdentifier=deployed_dev.outputs["auroraClusterId"])["DBClusters"][0]
    assert cluster["BackupRetentionPeriod"] == 30
    assert cluster["StorageEncrypted"] is True
    assert cluster["KmsKeyId"] == keys["aurora"]
    assert cluster["DeletionProtection"] is False
    assert cluster["ServerlessV2ScalingConfiguration"]["MaxCapacity"] > 0
    parameters = rds.describe_db_cluster_parameters(
        DBClusterParameterGroupName=cluster["DBClusterParameterGroup"])["Parameters"]
    assert {"rds.force_ssl": "1"}.items() <= {p["ParameterName"]: p["ParameterValue"] for p in parameters}.items()
    assert cluster["MasterUserSecret"]["SecretArn"] == deployed_dev.outputs["auroraMasterSecretArn"]


def test_iam04_enc04_aurora_master_secret_is_managed_rotated_and_keyed(deployed_dev: SandboxStack,
                                                                        keys: dict[str, str]):
    secret = deployed_dev.client("secretsmanager").describe_secret(SecretId=deployed_dev.outputs["auroraMasterSecretArn"])
    assert secret["OwningService"] == "rds"
    assert secret["RotationEnabled"] is True  # AWS's default schedule for RDS-managed secrets, set by the sandbox
    assert secret["RotationRules"]["AutomaticallyAfterDays"] == 7
    assert secret["KmsKeyId"] == keys["secretsmanager"]


def test_enc03_redis_encrypted_at_rest_and_in_transit_behind_auth(deployed_dev: SandboxStack, keys: dict[str, str]):
    group = deployed_dev.client("elasticache").describe_replication_groups(
        ReplicationGroupId=deployed_dev.outputs["redisReplicationGroupId"])["ReplicationGroups"][0]
    assert group["AtRestEncryptionEnabled"] is True
    assert group["TransitEncryptionEnabled"] is True
    assert group["AuthTokenEnabled"] is True
    assert group["KmsKeyId"] == keys["elasticache"]
    assert group["MultiAZ"] == "enabled"
    assert group["NodeGroups"][0]["PrimaryEndpoint"]["Address"] == deployed_dev.outputs["redisPrimaryEndpoint"]
    secret = deployed_dev.client("secretsmanager").describe_secret(SecretId=deployed_dev.outputs["redisAuthSecretArn"])
    assert secret["KmsKeyId"] == keys["secretsmanager"]
    assert any("AWSCURRENT" in stages for stages in secret["VersionIdsToStages"].values())


@pytest.mark.parametrize("output", ["metricsTableName", "devicesTableName", "idempotencyTableName"])
def test_ret02_enc06_tables_have_pitr_and_the_dynamodb_key(deployed_dev: SandboxStack, keys: dict[str, str],
                                                           output: str):
    dynamodb = deployed_dev.client("dynamodb")
    name = deployed_dev.outputs[output]
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert table["SSEDescription"]["SSEType"] == "KMS"
    assert table["SSEDescription"]["KMSMasterKeyArn"] == keys["dynamodb"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


@pytest.mark.parametrize(("output", "key"), [("archiveBucketName", "s3"), ("trailBucketName", "cloudtrail")])
def test_enc05_ret03_buckets_encrypted_versioned_private_tls_only_with_lifecycle(
        deployed_dev: SandboxStack, keys: dict[str, str], output: str, key: str):
    s3 = deployed_dev.client("s3")
    bucket = deployed_dev.outputs[output]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": keys[key]}
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerEnforced"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert any(s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
               for s in policy["Statement"])
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules and all(r["Status"] == "Enabled" for r in rules)
    assert any("NoncurrentVersionExpiration" in r for r in rules)


def test_ret03_archive_tiers_then_moves_to_glacier_after_90_days(deployed_dev: SandboxStack):
    rules = deployed_dev.client("s3").get_bucket_lifecycle_configuration(
        Bucket=deployed_dev.outputs["archiveBucketName"])["Rules"]
    transitions = {t["StorageClass"]: t["Days"] for r in rules for t in r.get("Transitions", [])}
    assert "INTELLIGENT_TIERING" in transitions
    assert transitions["GLACIER"] == 90


def test_net01_net04_security_group_rules_are_exactly_the_declared_ones(deployed_dev: SandboxStack,
                                                                        rendered_dev: Graph):
    ec2 = deployed_dev.client("ec2")
    groups = deployed_dev.outputs["securityGroupIds"]
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": list(groups.values())}])["SecurityGroupRules"]
    ingress = [r for r in rules if not r["IsEgress"]]
    egress = [r for r in rules if r["IsEgress"]]
    assert len(ingress) == len(declared(rendered_dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"))
    assert len(egress) == len(declared(rendered_dev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"))
    assert not [r for r in ingress if r.get("CidrIpv4") == "0.0.0.0/0" or r.get("CidrIpv6") == "::/0"]
    assert not [r for r in egress if r.get("CidrIpv4") == "0.0.0.0/0"], "the default allow-all egress was not revoked"
    admitted = {(store, port): sorted(r["ReferencedGroupInfo"]["GroupId"] for r in ingress
                                      if r["GroupId"] == groups[store] and r["FromPort"] == r["ToPort"] == port)
                for store, port in (("aurora", 5432), ("redis", 6379), ("proxy", 5432))}
    assert admitted == {("aurora", 5432): sorted([groups["proxy"], groups["migrator"]]),
                        ("redis", 6379): sorted([groups["processor"], groups["redis-rotation"]]),
                        ("proxy", 5432): [groups["processor"]]}
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [deployed_dev.outputs["vpcId"]]},
                                                    {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    assert default["IpPermissions"] == [] and default["IpPermissionsEgress"] == []


def test_net_vpc_endpoints_gateway_and_interface(deployed_dev: SandboxStack, rendered_dev: Graph):
    endpoints = deployed_dev.client("ec2").describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [deployed_dev.outputs["vpcId"]]}])["VpcEndpoints"]
    expected = {(i["serviceName"], i.get("vpcEndpointType", "Gateway"))
                for i in declared(rendered_dev, "aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {(e["ServiceName"], e["VpcEndpointType"]) for e in endpoints} == expected
    for endpoint in endpoints:
        if endpoint["VpcEndpointType"] == "Interface":
            assert set(endpoint["SubnetIds"]) == set(deployed_dev.outputs["privateSubnetIds"])
            assert endpoint["Groups"][0]["GroupId"] == deployed_dev.outputs["securityGroupIds"]["endpoints"]


def test_log01_trail_is_multi_region_validated_keyed_logging_with_insights(deployed_dev: SandboxStack,
                                                                           keys: dict[str, str]):
    cloudtrail = deployed_dev.client("cloudtrail")
    arn = deployed_dev.outputs["trailArn"]
    trail = cloudtrail.get_trail(Name=arn)["Trail"]
    assert trail["IsMultiRegionTrail"] is True
    assert trail["LogFileValidationEnabled"] is True
    assert trail["KmsKeyId"] == keys["cloudtrail"]
    assert trail["S3BucketName"] == deployed_dev.outputs["trailBucketName"]
    assert deployed_dev.outputs["trailLogGroupName"] in trail["CloudWatchLogsLogGroupArn"]
    assert cloudtrail.get_trail_status(Name=arn)["IsLogging"] is True
    insights = {s["InsightType"] for s in cloudtrail.get_insight_selectors(TrailName=arn)["InsightSelectors"]}
    assert insights == {"ApiCallRateInsight", "ApiErrorRateInsight"}
    data = {v for s in cloudtrail.get_event_selectors(TrailName=arn)["EventSelectors"]
            for d in s["DataResources"] for v in d["Values"]}
    assert f"arn:aws:s3:::{deployed_dev.outputs['archiveBucketName']}/" in data


def test_ret04_enc07_log_groups_keep_their_retention_with_the_logs_key(deployed_dev: SandboxStack,
                                                                       keys: dict[str, str], rendered_dev: Graph):
    logs = deployed_dev.client("logs")
    retention = {i["name"]: i["retentionInDays"] for i in declared(rendered_dev, "aws:cloudwatch/logGroup:LogGroup")}
    for name in deployed_dev.outputs["logGroupNames"]:
        [group] = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
        assert group["retentionInDays"] == retention[name]
        assert group["kmsKeyId"] == keys["logs"]


def test_iam02_iam03_every_device_has_an_active_certificate_and_the_scoped_policy(deployed_dev: SandboxStack,
                                                                                   rendered_dev: Graph):
    iot = deployed_dev.client("iot")
    things = deployed_dev.outputs["thingNames"]
    assert len(things) == len(declared(rendered_dev, "aws:iot/thing:Thing"))
    policy_name = deployed_dev.outputs["iotPolicyName"]
    document = iot.get_policy(policyName=policy_name)["policyDocument"]
    assert "${iot:Connection.Thing.ThingName}" in document
    for thing in things:
        [certificate] = iot.list_thing_principals(thingName=thing)["principals"]
        described = iot.describe_certificate(certificateId=certificate.rsplit("/", 1)[1])["certificateDescription"]
        assert described["status"] == "ACTIVE"
        assert [p["policyName"] for p in iot.list_attached_policies(target=certificate)["policies"]] == [policy_name]


def test_iot_topic_rule_routes_telemetry_to_the_stream(deployed_dev: SandboxStack, rendered_dev: Graph):
    rule = deployed_dev.client("iot").get_topic_rule(ruleName=deployed_dev.outputs["iotTopicRuleName"])["rule"]
    [inputs] = declared(rendered_dev, "aws:iot/topicRule:TopicRule")
    assert rule["sql"] == inputs["sql"]
    assert rule["ruleDisabled"] is False
    [action] = rule["actions"]
    assert action["kinesis"]["streamName"] == deployed_dev.outputs["streamName"]
    assert action["kinesis"]["roleArn"].startswith(f"arn:aws:iam::{deployed_dev.account_id}:role/")
    assert "cloudwatchLogs" in rule["errorAction"]


def test_lam01_enc09_processor_runs_private_with_its_key_and_config(deployed_dev: SandboxStack,
                                                                    keys: dict[str, str]):
    lambda_ = deployed_dev.client("lambda")
    function = lambda_.get_function_configuration(FunctionName=deployed_dev.outputs["processorFunctionName"])
    assert function["Runtime"] == "python3.11"
    assert function["KMSKeyArn"] == keys["lambda"]
    assert set(function["VpcConfig"]["SubnetIds"]) == set(deployed_dev.outputs["privateSubnetIds"])
    assert function["VpcConfig"]["SecurityGroupIds"] == [deployed_dev.outputs["securityGroupIds"]["processor"]]
    variables = function["Environment"]["Variables"]
    assert variables["DATABASE_HOST"] == deployed_dev.outputs["rdsProxyEndpoint"]
    assert variables["DATABASE_USER"] == "telemetry_writer"
    assert "METRICS_TABLE" not in variables  # aggregates and anomalies are in Aurora
    assert variables["ARCHIVE_BUCKET"] == deployed_dev.outputs["archiveBucketName"]
    assert variables["DLQ_URL"] == deployed_dev.outputs["dlqUrl"]
    code = lambda_.get_function(FunctionName=function["FunctionName"])["Configuration"]["CodeSize"]
    assert code > 0


def test_processor_consumes_the_stream_with_partial_batches_bisect_and_a_dlq(deployed_dev: SandboxStack,
                                                                             keys: dict[str, str], rendered_dev: Graph):
    lambda_ = deployed_dev.client("lambda")
    # moto filters mappings by the exact FunctionName they were created with (the program passes the ARN)
    [mapping] = lambda_.list_event_source_mappings(EventSourceArn=deployed_dev.outputs["streamArn"])[
        "EventSourceMappings"]
    [inputs] = declared(rendered_dev, "aws:lambda/eventSourceMapping:EventSourceMapping", "processor-telemetry")
    assert mapping["EventSourceArn"] == deployed_dev.outputs["streamArn"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == inputs["maximumRetryAttempts"]
    assert mapping["BatchSize"] == inputs["batchSize"]
    queue = deployed_dev.client("sqs").get_queue_attributes(QueueUrl=deployed_dev.outputs["dlqUrl"],
                                                            AttributeNames=["QueueArn", "KmsMasterKeyId"])["Attributes"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == queue["QueueArn"]
    assert queue["KmsMasterKeyId"] == keys["lambda"]


def test_records_put_on_the_stream_can_be_read_back_for_the_pipeline(deployed_dev: SandboxStack):
    """The pipeline test puts telemetry as the IoT rule would, then feeds it to the handler (no Lambda runs here)."""
    kinesis = deployed_dev.client("kinesis")
    stream = deployed_dev.outputs["streamName"]
    sent = [json.dumps({"seq": n}).encode() for n in range(3)]
    put = kinesis.put_records(StreamName=stream, Records=[{"Data": d, "PartitionKey": "probe"} for d in sent])
    assert put["FailedRecordCount"] == 0
    first = put["Records"][0]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=first["ShardId"],
                                          ShardIteratorType="AT_SEQUENCE_NUMBER",
                                          StartingSequenceNumber=first["SequenceNumber"])["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator, Limit=3)["Records"]] == sent

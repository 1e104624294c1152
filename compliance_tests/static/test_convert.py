"""graph.json -> Terraform-plan JSON, without checkov: names, shapes, values, references."""

from __future__ import annotations

import json

import pytest

from compliance.engine import UNKNOWN
from compliance.errors import EvaluationError
from compliance.static.convert import TERRAFORM_VERSION, graph_to_plan, terraform_name
from compliance_tests.static.graphs import graph_of, resource, urn

TABLE = "aws:dynamodb/table:Table"
FUNCTION = "aws:lambda/function:Function"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"


def planned(plan, address: str) -> dict:
    for entry in plan.document["planned_values"]["root_module"]["resources"]:
        if entry["address"] == address:
            return entry
    raise AssertionError(f"{address} not in plan")


def configured(plan, address: str) -> dict:
    for entry in plan.document["configuration"]["root_module"]["resources"]:
        if entry["address"] == address:
            return entry
    raise AssertionError(f"{address} has no configuration")


def test_plan_has_what_checkov_needs(bridge):
    plan = graph_to_plan(graph_of(resource(TABLE, "metrics", {"name": "dynamodb-metrics-dev"})), bridge)
    assert plan.document["terraform_version"] == TERRAFORM_VERSION
    entry = planned(plan, "aws_dynamodb_table.metrics")
    assert entry["mode"] == "managed"
    assert (entry["type"], entry["name"]) == ("aws_dynamodb_table", "metrics")


@pytest.mark.parametrize(("token", "tf_type"), [
    ("aws:ec2/securityGroup:SecurityGroup", "aws_security_group"),
    ("aws:rds/subnetGroup:SubnetGroup", "aws_db_subnet_group"),
    ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
    ("aws:s3/bucket:Bucket", "aws_s3_bucket"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws_vpc_security_group_ingress_rule"),
])
def test_type_tokens_map_to_terraform_types(bridge, token, tf_type):
    plan = graph_to_plan(graph_of(resource(token, "x")), bridge)
    assert plan.resources[0].address == f"{tf_type}.x"


def test_property_renames_come_from_the_bridge(bridge):
    plan = graph_to_plan(graph_of(
        resource(FUNCTION, "processor", {"name": "lambda-processor-dev", "runtime": "python3.11"}),
        resource(TABLE, "metrics", {"attributes": [{"name": "pk", "type": "S"}], "hashKey": "pk"}),
        resource("aws:cloudtrail/trail:Trail", "audit", {"insightSelectors": [{"insightType": "ApiCallRateInsight"}]}),
        resource("aws:iot/topicRule:TopicRule", "telemetry", {"kineses": [{"streamName": "s", "partitionKey": "k"}]}),
    ), bridge)
    assert planned(plan, "aws_lambda_function.processor")["values"] == {
        "function_name": "lambda-processor-dev", "runtime": "python3.11"}
    assert planned(plan, "aws_dynamodb_table.metrics")["values"] == {
        "attribute": [{"name": "pk", "type": "S"}], "hash_key": "pk"}
    assert planned(plan, "aws_cloudtrail.audit")["values"] == {"insight_selector": [{"insight_type": "ApiCallRateInsight"}]}
    assert planned(plan, "aws_iot_topic_rule.telemetry")["values"] == {
        "kinesis": [{"stream_name": "s", "partition_key": "k"}]}


def test_nested_objects_stay_objects_and_lists_of_blocks_stay_lists(bridge):
    plan = graph_to_plan(graph_of(
        resource(TABLE, "metrics", {"serverSideEncryption": {"enabled": True, "kmsKeyArn": "arn:k"},
                                    "pointInTimeRecovery": {"enabled": True}}),
        resource(SECURITY_GROUP, "redis", {"ingress": [
            {"fromPort": 6379.0, "toPort": 6379.0, "protocol": "tcp", "securityGroups": ["sg-1"]},
            {"fromPort": 443.0, "toPort": 443.0, "protocol": "tcp", "cidrBlocks": ["10.0.0.0/16"]}]}),
    ), bridge)
    assert planned(plan, "aws_dynamodb_table.metrics")["values"] == {
        "server_side_encryption": {"enabled": True, "kms_key_arn": "arn:k"}, "point_in_time_recovery": {"enabled": True}}
    assert planned(plan, "aws_security_group.redis")["values"]["ingress"] == [
        {"from_port": 6379, "to_port": 6379, "protocol": "tcp", "security_groups": ["sg-1"]},
        {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]}]


def test_map_inputs_keep_their_keys(bridge):
    tags = {"Environment": "dev", "DataClassification": "confidential", "cost-center": "42"}
    plan = graph_to_plan(graph_of(
        resource(FUNCTION, "processor", {"tags": tags, "environment": {"variables": {"LOG_LEVEL": "INFO", "maxBatch": "5"}}}),
        resource("aws:iot/thing:Thing", "t1", {"attributes": {"deviceType": "pressure"}, "thingTypeName": "pressure"}),
    ), bridge)
    function = planned(plan, "aws_lambda_function.processor")["values"]
    assert function["tags"] == tags
    assert function["environment"] == {"variables": {"LOG_LEVEL": "INFO", "maxBatch": "5"}}
    assert planned(plan, "aws_iot_thing.t1")["values"] == {"attributes": {"deviceType": "pressure"},
                                                          "thing_type_name": "pressure"}


def test_numbers_become_integers_when_whole(bridge):
    plan = graph_to_plan(graph_of(resource("aws:rds/cluster:Cluster", "aurora", {
        "backupRetentionPeriod": 30.0, "serverlessv2ScalingConfiguration": {"minCapacity": 0.5, "maxCapacity": 4.0}})), bridge)
    values = planned(plan, "aws_rds_cluster.aurora")["values"]
    assert values["backup_retention_period"] == 30 and isinstance(values["backup_retention_period"], int)
    assert values["serverlessv2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 4}


def test_secrets_stay_redacted_even_when_they_depend_on_other_resources(bridge):
    secret = resource("aws:secretsmanager/secret:Secret", "redis-auth")
    plan = graph_to_plan(graph_of(secret, resource(
        "aws:elasticache/replicationGroup:ReplicationGroup", "redis", {"authToken": "[secret]"},
        deps={"authToken": [secret["urn"]]})), bridge)
    values = planned(plan, "aws_elasticache_replication_group.redis")["values"]
    assert values["auth_token"] == "[secret]"


def test_references_come_from_property_dependencies(bridge):
    bucket = resource(BUCKET, "raw", {"bucket": "s3-raw-dev"})
    key = resource("aws:kms/key:Key", "s3")
    plan = graph_to_plan(graph_of(bucket, key, resource(
        "aws:s3/bucketPolicy:BucketPolicy", "raw", {
            "bucket": "s3-raw-dev", "policy": json.dumps({"Statement": [{"Effect": "Deny", "Resource": "arn:aws:s3:::s3-raw-dev"}]})},
        deps={"bucket": [bucket["urn"]], "policy": [bucket["urn"]]}),
        resource(VERSIONING, "raw", {"bucket": "s3-raw-dev", "versioningConfiguration": {"status": "Enabled"}},
                 deps={"bucket": [bucket["urn"]], "versioningConfiguration": []}),
    ), bridge)
    assert configured(plan, "aws_s3_bucket_versioning.raw")["expressions"] == {
        "bucket": {"references": ["aws_s3_bucket.raw.id", "aws_s3_bucket.raw"]}}
    # Unknown in a first plan: the plain reference value leaves planned values, checkov puts the reference there.
    assert planned(plan, "aws_s3_bucket_versioning.raw")["values"] == {"versioning_configuration": {"status": "Enabled"}}
    policy = planned(plan, "aws_s3_bucket_policy.raw")["values"]
    assert "bucket" not in policy
    assert json.loads(policy["policy"])["Statement"][0]["Effect"] == "Deny"  # a known document is kept


def test_policy_documents_given_as_objects_become_json(bridge):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": "*"}]}
    plan = graph_to_plan(graph_of(resource("aws:iam/rolePolicy:RolePolicy", "p", {"policy": document})), bridge)
    assert json.loads(planned(plan, "aws_iam_role_policy.p")["values"]["policy"]) == document


def test_assets_become_paths_and_unknowns_are_left_out(bridge):
    plan = graph_to_plan(graph_of(resource(FUNCTION, "processor", {
        "code": {"archive": "program/functions/processor"}, "role": UNKNOWN,
        "environment": {"variables": {"QUEUE_URL": UNKNOWN, "LOG_LEVEL": "INFO"}}})), bridge)
    assert planned(plan, "aws_lambda_function.processor")["values"] == {
        "filename": "program/functions/processor", "environment": {"variables": {"LOG_LEVEL": "INFO"}}}


def test_names_are_identifiers_unique_per_type_and_map_back_to_urns(bridge):
    source = {"file": "program/components/storage.py", "line": 12}
    plan = graph_to_plan(graph_of(
        resource(TABLE, "plant-1.metrics", source=source),
        resource(TABLE, "plant_1_metrics"),
        resource(TABLE, "1st"),
        resource(FUNCTION, "plant-1.metrics"),
    ), bridge)
    addresses = [r.address for r in plan.resources]
    assert addresses == ["aws_dynamodb_table.plant_1_metrics", "aws_dynamodb_table.plant_1_metrics_2",
                         "aws_dynamodb_table.r_1st", "aws_lambda_function.plant_1_metrics"]
    first = plan.by_address()["aws_dynamodb_table.plant_1_metrics"]
    assert (first.urn, first.name, first.source) == (urn(TABLE, "plant-1.metrics"), "plant-1.metrics",
                                                     "program/components/storage.py:12")


def test_terraform_name_helper():
    taken: set[str] = set()
    assert [terraform_name(n, taken) for n in ("a-b", "a.b", "9x", "_x")] == ["a_b", "a_b_2", "r_9x", "_x"]


def test_components_and_providers_are_not_converted(bridge):
    plan = graph_to_plan(graph_of(
        resource("iot-sensor-platform:storage:Storage", "storage", custom=False),
        resource("pulumi:providers:aws", "default"),
        resource(TABLE, "metrics"),
    ), bridge)
    assert [r.address for r in plan.resources] == ["aws_dynamodb_table.metrics"]


def test_a_graph_without_custom_resources_is_an_error(bridge):
    with pytest.raises(EvaluationError, match="no custom resources"):
        graph_to_plan(graph_of(resource("iot-sensor-platform:storage:Storage", "s", custom=False)), bridge)


def test_an_unmapped_type_is_an_error_naming_it_and_the_refresh(bridge):
    with pytest.raises(EvaluationError, match=r"aws:neptune/cluster:Cluster.*bridge_metadata\.json"):
        graph_to_plan(graph_of(resource("aws:neptune/cluster:Cluster", "graph")), bridge)


# Hand-checked entries for the analytics types (the stored bridge metadata predates them): one test each.
@pytest.mark.parametrize(("token", "tf_type"), [
    ("aws:rds/proxy:Proxy", "aws_db_proxy"),
    ("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "aws_db_proxy_default_target_group"),
    ("aws:rds/proxyTarget:ProxyTarget", "aws_db_proxy_target"),
    ("aws:lambda/invocation:Invocation", "aws_lambda_invocation"),
])
def test_the_analytics_types_map_to_their_terraform_types(bridge, token, tf_type):
    plan = graph_to_plan(graph_of(resource(token, "metrics", {"name": "x-metrics-dev"})), bridge)
    assert planned(plan, f"{tf_type}.metrics")["type"] == tf_type


def test_the_proxy_auths_list_becomes_terraform_auth_blocks_and_the_pool_config_an_object(bridge):
    proxy = resource("aws:rds/proxy:Proxy", "metrics", {
        "name": "rdsproxy-metrics-dev", "engineFamily": "POSTGRESQL", "requireTls": True,
        "defaultAuthScheme": "IAM_AUTH", "vpcSubnetIds": ["subnet-a"],
        "auths": [{"authScheme": "SECRETS", "iamAuth": "REQUIRED", "secretArn": "arn:aws:secretsmanager:x"}]})
    group = resource("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "metrics", {
        "dbProxyName": "rdsproxy-metrics-dev", "connectionPoolConfig": {"maxConnectionsPercent": 50}})
    plan = graph_to_plan(graph_of(proxy, group), bridge)
    values = planned(plan, "aws_db_proxy.metrics")["values"]
    assert values["require_tls"] is True and values["default_auth_scheme"] == "IAM_AUTH"
    assert values["vpc_subnet_ids"] == ["subnet-a"]
    assert values["auth"] == [{"auth_scheme": "SECRETS", "iam_auth": "REQUIRED", "secret_arn": "arn:aws:secretsmanager:x"}]
    pool = planned(plan, "aws_db_proxy_default_target_group.metrics")["values"]["connection_pool_config"]
    assert pool in ({"max_connections_percent": 50}, [{"max_connections_percent": 50}])


def test_the_invocation_keeps_its_input_and_trigger_map_verbatim(bridge):
    invocation = resource("aws:lambda/invocation:Invocation", "migrate", {
        "functionName": "lambda-migrator-dev", "input": '{"action": "upgrade"}',
        "triggers": {"migrations": "abc", "inputsDigest": "def"}})
    values = planned(graph_to_plan(graph_of(invocation), bridge), "aws_lambda_invocation.migrate")["values"]
    assert values["function_name"] == "lambda-migrator-dev"
    assert values["triggers"] == {"migrations": "abc", "inputsDigest": "def"}

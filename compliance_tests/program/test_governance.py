"""GOV-01/02/03, DES-01/02, IAM-01 and "no secrets out" across every resource of the rendered dev graph."""

from __future__ import annotations

import json
import re

from compliance import REPO_ROOT
from compliance.render.synthetic import SYNTHETIC_RANDOM_PASSWORD
from compliance_tests.program.graph_helpers import (
    VPC_LAMBDA_ENI_ACTIONS,
    as_list,
    is_taggable,
    of_type,
    policy,
    statements,
)

# Where each type keeps its physical name; "tags.Name" for resources AWS gives only an ID.
NAME_FIELDS = {
    "aws:kms/key:Key": "tags.Name",
    "aws:kms/alias:Alias": "name",
    "aws:ec2/vpc:Vpc": "tags.Name",
    "aws:ec2/subnet:Subnet": "tags.Name",
    "aws:ec2/internetGateway:InternetGateway": "tags.Name",
    "aws:ec2/routeTable:RouteTable": "tags.Name",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "tags.Name",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "tags.Name",
    "aws:ec2/securityGroup:SecurityGroup": "name",
    "aws:ec2/flowLog:FlowLog": "tags.Name",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "name",
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:rds/proxy:Proxy": "name",
    "aws:elasticache/subnetGroup:SubnetGroup": "name",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:secretsmanager/secret:Secret": "name",
    "aws:dynamodb/table:Table": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:iam/role:Role": "name",
    "aws:iam/rolePolicy:RolePolicy": "name",
    "aws:iot/thingType:ThingType": "name",
    "aws:iot/thing:Thing": "name",
    "aws:iot/policy:Policy": "name",
    "aws:iot/topicRule:TopicRule": "name",
    "aws:kinesis/stream:Stream": "name",
    "aws:lambda/function:Function": "name",
    "aws:sqs/queue:Queue": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudtrail/trail:Trail": "name",
    "aws:cloudwatch/eventRule:EventRule": "name",  # the compliance auditor's rules, schedule and alarms
    "aws:scheduler/schedule:Schedule": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
}
# Resources that have no name of their own (attachments, rules, per-bucket settings, versions).
UNNAMED = {
    "aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:secretsmanager/secretVersion:SecretVersion", "aws:iot/certificate:Certificate",
    "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment", "aws:iot/policyAttachment:PolicyAttachment",
    "aws:lambda/eventSourceMapping:EventSourceMapping", "aws:lambda/permission:Permission",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup", "aws:rds/proxyTarget:ProxyTarget",
    "aws:lambda/invocation:Invocation",
    "aws:cloudwatch/eventTarget:EventTarget", "aws:sqs/queuePolicy:QueuePolicy",
    *(f"aws:s3/{kind[0].lower()}{kind[1:]}:{kind}" for kind in (
        "BucketOwnershipControls", "BucketPublicAccessBlock", "BucketVersioning",
        "BucketServerSideEncryptionConfiguration", "BucketLifecycleConfiguration", "BucketPolicy",
        "BucketObjectLockConfiguration")),
}
# The compliance auditor's reads (compliance/audit/auditor-policy.json: describe/list calls, most of which take no
# resource) and its X-Ray writes (which take none), the other grants on Resource *.
AUDITOR_UNSCOPED_ACTIONS = frozenset(
    {a for s in json.loads((REPO_ROOT / "compliance" / "audit" / "auditor-policy.json").read_text())["Statement"]
     for a in as_list(s["Action"])} | {"xray:PutTraceSegments", "xray:PutTelemetryRecords"})
REQUIRED_TAGS = {"Environment": "dev", "Project": "iot-sensor-platform", "Owner": "platform-team",
                 "DataClassification": "confidential"}
OUTPUT_KEYS = {
    "vpcId", "privateSubnetIds", "publicSubnetIds", "securityGroupIds", "kmsKeyArns", "streamName", "streamArn",
    "auroraClusterId", "auroraClusterEndpoint", "auroraMasterSecretArn", "redisReplicationGroupId",
    "redisPrimaryEndpoint", "redisAuthSecretArn", "metricsTableName", "devicesTableName", "idempotencyTableName",
    "archiveBucketName", "trailBucketName", "processorFunctionName", "dlqUrl", "rdsProxyName", "rdsProxyEndpoint",
    "migratorFunctionName", "trailArn", "trailLogGroupName", "redisAuthRotationFunctionName",
    "logGroupNames", "iotTopicRuleName", "iotPolicyName", "thingNames", "thingTypeNames", "region",
    "environmentSuffix", "evidenceSigningKeyArn",
    "auditorFunctionName", "auditorQueueUrl", "auditorDlqUrl", "evidenceBucketName",  # the compliance auditor
}


def physical_name(resource) -> str:
    field = NAME_FIELDS[resource["type"]]
    inputs = resource["inputs"]
    value = inputs.get("tags", {}).get("Name") if field == "tags.Name" else inputs.get(field)
    assert isinstance(value, str), f"{resource['urn']} has no physical name in {field}"
    if resource["type"] == "aws:iot/topicRule:TopicRule":  # IoT rule names allow no hyphens
        value = value.replace("_", "-")
    return value.rsplit("/", 1)[-1]  # log groups and aliases: the last path segment


def walk(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")
    else:
        yield path, value


def test_every_name_has_type_purpose_suffix(dev_graph):
    """GOV-01: {type}-{purpose}-{suffix} with this stack's suffix, for every named resource."""
    pattern = re.compile(r"^[a-z][a-z0-9]*-[a-z0-9]+(-[a-z0-9]+)*-dev$")
    for resource in dev_graph.custom_resources():
        if resource["type"] in UNNAMED:
            continue
        assert resource["type"] in NAME_FIELDS, f"new type {resource['type']}: add it to NAME_FIELDS or UNNAMED"
        assert pattern.match(physical_name(resource)), f"{resource['urn']}: {physical_name(resource)}"


def test_physical_names_are_unique_per_type(dev_graph):
    for type_token in NAME_FIELDS:
        names = [physical_name(r) for r in dev_graph.of_type(type_token)]
        assert len(names) == len(set(names)), type_token


def test_every_taggable_resource_has_required_tags(dev_graph):
    """GOV-03: every resource whose provider type accepts tags carries the four required tags."""
    taggable = [r for r in dev_graph.custom_resources() if is_taggable(r["type"])]
    assert len(taggable) > 50
    for resource in taggable:
        tags = resource["inputs"].get("tags", {})
        assert {k: tags.get(k) for k in REQUIRED_TAGS} == REQUIRED_TAGS, resource["urn"]


def test_nothing_protected_or_retained(dev_graph):
    """DES-01: no resource, component or custom, is protected or retained on delete."""
    for resource in dev_graph.resources:
        assert resource["options"]["protect"] is False, resource["urn"]
        assert resource["options"]["retainOnDelete"] is False, resource["urn"]


def test_no_deletion_protection_anywhere(dev_graph):
    """DES-02: no input anywhere enables deletion protection or skip-destroy."""
    for resource in dev_graph.custom_resources():
        for path, value in walk(resource["inputs"]):
            leaf = path.rsplit(".", 1)[-1]
            if leaf in {"deletionProtection", "deletionProtectionEnabled", "skipDestroy"}:
                assert value is False, f"{resource['urn']}{path}"


def test_no_iam_policy_allows_wildcard_actions(dev_graph):
    """IAM-01: no * or service:* action; Resource * only for the network-interface actions of a VPC Lambda."""
    for role_policy in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy"):
        for stmt in statements(policy(role_policy)):
            actions = as_list(stmt["Action"])
            assert not [a for a in actions if a == "*" or a.endswith(":*")], role_policy["name"]
            if "*" in as_list(stmt["Resource"]):
                assert set(actions) <= VPC_LAMBDA_ENI_ACTIONS | AUDITOR_UNSCOPED_ACTIONS, role_policy["name"]


def test_resources_only_in_the_approved_region(dev_graph):
    """GOV-02: the stack's region is approved and every regional ARN or endpoint the program builds names it."""
    assert dev_graph.config["aws:region"] == "sa-east-1"
    for resource in dev_graph.custom_resources():
        for path, value in walk(resource["inputs"]):
            if isinstance(value, str):
                for region in re.findall(r"(?:arn:aws:[a-z0-9-]+:|com\.amazonaws\.)([a-z]{2}-[a-z]+-\d)", value):
                    assert region == "sa-east-1", f"{resource['urn']}{path}: {value}"


def test_outputs_have_the_documented_keys(outputs):
    assert set(outputs) == OUTPUT_KEYS
    assert set(outputs["securityGroupIds"]) == {"processor", "aurora", "redis", "endpoints", "redis-rotation",
                                                "proxy", "migrator", "auditor"}
    assert len(outputs["privateSubnetIds"]) == len(outputs["publicSubnetIds"]) == 2
    assert outputs["region"] == "sa-east-1" and outputs["environmentSuffix"] == "dev"


def test_outputs_have_no_secret_values(outputs):
    for path, value in walk(outputs):
        assert value != "[secret]", f"output{path} is a secret"
        assert not re.search(r"password|token|privatekey|secretstring", path, re.IGNORECASE), f"output{path}"
        assert SYNTHETIC_RANDOM_PASSWORD not in str(value)


def test_no_secret_value_in_the_graph(dev_graph):
    """The generated Redis AUTH token (the mocks answer a known marker) is redacted wherever it flows."""
    text = json.dumps(dev_graph.data)
    assert SYNTHETIC_RANDOM_PASSWORD not in text
    assert text.count('"[secret]"') == 2  # the secret version's string and the replication group's authToken


def test_every_resource_records_where_the_program_declares_it(dev_graph):
    for resource in dev_graph.resources:
        assert resource["source"] and resource["source"]["file"].startswith("program/"), resource["urn"]

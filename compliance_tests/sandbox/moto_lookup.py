"""Find a deployed resource in the sandbox by its type token and physical ID, with one read-only call.

One lookup per type the program uses: a type without one fails the
completeness test, naming the type.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

Client = Callable[[str], Any]


def _route(c: Client, route_id: str) -> bool:
    for table in c("ec2").describe_route_tables()["RouteTables"]:
        for route in table["Routes"]:
            destination = route.get("DestinationCidrBlock") or route.get("DestinationPrefixListId") or ""
            if route_id == f"r-{table['RouteTableId']}{zlib.crc32(destination.encode())}":
                return True
    return False


def _rule(egress: bool) -> Callable[[Client, str], bool]:
    def lookup(c: Client, rule_id: str) -> bool:
        rules = c("ec2").describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"]
        return len(rules) == 1 and rules[0]["IsEgress"] is egress

    return lookup


def _thing_principal(c: Client, attachment_id: str) -> bool:
    thing, principal = attachment_id.split("|", 1)
    return principal in c("iot").list_thing_principals(thingName=thing)["principals"]


def _policy_attachment(c: Client, attachment_id: str) -> bool:
    policy, target = attachment_id.split("|", 1)
    return policy in [p["policyName"] for p in c("iot").list_attached_policies(target=target)["policies"]]


def _event_target(c: Client, target_id: str) -> bool:
    for rule in c("events").list_rules()["Rules"]:
        if target_id.startswith(f"{rule['Name']}-"):
            wanted = target_id.removeprefix(f"{rule['Name']}-")
            return wanted in [t["Id"] for t in c("events").list_targets_by_rule(Rule=rule["Name"])["Targets"]]
    return False


def _proxy_target(c: Client, target_id: str) -> bool:
    proxy, group, kind, resource = target_id.split(",", 3)
    targets = c("rds").describe_db_proxy_targets(DBProxyName=proxy, TargetGroupName=group)["Targets"]
    return any(t.get("Type") == kind and resource in (t.get("RdsResourceId"), t.get("TrackedClusterId"))
               for t in targets)


def _role_policy(c: Client, role_policy_id: str) -> bool:
    role, name = role_policy_id.split(":", 1)
    return c("iam").get_role_policy(RoleName=role, PolicyName=name)["PolicyName"] == name


def _secret_version(c: Client, version_id: str) -> bool:
    arn, version = version_id.split("|", 1)
    versions = c("secretsmanager").list_secret_version_ids(SecretId=arn)["Versions"]
    return version in [v["VersionId"] for v in versions]


def _permission(c: Client, statement_id: str) -> bool:
    """A statement of some function's resource policy (the provider's ID is the statement ID)."""
    for function in c("lambda").list_functions()["Functions"]:
        try:
            policy = json.loads(c("lambda").get_policy(FunctionName=function["FunctionName"])["Policy"])
        except c("lambda").exceptions.ResourceNotFoundException:
            continue
        if statement_id in [s.get("Sid") for s in policy["Statement"]]:
            return True
    return False


def _log_group(c: Client, name: str) -> bool:
    return name in [g["logGroupName"] for g in c("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]]


LOOKUPS: dict[str, Callable[[Client, str], Any]] = {
    "aws:ec2/vpc:Vpc": lambda c, i: c("ec2").describe_vpcs(VpcIds=[i])["Vpcs"],
    "aws:ec2/subnet:Subnet": lambda c, i: c("ec2").describe_subnets(SubnetIds=[i])["Subnets"],
    "aws:ec2/internetGateway:InternetGateway":
        lambda c, i: c("ec2").describe_internet_gateways(InternetGatewayIds=[i])["InternetGateways"][0]["Attachments"],
    "aws:ec2/routeTable:RouteTable": lambda c, i: c("ec2").describe_route_tables(RouteTableIds=[i])["RouteTables"],
    "aws:ec2/route:Route": _route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": lambda c, i: c("ec2").describe_route_tables(
        Filters=[{"Name": "association.route-table-association-id", "Values": [i]}])["RouteTables"],
    "aws:ec2/securityGroup:SecurityGroup": lambda c, i: c("ec2").describe_security_groups(GroupIds=[i])["SecurityGroups"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        lambda c, i: c("ec2").describe_security_groups(GroupIds=[i])["SecurityGroups"][0]["GroupName"] == "default",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _rule(egress=False),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _rule(egress=True),
    "aws:ec2/vpcEndpoint:VpcEndpoint": lambda c, i: c("ec2").describe_vpc_endpoints(VpcEndpointIds=[i])["VpcEndpoints"],
    "aws:ec2/flowLog:FlowLog": lambda c, i: c("ec2").describe_flow_logs(FlowLogIds=[i])["FlowLogs"],
    "aws:kms/key:Key": lambda c, i: c("kms").describe_key(KeyId=i)["KeyMetadata"]["KeyState"] == "Enabled",
    "aws:kms/alias:Alias": lambda c, i: i in [a["AliasName"] for a in c("kms").list_aliases()["Aliases"]],
    "aws:iot/thingType:ThingType": lambda c, i: c("iot").describe_thing_type(thingTypeName=i)["thingTypeArn"],
    "aws:iot/thing:Thing": lambda c, i: c("iot").describe_thing(thingName=i)["thingArn"],
    "aws:iot/certificate:Certificate":
        lambda c, i: c("iot").describe_certificate(certificateId=i)["certificateDescription"]["status"] == "ACTIVE",
    "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment": _thing_principal,
    "aws:iot/policy:Policy": lambda c, i: c("iot").get_policy(policyName=i)["policyArn"],
    "aws:iot/policyAttachment:PolicyAttachment": _policy_attachment,
    "aws:iot/topicRule:TopicRule": lambda c, i: c("iot").get_topic_rule(ruleName=i)["ruleArn"],
    "aws:iam/role:Role": lambda c, i: c("iam").get_role(RoleName=i)["Role"]["Arn"],
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:kinesis/stream:Stream":
        lambda c, i: c("kinesis").describe_stream_summary(StreamARN=i)["StreamDescriptionSummary"]["StreamStatus"],
    "aws:rds/subnetGroup:SubnetGroup":
        lambda c, i: c("rds").describe_db_subnet_groups(DBSubnetGroupName=i)["DBSubnetGroups"],
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": lambda c, i: c("rds").describe_db_cluster_parameter_groups(
        DBClusterParameterGroupName=i)["DBClusterParameterGroups"],
    "aws:rds/cluster:Cluster": lambda c, i: c("rds").describe_db_clusters(DBClusterIdentifier=i)["DBClusters"],
    "aws:rds/clusterInstance:ClusterInstance":
        lambda c, i: c("rds").describe_db_instances(DBInstanceIdentifier=i)["DBInstances"],
    "aws:elasticache/subnetGroup:SubnetGroup":
        lambda c, i: c("elasticache").describe_cache_subnet_groups(CacheSubnetGroupName=i)["CacheSubnetGroups"],
    "aws:elasticache/replicationGroup:ReplicationGroup":
        lambda c, i: c("elasticache").describe_replication_groups(ReplicationGroupId=i)["ReplicationGroups"],
    "aws:secretsmanager/secret:Secret": lambda c, i: c("secretsmanager").describe_secret(SecretId=i)["ARN"] == i,
    "aws:secretsmanager/secretVersion:SecretVersion": _secret_version,
    "aws:secretsmanager/secretRotation:SecretRotation":
        lambda c, i: c("secretsmanager").describe_secret(SecretId=i).get("RotationEnabled") is True,
    "aws:dynamodb/table:Table": lambda c, i: c("dynamodb").describe_table(TableName=i)["Table"]["TableStatus"],
    "aws:s3/bucket:Bucket": lambda c, i: c("s3").head_bucket(Bucket=i),
    "aws:s3/bucketVersioning:BucketVersioning": lambda c, i: c("s3").get_bucket_versioning(Bucket=i).get("Status"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        lambda c, i: c("s3").get_bucket_encryption(Bucket=i)["ServerSideEncryptionConfiguration"]["Rules"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
        lambda c, i: c("s3").get_public_access_block(Bucket=i)["PublicAccessBlockConfiguration"],
    "aws:s3/bucketPolicy:BucketPolicy": lambda c, i: c("s3").get_bucket_policy(Bucket=i)["Policy"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
        lambda c, i: c("s3").get_bucket_lifecycle_configuration(Bucket=i)["Rules"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
        lambda c, i: c("s3").get_bucket_ownership_controls(Bucket=i)["OwnershipControls"]["Rules"],
    "aws:sqs/queue:Queue": lambda c, i: c("sqs").get_queue_attributes(QueueUrl=i, AttributeNames=["QueueArn"]),
    "aws:lambda/function:Function": lambda c, i: c("lambda").get_function(FunctionName=i)["Configuration"],
    "aws:lambda/eventSourceMapping:EventSourceMapping": lambda c, i: c("lambda").get_event_source_mapping(UUID=i),
    "aws:lambda/permission:Permission": _permission,
    # An invocation leaves nothing behind (and moto cannot make it: a gap); its function must exist.
    "aws:lambda/invocation:Invocation":
        lambda c, i: c("lambda").get_function(FunctionName=i.split("_", 1)[0])["Configuration"],
    "aws:rds/proxy:Proxy": lambda c, i: c("rds").describe_db_proxies(DBProxyName=i)["DBProxies"],
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": lambda c, i: [
        g for g in c("rds").describe_db_proxy_target_groups(DBProxyName=i)["TargetGroups"] if g["IsDefault"]],
    "aws:rds/proxyTarget:ProxyTarget": _proxy_target,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudtrail/trail:Trail": lambda c, i: c("cloudtrail").get_trail(Name=i)["Trail"],
    # The compliance auditor's surroundings.
    "aws:cloudwatch/eventRule:EventRule": lambda c, i: c("events").describe_rule(Name=i)["EventPattern"],
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:sqs/queuePolicy:QueuePolicy":
        lambda c, i: c("sqs").get_queue_attributes(QueueUrl=i, AttributeNames=["Policy"])["Attributes"]["Policy"],
    "aws:scheduler/schedule:Schedule": lambda c, i: c("scheduler").get_schedule(
        GroupName=i.split("/", 1)[0], Name=i.split("/", 1)[1])["Target"]["Arn"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda c, i: c("cloudwatch").describe_alarms(AlarmNames=[i])["MetricAlarms"],
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": lambda c, i: c("s3").get_object_lock_configuration(
        Bucket=i)["ObjectLockConfiguration"]["Rule"]["DefaultRetention"],
}

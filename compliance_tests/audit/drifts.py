"""Drifts: one way (at least) per live control to break a deployed stack with boto3, and its undo.

Each drift changes the ``auditdrift`` stack the way someone could after deploy
(disable rotation, open a port, shorten a retention, stop the trail, …) and
returns how to undo it and which (control, resource name) the audit must now
fail. Where a setting cannot change after creation, the drift adds a rogue
resource to the stack (an unencrypted log group, a misnamed queue).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compliance_tests.audit.conftest import stack_client

Expected = set[tuple[str, str]]
Undo = Callable[[], Any]


@dataclass
class DriftContext:
    stack: Any

    @property
    def o(self) -> dict[str, Any]:
        return self.stack.outputs

    @property
    def suffix(self) -> str:
        return self.stack.suffix

    def client(self, service: str, region: str | None = None) -> Any:
        return stack_client(self.stack, service, region)

    def key(self, service: str) -> str:
        return self.o["kmsKeyArns"][service]

    def tags(self, **extra: str) -> dict[str, str]:
        return {"Environment": self.suffix, "Project": "iot-sensor-platform", "Owner": "platform-team",
                "DataClassification": "confidential", **extra}

    def function_arn(self) -> str:
        return self.client("lambda").get_function(FunctionName=self.o["processorFunctionName"])["Configuration"][
            "FunctionArn"]


@dataclass(frozen=True)
class Drift:
    id: str
    control: str
    apply: Callable[[DriftContext], tuple[Undo, Expected]]
    regions: tuple[str, ...] = ()  # audit these regions too (GOV-02)


DRIFTS: list[Drift] = []


def drift(drift_id: str, *, regions: tuple[str, ...] = ()):
    def register(apply: Callable[[DriftContext], tuple[Undo, Expected]]):
        DRIFTS.append(Drift(drift_id, drift_id[:6].upper(), apply, regions))
        return apply

    return register


@drift("enc-01-stream-encryption-stopped")
def _(d: DriftContext):
    kinesis, name = d.client("kinesis"), d.o["streamName"]
    kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=d.key("kinesis"))
    return (lambda: kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=d.key("kinesis")),
            {("ENC-01", name)})


@drift("enc-02-aurora-key-disabled")
def _(d: DriftContext):
    kms, key_id = d.client("kms"), d.key("aurora").rsplit("/", 1)[1]
    kms.disable_key(KeyId=key_id)
    return lambda: kms.enable_key(KeyId=key_id), {("ENC-02", d.o["auroraClusterId"])}


@drift("enc-03-rogue-unencrypted-redis")
def _(d: DriftContext):
    elasticache, name = d.client("elasticache"), f"redis-rogue-{d.suffix}"
    elasticache.create_replication_group(
        ReplicationGroupId=name, ReplicationGroupDescription="rogue cache", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1, AtRestEncryptionEnabled=False,
        TransitEncryptionEnabled=False, Tags=[{"Key": k, "Value": v} for k, v in d.tags().items()])
    return lambda: elasticache.delete_replication_group(ReplicationGroupId=name), {("ENC-03", name)}


@drift("enc-04-secret-on-aws-managed-key")
def _(d: DriftContext):
    secrets, arn = d.client("secretsmanager"), d.o["redisAuthSecretArn"]
    secrets.update_secret(SecretId=arn, KmsKeyId="alias/aws/secretsmanager")
    return (lambda: secrets.update_secret(SecretId=arn, KmsKeyId=d.key("secretsmanager")),
            {("ENC-04", f"secret-redis-auth-{d.suffix}")})


@drift("enc-05-archive-sse-s3")
def _(d: DriftContext):
    s3, bucket = d.client("s3"), d.o["archiveBucketName"]
    original = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    return (lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=original),
            {("ENC-05", bucket)})


@drift("enc-05-archive-tls-policy-removed")
def _(d: DriftContext):
    s3, bucket = d.client("s3"), d.o["archiveBucketName"]
    original = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    return lambda: s3.put_bucket_policy(Bucket=bucket, Policy=original), {("ENC-05", bucket)}


def _rogue_table(d: DriftContext, sse: dict[str, Any] | None) -> tuple[Undo, Expected]:
    """A table created with ``sse`` (moto ignores SSE changes of an existing table).

    It is otherwise compliant (tags, PITR, in the trail's data events), so only ENC-06 fails.
    """
    dynamodb, cloudtrail, name = d.client("dynamodb"), d.client("cloudtrail"), f"dynamodb-rogue-{d.suffix}"
    arn = dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "id",
                                                                              "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], **({"SSESpecification": sse} if sse else {}),
        Tags=[{"Key": k, "Value": v} for k, v in d.tags().items()])["TableDescription"]["TableArn"]
    dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    original = cloudtrail.get_event_selectors(TrailName=d.o["trailArn"])["EventSelectors"]
    widened = [{**s, "DataResources": [{**r, "Values": r["Values"] + [arn]} if r["Type"] == "AWS::DynamoDB::Table"
                                       else r for r in s["DataResources"]]} for s in original]
    cloudtrail.put_event_selectors(TrailName=d.o["trailArn"], EventSelectors=widened)

    def undo() -> None:
        cloudtrail.put_event_selectors(TrailName=d.o["trailArn"], EventSelectors=original)
        dynamodb.delete_table(TableName=name)

    return undo, {("ENC-06", name)}


@drift("enc-06-rogue-table-on-the-aws-owned-key")
def _(d: DriftContext):
    return _rogue_table(d, None)


@drift("enc-06-rogue-table-on-the-aws-managed-key")
def _(d: DriftContext):
    """SSE-KMS without a key: DynamoDB uses alias/aws/dynamodb, which the audit must tell from a CMK."""
    return _rogue_table(d, {"Enabled": True, "SSEType": "KMS"})


@drift("enc-07-unencrypted-log-group")
def _(d: DriftContext):
    logs, name = d.client("logs"), f"/aws/lambda/lambda-stray-{d.suffix}"
    logs.create_log_group(logGroupName=name, tags=d.tags())
    logs.put_retention_policy(logGroupName=name, retentionInDays=30)
    return lambda: logs.delete_log_group(logGroupName=name), {("ENC-07", name)}


@drift("enc-08-trail-key-removed")
def _(d: DriftContext):
    cloudtrail, trail = d.client("cloudtrail"), d.o["trailArn"]
    cloudtrail.update_trail(Name=trail, KmsKeyId="")
    return (lambda: cloudtrail.update_trail(Name=trail, KmsKeyId=d.key("cloudtrail")),
            {("ENC-08", f"trail-audit-{d.suffix}")})


@drift("enc-09-dlq-key-removed")
def _(d: DriftContext):
    sqs, url = d.client("sqs"), d.o["dlqUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": ""})
    return (lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": d.key("lambda")}),
            {("ENC-09", f"sqs-processor-dlq-{d.suffix}")})


@drift("enc-10-force-ssl-off")
def _(d: DriftContext):
    rds = d.client("rds")
    group = rds.describe_db_clusters(DBClusterIdentifier=d.o["auroraClusterId"])["DBClusters"][0][
        "DBClusterParameterGroup"]

    def force_ssl(value: str) -> None:
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": value, "ApplyMethod": "immediate"}])

    force_ssl("0")
    return lambda: force_ssl("1"), {("ENC-10", d.o["auroraClusterId"])}


@drift("kms-01-rotation-disabled")
def _(d: DriftContext):
    kms, key = d.client("kms"), d.key("kinesis")
    kms.disable_key_rotation(KeyId=key)
    return lambda: kms.enable_key_rotation(KeyId=key), {("KMS-01", f"kms-kinesis-{d.suffix}")}


@drift("kms-02-stream-on-the-dynamodb-key")
def _(d: DriftContext):
    kinesis, name = d.client("kinesis"), d.o["streamName"]

    def encrypt_with(service: str, previous: str) -> None:
        kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=d.key(previous))
        kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=d.key(service))

    encrypt_with("dynamodb", "kinesis")
    return lambda: encrypt_with("kinesis", "dynamodb"), {("KMS-02", f"kms-dynamodb-{d.suffix}")}


@drift("kms-03-key-policy-open-to-anyone")
def _(d: DriftContext):
    kms, key = d.client("kms"), d.key("s3")
    original = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
    document = json.loads(original)
    document["Statement"].append({"Sid": "AnyoneMayDecrypt", "Effect": "Allow", "Principal": {"AWS": "*"},
                                  "Action": "kms:Decrypt", "Resource": "*"})
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps(document))
    return (lambda: kms.put_key_policy(KeyId=key, PolicyName="default", Policy=original),
            {("KMS-03", f"kms-s3-{d.suffix}")})


@drift("ret-01-aurora-backups-7-days")
def _(d: DriftContext):
    rds, cluster = d.client("rds"), d.o["auroraClusterId"]
    rds.modify_db_cluster(DBClusterIdentifier=cluster, BackupRetentionPeriod=7, ApplyImmediately=True)
    return (lambda: rds.modify_db_cluster(DBClusterIdentifier=cluster, BackupRetentionPeriod=30,
                                          ApplyImmediately=True), {("RET-01", cluster)})


@drift("ret-02-pitr-off")
def _(d: DriftContext):
    dynamodb, table = d.client("dynamodb"), d.o["devicesTableName"]

    def pitr(enabled: bool) -> None:
        dynamodb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": enabled})

    pitr(False)
    return lambda: pitr(True), {("RET-02", table)}


@drift("ret-03-archive-versioning-suspended")
def _(d: DriftContext):
    s3, bucket = d.client("s3"), d.o["archiveBucketName"]

    def versioning(status: str) -> None:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})

    versioning("Suspended")
    return lambda: versioning("Enabled"), {("RET-03", bucket)}


@drift("ret-04-processor-logs-7-days")
def _(d: DriftContext):
    logs, group = d.client("logs"), f"/aws/lambda/{d.o['processorFunctionName']}"
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    return lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=30), {("RET-04", group)}


@drift("ret-05-trail-log-group-30-days")
def _(d: DriftContext):
    logs, group = d.client("logs"), d.o["trailLogGroupName"]
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    return (lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=90),
            {("RET-05", f"trail-audit-{d.suffix}")})


@drift("net-01-world-open-https")
def _(d: DriftContext):
    ec2, group = d.client("ec2"), d.o["securityGroupIds"]["endpoints"]
    rule = [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rule)
    return (lambda: ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=rule),
            {("NET-01", f"secgroup-endpoints-{d.suffix}")})


@drift("net-02-private-subnet-maps-public-ips")
def _(d: DriftContext):
    ec2, subnet = d.client("ec2"), d.o["privateSubnetIds"][0]

    def public(value: bool) -> None:
        ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": value})

    public(True)
    return lambda: public(False), {("NET-02", d.o["auroraClusterId"]), ("NET-02", d.o["processorFunctionName"]),
                                   ("NET-02", d.o["redisReplicationGroupId"]),
                                   ("NET-02", d.o["migratorFunctionName"]),
                                   ("NET-02", d.o["redisAuthRotationFunctionName"]),
                                   ("NET-02", d.o["rdsProxyName"]),
                                   ("NET-02", d.o["auditorFunctionName"])}


@drift("net-03-nat-gateway-added")
def _(d: DriftContext):
    ec2 = d.client("ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=d.o["publicSubnetIds"][0], AllocationId=allocation)["NatGateway"][
        "NatGatewayId"]

    def undo() -> None:
        ec2.delete_nat_gateway(NatGatewayId=nat)
        ec2.release_address(AllocationId=allocation)

    return undo, {("NET-03", f"vpc-main-{d.suffix}")}


@drift("net-04-aurora-admits-a-cidr")
def _(d: DriftContext):
    ec2, group = d.client("ec2"), d.o["securityGroupIds"]["aurora"]
    rule = [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.40.0.0/16"}]}]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rule)
    return (lambda: ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=rule),
            {("NET-04", f"secgroup-aurora-{d.suffix}"), ("NET-04", d.o["auroraClusterId"])})


@drift("iam-01-wildcard-policy-attached")
def _(d: DriftContext):
    iam, role = d.client("iam"), f"role-processor-{d.suffix}"
    arn = iam.create_policy(PolicyName=f"policy-wildcard-{d.suffix}", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)

    def undo() -> None:
        iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        iam.delete_policy(PolicyArn=arn)

    return undo, {("IAM-01", role)}


@drift("iam-02-iot-policy-allows-everything")
def _(d: DriftContext):
    iot, policy = d.client("iot"), d.o["iotPolicyName"]
    default = iot.get_policy(policyName=policy)["defaultVersionId"]
    created = iot.create_policy_version(policyName=policy, setAsDefault=True, policyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))

    def undo() -> None:
        iot.set_default_policy_version(policyName=policy, policyVersionId=default)
        iot.delete_policy_version(policyName=policy, policyVersionId=created["policyVersionId"])

    return undo, {("IAM-02", policy)}


def _first_thing_certificate(d: DriftContext) -> tuple[str, str]:
    thing = d.o["thingNames"][0]
    return thing, d.client("iot").list_thing_principals(thingName=thing)["principals"][0]


@drift("iam-03-certificate-deactivated")
def _(d: DriftContext):
    iot = d.client("iot")
    thing, certificate = _first_thing_certificate(d)
    certificate_id = certificate.rsplit("/", 1)[1]
    iot.update_certificate(certificateId=certificate_id, newStatus="INACTIVE")
    return lambda: iot.update_certificate(certificateId=certificate_id, newStatus="ACTIVE"), {("IAM-03", thing)}


@drift("iam-03-certificate-detached")
def _(d: DriftContext):
    iot = d.client("iot")
    thing, certificate = _first_thing_certificate(d)
    iot.detach_thing_principal(thingName=thing, principal=certificate)
    return lambda: iot.attach_thing_principal(thingName=thing, principal=certificate), {("IAM-03", thing)}


@drift("iam-04-master-secret-rotates-every-90-days")
def _(d: DriftContext):
    secrets, arn = d.client("secretsmanager"), d.o["auroraMasterSecretArn"]
    described = secrets.describe_secret(SecretId=arn)
    original = described["RotationRules"]
    secrets.rotate_secret(SecretId=arn, RotationRules={"AutomaticallyAfterDays": 90}, RotateImmediately=False)
    return (lambda: secrets.rotate_secret(SecretId=arn, RotationRules=original, RotateImmediately=False),
            {("IAM-04", d.o["auroraClusterId"]), ("IAM-04", described["Name"])})


@drift("iam-05-auth-secret-untagged")
def _(d: DriftContext):
    """The secret no longer names its replication group: nothing shows that the group's token rotates."""
    secrets, arn = d.client("secretsmanager"), d.o["redisAuthSecretArn"]
    [tag] = [t for t in secrets.describe_secret(SecretId=arn)["Tags"] if t["Key"] == "AuthTokenFor"]
    secrets.untag_resource(SecretId=arn, TagKeys=["AuthTokenFor"])
    return lambda: secrets.tag_resource(SecretId=arn, Tags=[tag]), {("IAM-05", d.o["redisReplicationGroupId"])}


@drift("log-01-trail-stopped")
def _(d: DriftContext):
    cloudtrail, trail = d.client("cloudtrail"), d.o["trailArn"]
    cloudtrail.stop_logging(Name=trail)
    return lambda: cloudtrail.start_logging(Name=trail), {("LOG-01", f"trail-audit-{d.suffix}")}


@drift("log-01-table-dropped-from-data-events")
def _(d: DriftContext):
    cloudtrail, trail = d.client("cloudtrail"), d.o["trailArn"]
    original = cloudtrail.get_event_selectors(TrailName=trail)["EventSelectors"]
    dropped = d.o["devicesTableName"]
    narrowed = [{**s, "DataResources": [{**r, "Values": [v for v in r["Values"] if not v.endswith(f"/{dropped}")]}
                                        for r in s["DataResources"]]} for s in original]
    cloudtrail.put_event_selectors(TrailName=trail, EventSelectors=narrowed)
    return lambda: cloudtrail.put_event_selectors(TrailName=trail, EventSelectors=original), {("LOG-01", dropped)}


@drift("log-02-unbounded-retries-no-bisect")
def _(d: DriftContext):
    lambda_ = d.client("lambda")
    mapping = lambda_.list_event_source_mappings(FunctionName=d.function_arn())["EventSourceMappings"][0]
    lambda_.update_event_source_mapping(UUID=mapping["UUID"], BisectBatchOnFunctionError=False,
                                        MaximumRetryAttempts=-1)
    return (lambda: lambda_.update_event_source_mapping(
        UUID=mapping["UUID"], BisectBatchOnFunctionError=mapping["BisectBatchOnFunctionError"],
        MaximumRetryAttempts=mapping["MaximumRetryAttempts"]), {("LOG-02", d.o["processorFunctionName"])})


def _vpc_name(d: DriftContext) -> str:
    [vpc] = d.client("ec2").describe_vpcs(VpcIds=[d.o["vpcId"]])["Vpcs"]
    return {t["Key"]: t["Value"] for t in vpc.get("Tags", [])}["Name"]


@drift("log-03-vpc-flow-log-deleted")
def _(d: DriftContext):
    ec2, vpc = d.client("ec2"), d.o["vpcId"]
    [flow_log] = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
    ec2.delete_flow_logs(FlowLogIds=[flow_log["FlowLogId"]])

    def undo() -> None:
        ec2.create_flow_logs(
            ResourceIds=[vpc], ResourceType="VPC", TrafficType=flow_log["TrafficType"],
            LogDestinationType=flow_log["LogDestinationType"], LogDestination=flow_log["LogDestination"],
            DeliverLogsPermissionArn=flow_log["DeliverLogsPermissionArn"],
            MaxAggregationInterval=flow_log["MaxAggregationInterval"],
            TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": flow_log.get("Tags", [])}])

    return undo, {("LOG-03", _vpc_name(d))}


@drift("log-03-flow-log-group-kept-7-days")
def _(d: DriftContext):
    """The flow logs' group keeps a week: LOG-03 fails on the VPC, RET-04 on the group itself."""
    logs, group = d.client("logs"), f"/aws/vpc/flowlogs-network-{d.suffix}"
    logs.put_retention_policy(logGroupName=group, retentionInDays=7)
    return (lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=30),
            {("LOG-03", _vpc_name(d)), ("RET-04", group)})


@drift("gov-01-misnamed-queue")
def _(d: DriftContext):
    sqs = d.client("sqs")
    url = sqs.create_queue(QueueName="telemetrybackup", Attributes={"KmsMasterKeyId": d.key("lambda")},
                           tags=d.tags())["QueueUrl"]
    return lambda: sqs.delete_queue(QueueUrl=url), {("GOV-01", "telemetrybackup")}


@drift("gov-02-security-group-in-us-east-1", regions=("us-east-1",))
def _(d: DriftContext):
    ec2, name = d.client("ec2", "us-east-1"), f"secgroup-stray-{d.suffix}"
    group = ec2.create_security_group(GroupName=name, Description="stray", TagSpecifications=[{
        "ResourceType": "security-group", "Tags": [{"Key": k, "Value": v} for k, v in d.tags().items()]}])
    return lambda: ec2.delete_security_group(GroupId=group["GroupId"]), {("GOV-02", name)}


@drift("gov-03-dlq-lost-its-owner-tag")
def _(d: DriftContext):
    sqs, url = d.client("sqs"), d.o["dlqUrl"]
    owner = sqs.list_queue_tags(QueueUrl=url)["Tags"]["Owner"]
    sqs.untag_queue(QueueUrl=url, TagKeys=["Owner"])
    return lambda: sqs.tag_queue(QueueUrl=url, Tags={"Owner": owner}), {("GOV-03", f"sqs-processor-dlq-{d.suffix}")}


@drift("des-02-aurora-deletion-protection")
def _(d: DriftContext):
    rds, cluster = d.client("rds"), d.o["auroraClusterId"]

    def protect(value: bool) -> None:
        rds.modify_db_cluster(DBClusterIdentifier=cluster, DeletionProtection=value, ApplyImmediately=True)

    protect(True)
    return lambda: protect(False), {("DES-02", cluster)}


@drift("lam-01-runtime-python3.9")
def _(d: DriftContext):
    lambda_, function = d.client("lambda"), d.o["processorFunctionName"]
    lambda_.update_function_configuration(FunctionName=function, Runtime="python3.9")
    return (lambda: lambda_.update_function_configuration(FunctionName=function, Runtime="python3.11"),
            {("LAM-01", function)})

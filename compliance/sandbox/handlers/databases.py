"""Aurora PostgreSQL (RET-01, ENC-02, ENC-10), ElastiCache Redis (ENC-03), DynamoDB (RET-02, ENC-06), secrets (ENC-04, IAM-05)."""

from __future__ import annotations

from typing import Any

from compliance.sandbox.registry import Context, Created, Inputs, compact, handles, num, pascal, tag_list

# AWS rotates an RDS-managed master secret every 7 days by default; moto creates the
# secret but not its rotation schedule, so the sandbox sets the schedule AWS would.
RDS_MANAGED_SECRET_ROTATION_DAYS = 7


def _flag(value: object) -> bool | None:
    """Some provider booleans are strings ("true"); the API wants a boolean."""
    if value is None:
        return None
    return value if isinstance(value, bool) else str(value).lower() == "true"


@handles("aws:rds/subnetGroup:SubnetGroup")
def rds_subnet_group(ctx: Context, inputs: Inputs) -> Created:
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    group = ctx.client("rds").create_db_subnet_group(
        DBSubnetGroupName=name, DBSubnetGroupDescription=inputs.get("description", "Managed by Pulumi"),
        SubnetIds=inputs["subnetIds"], Tags=tag_list(inputs.get("tags")))["DBSubnetGroup"]
    return Created(name, {"arn": group["DBSubnetGroupArn"], "name": name, "vpcId": group.get("VpcId", "")})


@handles("aws:rds/clusterParameterGroup:ClusterParameterGroup")
def rds_cluster_parameter_group(ctx: Context, inputs: Inputs) -> Created:
    """ENC-10: the cluster parameter group carrying ``rds.force_ssl``."""
    rds = ctx.client("rds")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    group = rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName=name, DBParameterGroupFamily=inputs["family"],
        Description=inputs.get("description", "Managed by Pulumi"),
        Tags=tag_list(inputs.get("tags")))["DBClusterParameterGroup"]
    parameters = [{"ParameterName": p["name"], "ParameterValue": str(p["value"]),
                   "ApplyMethod": p.get("applyMethod") or "immediate"} for p in inputs.get("parameters", [])]
    if parameters:
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=parameters)
    return Created(name, {"arn": group["DBClusterParameterGroupArn"], "name": name})


@handles("aws:rds/cluster:Cluster",
         not_api=("skipFinalSnapshot", "finalSnapshotIdentifier", "applyImmediately", "deleteAutomatedBackups",
                  "allowMajorVersionUpgrade"),
         secret_outputs=("masterPassword",))
def rds_cluster(ctx: Context, inputs: Inputs) -> Created:
    """RET-01 (30-day backups), ENC-02 (storage key); the master password is managed by RDS in Secrets Manager."""
    rds = ctx.client("rds")
    identifier = inputs.get("clusterIdentifier") or ctx.autoname(inputs.get("clusterIdentifierPrefix"))
    scaling = inputs.get("serverlessv2ScalingConfiguration")
    cluster = rds.create_db_cluster(**compact(
        DBClusterIdentifier=identifier, Engine=inputs["engine"], EngineVersion=inputs.get("engineVersion"),
        EngineMode=inputs.get("engineMode"), DatabaseName=inputs.get("databaseName"),
        MasterUsername=inputs.get("masterUsername"), MasterUserPassword=ctx.sensitive(inputs.get("masterPassword")),
        ManageMasterUserPassword=inputs.get("manageMasterUserPassword"),
        MasterUserSecretKmsKeyId=inputs.get("masterUserSecretKmsKeyId"),
        DBSubnetGroupName=inputs.get("dbSubnetGroupName"), VpcSecurityGroupIds=inputs.get("vpcSecurityGroupIds"),
        DBClusterParameterGroupName=inputs.get("dbClusterParameterGroupName"),
        StorageEncrypted=inputs.get("storageEncrypted"), KmsKeyId=inputs.get("kmsKeyId"),
        BackupRetentionPeriod=num(inputs.get("backupRetentionPeriod")),
        PreferredBackupWindow=inputs.get("preferredBackupWindow"),
        PreferredMaintenanceWindow=inputs.get("preferredMaintenanceWindow"),
        DeletionProtection=inputs.get("deletionProtection"), CopyTagsToSnapshot=inputs.get("copyTagsToSnapshot"),
        ServerlessV2ScalingConfiguration=pascal(scaling) if scaling else None,
        EnableCloudwatchLogsExports=inputs.get("enabledCloudwatchLogsExports"),
        EnableIAMDatabaseAuthentication=inputs.get("iamDatabaseAuthenticationEnabled"),
        Port=num(inputs.get("port")), AvailabilityZones=inputs.get("availabilityZones"),
        StorageType=inputs.get("storageType"), NetworkType=inputs.get("networkType"),
        Tags=tag_list(inputs.get("tags"))))["DBCluster"]
    secrets = []
    if cluster.get("MasterUserSecret"):
        managed = cluster["MasterUserSecret"]
        ctx.client("secretsmanager").rotate_secret(
            SecretId=managed["SecretArn"], RotateImmediately=False,
            RotationRules={"AutomaticallyAfterDays": RDS_MANAGED_SECRET_ROTATION_DAYS})
        secrets = [{"secretArn": managed["SecretArn"], "kmsKeyId": managed.get("KmsKeyId", ""),
                    "secretStatus": "active"}]
    return Created(identifier, {
        "arn": cluster["DBClusterArn"], "clusterIdentifier": identifier, "endpoint": cluster["Endpoint"],
        "readerEndpoint": cluster.get("ReaderEndpoint", ""), "port": cluster["Port"],
        "clusterResourceId": cluster.get("DbClusterResourceId", ""), "hostedZoneId": cluster.get("HostedZoneId", ""),
        "engineVersionActual": cluster.get("EngineVersion", ""), "masterUserSecrets": secrets,
        "backupRetentionPeriod": cluster.get("BackupRetentionPeriod"), "storageEncrypted": cluster.get("StorageEncrypted"),
        "kmsKeyId": cluster.get("KmsKeyId", ""), "clusterMembers": [],
    })


@handles("aws:rds/clusterInstance:ClusterInstance", not_api=("applyImmediately", "forceDestroy"))
def rds_cluster_instance(ctx: Context, inputs: Inputs) -> Created:
    identifier = inputs.get("identifier") or ctx.autoname(inputs.get("identifierPrefix"))
    instance = ctx.client("rds").create_db_instance(**compact(
        DBInstanceIdentifier=identifier, DBClusterIdentifier=inputs["clusterIdentifier"],
        DBInstanceClass=inputs["instanceClass"], Engine=inputs["engine"], EngineVersion=inputs.get("engineVersion"),
        PubliclyAccessible=inputs.get("publiclyAccessible"), DBSubnetGroupName=inputs.get("dbSubnetGroupName"),
        DBParameterGroupName=inputs.get("dbParameterGroupName"), AvailabilityZone=inputs.get("availabilityZone"),
        PromotionTier=num(inputs.get("promotionTier")), AutoMinorVersionUpgrade=inputs.get("autoMinorVersionUpgrade"),
        EnablePerformanceInsights=inputs.get("performanceInsightsEnabled"),
        PerformanceInsightsKMSKeyId=inputs.get("performanceInsightsKmsKeyId"),
        PerformanceInsightsRetentionPeriod=num(inputs.get("performanceInsightsRetentionPeriod")),
        MonitoringInterval=num(inputs.get("monitoringInterval")), MonitoringRoleArn=inputs.get("monitoringRoleArn"),
        CopyTagsToSnapshot=inputs.get("copyTagsToSnapshot"), CACertificateIdentifier=inputs.get("caCertIdentifier"),
        Tags=tag_list(inputs.get("tags"))))["DBInstance"]
    endpoint = instance.get("Endpoint", {})
    return Created(identifier, {
        "arn": instance["DBInstanceArn"], "identifier": identifier, "endpoint": endpoint.get("Address", ""),
        "port": endpoint.get("Port", 5432), "dbiResourceId": instance.get("DbiResourceId", ""),
        "storageEncrypted": instance.get("StorageEncrypted", False), "kmsKeyId": instance.get("KmsKeyId", ""),
        "writer": True, "engineVersionActual": instance.get("EngineVersion", ""),
    })


@handles("aws:elasticache/subnetGroup:SubnetGroup")
def cache_subnet_group(ctx: Context, inputs: Inputs) -> Created:
    name = inputs["name"]
    group = ctx.client("elasticache").create_cache_subnet_group(
        CacheSubnetGroupName=name, CacheSubnetGroupDescription=inputs.get("description", "Managed by Pulumi"),
        SubnetIds=inputs["subnetIds"], Tags=tag_list(inputs.get("tags")))["CacheSubnetGroup"]
    return Created(name, {"arn": group["ARN"], "vpcId": group.get("VpcId", "")})


@handles("aws:elasticache/replicationGroup:ReplicationGroup",
         not_api=("applyImmediately", "finalSnapshotIdentifier", "authTokenUpdateStrategy"),
         secret_outputs=("authToken",))
def replication_group(ctx: Context, inputs: Inputs) -> Created:
    """ENC-03: Redis encrypted at rest with its key and in transit, behind an AUTH token."""
    group_id = inputs["replicationGroupId"]
    group = ctx.client("elasticache").create_replication_group(**compact(
        ReplicationGroupId=group_id, ReplicationGroupDescription=inputs["description"],
        Engine=inputs.get("engine"), EngineVersion=inputs.get("engineVersion"), CacheNodeType=inputs.get("nodeType"),
        NumCacheClusters=num(inputs.get("numCacheClusters")), NumNodeGroups=num(inputs.get("numNodeGroups")),
        ReplicasPerNodeGroup=num(inputs.get("replicasPerNodeGroup")),
        AutomaticFailoverEnabled=inputs.get("automaticFailoverEnabled"), MultiAZEnabled=inputs.get("multiAzEnabled"),
        CacheSubnetGroupName=inputs.get("subnetGroupName"), SecurityGroupIds=inputs.get("securityGroupIds"),
        AtRestEncryptionEnabled=_flag(inputs.get("atRestEncryptionEnabled")),
        TransitEncryptionEnabled=inputs.get("transitEncryptionEnabled"),
        TransitEncryptionMode=inputs.get("transitEncryptionMode"), KmsKeyId=inputs.get("kmsKeyId"),
        AuthToken=ctx.sensitive(inputs.get("authToken")), Port=num(inputs.get("port")),
        SnapshotRetentionLimit=num(inputs.get("snapshotRetentionLimit")), SnapshotWindow=inputs.get("snapshotWindow"),
        PreferredMaintenanceWindow=inputs.get("maintenanceWindow"),
        CacheParameterGroupName=inputs.get("parameterGroupName"),
        AutoMinorVersionUpgrade=inputs.get("autoMinorVersionUpgrade"),
        PreferredCacheClusterAZs=inputs.get("preferredCacheClusterAzs"),
        NotificationTopicArn=inputs.get("notificationTopicArn"),
        Tags=tag_list(inputs.get("tags"))))["ReplicationGroup"]
    node_groups = group.get("NodeGroups") or [{}]
    primary = node_groups[0].get("PrimaryEndpoint", {})
    reader = node_groups[0].get("ReaderEndpoint", {})
    configuration = group.get("ConfigurationEndpoint") or {}
    return Created(group_id, {
        "arn": group["ARN"], "memberClusters": group.get("MemberClusters", []),
        "primaryEndpointAddress": primary.get("Address", ""), "readerEndpointAddress": reader.get("Address", ""),
        "configurationEndpointAddress": configuration.get("Address", ""),
        "port": primary.get("Port", num(inputs.get("port", 6379))),
        "engineVersionActual": inputs.get("engineVersion", ""),
    })


@handles("aws:dynamodb/table:Table")
def table(ctx: Context, inputs: Inputs) -> Created:
    """RET-02 (point-in-time recovery) and ENC-06 (the table's key)."""
    dynamodb = ctx.client("dynamodb")
    name = inputs["name"]
    keys = [{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}]
    if inputs.get("rangeKey"):
        keys.append({"AttributeName": inputs["rangeKey"], "KeyType": "RANGE"})
    sse = inputs.get("serverSideEncryption", {})
    stream_enabled = bool(inputs.get("streamEnabled", False))
    indexes = [compact(
        IndexName=index["name"],
        KeySchema=[{"AttributeName": index["hashKey"], "KeyType": "HASH"}]
        + ([{"AttributeName": index["rangeKey"], "KeyType": "RANGE"}] if index.get("rangeKey") else []),
        Projection=compact(ProjectionType=index["projectionType"], NonKeyAttributes=index.get("nonKeyAttributes")),
    ) for index in inputs.get("globalSecondaryIndexes", [])]
    created = dynamodb.create_table(**compact(
        TableName=name, KeySchema=keys, BillingMode=inputs.get("billingMode", "PROVISIONED"),
        AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs["attributes"]],
        ProvisionedThroughput=compact(ReadCapacityUnits=num(inputs.get("readCapacity")),
                                      WriteCapacityUnits=num(inputs.get("writeCapacity"))) or None,
        GlobalSecondaryIndexes=indexes,
        SSESpecification=compact(Enabled=sse.get("enabled"), SSEType="KMS" if sse.get("enabled") else None,
                                 KMSMasterKeyId=sse.get("kmsKeyArn")) or None,
        StreamSpecification=compact(StreamEnabled=True, StreamViewType=inputs.get("streamViewType"))
        if stream_enabled else None,
        TableClass=inputs.get("tableClass"), DeletionProtectionEnabled=inputs.get("deletionProtectionEnabled"),
        Tags=tag_list(inputs.get("tags"))))["TableDescription"]
    recovery = inputs.get("pointInTimeRecovery", {})
    if recovery.get("enabled"):
        dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=compact(
            PointInTimeRecoveryEnabled=True, RecoveryPeriodInDays=num(recovery.get("recoveryPeriodInDays"))))
    ttl = inputs.get("ttl", {})
    if ttl.get("enabled"):
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": ttl["attributeName"]})
    return Created(name, {"arn": created["TableArn"], "streamArn": created.get("LatestStreamArn", ""),
                          "streamLabel": created.get("LatestStreamLabel", "")})


@handles("aws:secretsmanager/secret:Secret", not_api=("recoveryWindowInDays", "forceOverwriteReplicaSecret"))
def secret(ctx: Context, inputs: Inputs) -> Created:
    """ENC-04: a secret encrypted with the secrets key."""
    secretsmanager = ctx.client("secretsmanager")
    name = inputs.get("name") or ctx.autoname(inputs.get("namePrefix"))
    created = secretsmanager.create_secret(**compact(
        Name=name, Description=inputs.get("description"), KmsKeyId=inputs.get("kmsKeyId"),
        Tags=tag_list(inputs.get("tags"))))
    if inputs.get("policy"):
        secretsmanager.put_resource_policy(SecretId=created["ARN"], ResourcePolicy=inputs["policy"])
    return Created(created["ARN"], {"arn": created["ARN"], "name": name})


@handles("aws:secretsmanager/secretVersion:SecretVersion", secret_outputs=("secretString", "secretBinary"))
def secret_version(ctx: Context, inputs: Inputs) -> Created:
    secret_id = inputs["secretId"]
    created = ctx.client("secretsmanager").put_secret_value(**compact(
        SecretId=secret_id, SecretString=ctx.sensitive(inputs.get("secretString")),
        SecretBinary=ctx.sensitive(inputs.get("secretBinary")), VersionStages=inputs.get("versionStages")))
    return Created(f"{created['ARN']}|{created['VersionId']}", {
        "arn": created["ARN"], "secretArn": created["ARN"], "versionId": created["VersionId"],
        "versionStages": created.get("VersionStages", [])})


# IAM-05 in the sandbox: what moto cannot do with a rotation function, and why the rotation is a gap.
ROTATION_GAP_REASON = (
    "moto cannot run a rotation function: given RotationLambdaARN, RotateSecret invokes the Lambda through "
    "Docker (absent here), and its ModifyReplicationGroup ignores AuthToken and AuthTokenUpdateStrategy, so "
    "the ROTATE/SET token change could not be observed anyway. The secret's rotation schedule is set without "
    "the function; the function's four steps are tested with botocore's Stubber against the documented API and "
    "against a real redis-server (compliance_tests/program/test_redis_auth_rotation_*.py)"
)


@handles("aws:secretsmanager/secretRotation:SecretRotation", not_api=("rotateImmediately",))
def secret_rotation(ctx: Context, inputs: Inputs) -> Created:
    """IAM-05 / IAM-04: the schedule is applied; the rotation function is recorded as a gap (ROTATION_GAP_REASON).

    ``rotateImmediately`` is not honoured: there is no function to run. RotateSecret
    without a function (which AWS refuses) makes moto stage a new version AWSCURRENT,
    and that version lacks the value when the value was put after the secret's
    creation (as the program does); no rotation happened, so the deployed value is
    put back as the current version.
    """
    secretsmanager = ctx.client("secretsmanager")
    secret_id = inputs["secretId"]
    function_arn = inputs.get("rotationLambdaArn")
    rules = inputs.get("rotationRules")
    deployed = _current_value(secretsmanager, secret_id)
    rotated = secretsmanager.rotate_secret(**compact(
        SecretId=secret_id, RotationRules=pascal(rules) if rules else None, RotateImmediately=False))
    if deployed is not None and _current_value(secretsmanager, secret_id) != deployed:
        secretsmanager.put_secret_value(SecretId=secret_id, SecretString=deployed)
    if function_arn:
        ctx.gap(rotated["ARN"], "secretsmanager:DescribeSecret",
                f"rotation function {function_arn} not attached, so DescribeSecret shows the schedule without "
                f"RotationLambdaARN (empty), and a LastRotatedDate for a rotation no function ran: {ROTATION_GAP_REASON}",
                fields=("RotationLambdaARN", "LastRotatedDate"))
    return Created(rotated["ARN"], {"rotationEnabled": True})


def _current_value(secretsmanager: Any, secret_id: str) -> str | None:
    """The AWSCURRENT string as a consumer reads it (no stage named), None when there is none."""
    try:
        return secretsmanager.get_secret_value(SecretId=secret_id).get("SecretString")
    except secretsmanager.exceptions.ResourceNotFoundException:
        return None

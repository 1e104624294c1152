"""The industrial IoT sensor platform: config, components, outputs.

Config is read and validated first, and on an update the functions' code must
be bundled (a bad key or a missing bundle fails before any resource is
declared), then the destroyability guard is registered, then the components
are built in dependency order. The outputs are every identifier an audit or an
operator needs; none is a secret value.
"""

import config as platform_config
import pulumi
import transforms
from aws_context import AwsContext
from components.analytics import MIGRATOR_DIR, Analytics
from components.audit_logging import AuditLogging
from components.compliance_auditor import FUNCTION_DIR as AUDITOR_FUNCTION_DIR
from components.compliance_auditor import AuditorInputs, ComplianceAuditor, EvidenceBucket
from components.evidence_signing import EvidenceSigning
from components.ingestion import Ingestion
from components.keys import Keys
from components.network import Network
from components.processing import FUNCTION_DIR, METRIC_LIMITS, Processing, ProcessorInputs
from components.redis_auth_rotation import FUNCTION_DIR as ROTATION_FUNCTION_DIR
from components.redis_auth_rotation import RedisAuthRotation, RotationInputs
from components.storage import Storage
from function_bundle import function_code
from naming import Naming

config = platform_config.load()
processor_code = function_code(FUNCTION_DIR, require_bundle=config.require_processor_bundle)
rotation_code = function_code(ROTATION_FUNCTION_DIR, require_bundle=config.require_processor_bundle)
migrator_code = function_code(MIGRATOR_DIR, require_bundle=config.require_processor_bundle)
auditor_code = (function_code(AUDITOR_FUNCTION_DIR, require_bundle=config.require_processor_bundle)
                if config.auditor.enabled else None)
transforms.register()

naming = Naming.from_config(config)
ctx = AwsContext.lookup(config.region)
trail_name = naming.name("trail", "audit")

keys = Keys("keys", naming, ctx, trail_name, event_delivery=config.auditor.enabled)
evidence_signing = EvidenceSigning("evidence-signing", naming, ctx)
network = Network("network", naming, ctx, logs_key_arn=keys.arns["logs"], auditor=config.auditor.enabled)
storage = Storage("storage", config=config, naming=naming, ctx=ctx, keys=keys, network=network)
evidence = (EvidenceBucket("evidence", naming=naming, ctx=ctx, keys=keys, settings=config.auditor)
            if config.auditor.enabled else None)
audit = AuditLogging(
    "audit",
    naming=naming,
    ctx=ctx,
    keys=keys,
    trail_name=trail_name,
    operational_log_groups={
        "processor": naming.log_group("lambda", "lambda", "processor"),
        "migrator": naming.log_group("lambda", "lambda", "migrator"),
        "iot-rule-errors": naming.log_group("iot", "iotrule", "telemetry-errors"),
        "redis-auth-rotation": naming.log_group("lambda", "lambda", "redis-auth-rotation"),
        **({"auditor": naming.log_group("lambda", "lambda", "auditor")} if config.auditor.enabled else {}),
    },
    data_event_bucket_arns=[storage.archive.arn, *([evidence.arn] if evidence else [])],
    data_event_table_arns=[table.arn for table in storage.tables],
)
ingestion = Ingestion("ingestion", config=config, naming=naming, ctx=ctx, keys=keys,
                      error_log_group=audit.operational_log_groups["iot-rule-errors"])
analytics = Analytics(
    "analytics", naming=naming, ctx=ctx, keys=keys, network=network, storage=storage,
    log_group=audit.operational_log_groups["migrator"], code=migrator_code, metric_limits=METRIC_LIMITS,
)
processing = Processing(
    "processing", naming=naming, ctx=ctx, keys=keys, network=network,
    inputs=ProcessorInputs(stream=ingestion.stream, storage=storage, database=analytics.database,
                           log_group=audit.operational_log_groups["processor"], code=processor_code),
)
rotation = RedisAuthRotation(
    "redis-auth-rotation", naming=naming, ctx=ctx, keys=keys, network=network,
    inputs=RotationInputs(storage=storage, log_group=audit.operational_log_groups["redis-auth-rotation"],
                          code=rotation_code),
)
auditor = ComplianceAuditor(
    "compliance-auditor", naming=naming, ctx=ctx, keys=keys, network=network,
    inputs=AuditorInputs(log_group=audit.operational_log_groups["auditor"], code=auditor_code,
                         settings=config.auditor, evidence=evidence),
) if evidence else None

pulumi.export("region", config.region)
pulumi.export("environmentSuffix", config.environment_suffix)
pulumi.export("vpcId", network.vpc.id)
pulumi.export("privateSubnetIds", network.private_subnet_ids)
pulumi.export("publicSubnetIds", network.public_subnet_ids)
pulumi.export("securityGroupIds", network.security_group_ids)
pulumi.export("kmsKeyArns", keys.arns)
pulumi.export("evidenceSigningKeyArn", evidence_signing.key.arn)
pulumi.export("streamName", ingestion.stream.name)
pulumi.export("streamArn", ingestion.stream.arn)
pulumi.export("auroraClusterId", storage.cluster.cluster_identifier)
pulumi.export("auroraClusterEndpoint", storage.cluster.endpoint)
pulumi.export("auroraMasterSecretArn", storage.master_secret_arn)
pulumi.export("rdsProxyName", analytics.proxy.name)
pulumi.export("rdsProxyEndpoint", analytics.proxy.endpoint)
pulumi.export("migratorFunctionName", analytics.migrator.name)
pulumi.export("redisReplicationGroupId", storage.redis.replication_group_id)
pulumi.export("redisPrimaryEndpoint", storage.redis.primary_endpoint_address)
pulumi.export("redisAuthSecretArn", storage.redis_auth_secret.arn)
pulumi.export("redisAuthRotationFunctionName", rotation.function.name)
pulumi.export("metricsTableName", storage.metrics_table.name)
pulumi.export("devicesTableName", storage.devices_table.name)
pulumi.export("idempotencyTableName", storage.idempotency_table.name)
pulumi.export("archiveBucketName", storage.archive.name)
pulumi.export("trailBucketName", audit.trail_bucket.name)
pulumi.export("processorFunctionName", processing.function.name)
pulumi.export("dlqUrl", processing.dlq.url)
pulumi.export("trailArn", audit.trail.arn)
pulumi.export("trailLogGroupName", audit.trail_log_group.name)
pulumi.export("logGroupNames", [*audit.log_group_names, network.flow_log_group.name])
pulumi.export("iotTopicRuleName", ingestion.rule.name)
pulumi.export("iotPolicyName", ingestion.policy.name)
pulumi.export("thingNames", ingestion.thing_names)
pulumi.export("thingTypeNames", ingestion.thing_type_names)
if auditor is not None:
    pulumi.export("auditorFunctionName", auditor.function.name)
    pulumi.export("auditorQueueUrl", auditor.queue.url)
    pulumi.export("auditorDlqUrl", auditor.dlq.url)
    pulumi.export("evidenceBucketName", auditor.evidence.name)

"""GOV-01 in the pack: each type's physical-name input and the stack's suffix (``controls.gov_01``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pulumi.runtime

from controls import gov_01
from controls.values import MISSING
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()

# type -> the input holding the physical name
PHYSICAL_NAMES: dict[str, str] = {
    t.KINESIS_STREAM: "name",
    t.RDS_CLUSTER: "clusterIdentifier",
    t.RDS_CLUSTER_INSTANCE: "identifier",
    t.RDS_INSTANCE: "identifier",
    t.RDS_CLUSTER_PARAMETER_GROUP: "name",
    t.RDS_SUBNET_GROUP: "name",
    t.RDS_PROXY: "name",
    t.ELASTICACHE_REPLICATION_GROUP: "replicationGroupId",
    t.ELASTICACHE_SERVERLESS: "name",
    t.ELASTICACHE_SUBNET_GROUP: "name",
    t.SECRET: "name",
    t.S3_BUCKET: "bucket",
    t.S3_BUCKET_V2: "bucket",
    t.DYNAMODB_TABLE: "name",
    t.LOG_GROUP: "name",
    t.TRAIL: "name",
    t.LAMBDA_FUNCTION: "name",
    t.SQS_QUEUE: "name",
    t.KMS_ALIAS: "name",
    t.SECURITY_GROUP: "name",
    t.IAM_ROLE: "name",
    t.IAM_POLICY: "name",
    t.IOT_THING: "name",
    t.IOT_THING_TYPE: "name",
    t.IOT_POLICY: "name",
    t.IOT_TOPIC_RULE: "name",
}


def stack_suffix() -> Any:
    """The stack's environmentSuffix from the config the engine passes to the pack, else the stack name."""
    project = os.environ.get("PULUMI_PROJECT", "")
    config = pulumi.runtime.get_config_env()
    return config.get(f"{project}:{gov_01.SUFFIX_KEY}") or os.environ.get("PULUMI_STACK") or MISSING


@registry.resource("GOV-01", "physical-names-follow-convention",
                   "Physical names follow {type}-{purpose}-{suffix} with the stack's environmentSuffix.",
                   tuple(PHYSICAL_NAMES))
def physical_names_follow_convention(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    prop = PHYSICAL_NAMES[r.type]
    name = gov_01.Name(prop, r.lookup(prop), gov_01.separator_for(r.type))
    yield from resource_results(gov_01.decide(name, stack_suffix()))

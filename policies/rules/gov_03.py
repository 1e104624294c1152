"""GOV-03 in the pack: a taggable resource's tags over its provider's default tags (``controls.gov_03``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import gov_03
from controls.values import MISSING, UNKNOWN, lookup
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()

# Types that accept a `tags` input in pulumi-aws 7 (a test checks this list against the SDK).
TAGGABLE = (
    t.KINESIS_STREAM, t.RDS_CLUSTER, t.RDS_CLUSTER_INSTANCE, t.RDS_INSTANCE, t.RDS_CLUSTER_PARAMETER_GROUP,
    t.RDS_SUBNET_GROUP, t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_CLUSTER, t.ELASTICACHE_SERVERLESS,
    t.ELASTICACHE_SUBNET_GROUP, t.SECRET, *t.S3_BUCKETS, t.DYNAMODB_TABLE, t.LOG_GROUP, t.TRAIL,
    t.LAMBDA_FUNCTION, t.SQS_QUEUE, t.KMS_KEY, t.SECURITY_GROUP, t.SECURITY_GROUP_INGRESS_RULE, t.SUBNET,
    t.ROUTE_TABLE, t.INTERNET_GATEWAY, t.NAT_GATEWAY, t.VPC_ENDPOINT, t.IAM_ROLE, t.IAM_POLICY, t.IOT_POLICY,
    t.IOT_THING_TYPE, t.IOT_TOPIC_RULE, t.LAMBDA_EVENT_SOURCE_MAPPING,
    "aws:ec2/vpc:Vpc", "aws:ec2/eip:Eip", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:elasticache/parameterGroup:ParameterGroup", "aws:elasticache/userGroup:UserGroup",
    "aws:elasticache/user:User", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/flowLog:FlowLog", "aws:rds/proxy:Proxy",
    "aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/metricAlarm:MetricAlarm",  # the compliance auditor's
)


def tags(r: Resource) -> Any:
    """The resource's tags over its provider's default tags (``UNKNOWN`` when its own are not known yet)."""
    own = r.lookup("tags")
    if own is UNKNOWN:
        return UNKNOWN
    defaults = lookup(r.provider, "defaultTags.tags") if r.provider is not None else MISSING
    return {**(defaults if isinstance(defaults, dict) else {}), **(own if isinstance(own, dict) else {})}


@registry.resource("GOV-03", "required-tags",
                   "Taggable resources carry the required tags (Environment, Project, Owner, DataClassification).",
                   TAGGABLE, parameters=("requiredTags",))
def required_tags(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(gov_03.decide(tags(r), config["requiredTags"]))

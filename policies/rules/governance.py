"""GOV-01 .. GOV-03: names, regions and tags."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pulumi.runtime

from rules import types as t
from rules.model import Resource
from rules.registry import CUSTOM_RESOURCES, Registry, Undecided
from rules.values import MISSING, UNKNOWN, describe, lookup

registry = Registry()

SUFFIX_KEY = "environmentSuffix"

# type -> (input holding the physical name, separator the service allows in names)
PHYSICAL_NAMES: dict[str, tuple[str, str]] = {
    t.KINESIS_STREAM: ("name", "-"),
    t.RDS_CLUSTER: ("clusterIdentifier", "-"),
    t.RDS_CLUSTER_INSTANCE: ("identifier", "-"),
    t.RDS_INSTANCE: ("identifier", "-"),
    t.RDS_CLUSTER_PARAMETER_GROUP: ("name", "-"),
    t.RDS_SUBNET_GROUP: ("name", "-"),
    t.ELASTICACHE_REPLICATION_GROUP: ("replicationGroupId", "-"),
    t.ELASTICACHE_SERVERLESS: ("name", "-"),
    t.ELASTICACHE_SUBNET_GROUP: ("name", "-"),
    t.SECRET: ("name", "-"),
    t.S3_BUCKET: ("bucket", "-"),
    t.S3_BUCKET_V2: ("bucket", "-"),
    t.DYNAMODB_TABLE: ("name", "-"),
    t.LOG_GROUP: ("name", "-"),
    t.TRAIL: ("name", "-"),
    t.LAMBDA_FUNCTION: ("name", "-"),
    t.SQS_QUEUE: ("name", "-"),
    t.KMS_ALIAS: ("name", "-"),
    t.SECURITY_GROUP: ("name", "-"),
    t.IAM_ROLE: ("name", "-"),
    t.IAM_POLICY: ("name", "-"),
    t.IOT_THING: ("name", "-"),
    t.IOT_THING_TYPE: ("name", "-"),
    t.IOT_POLICY: ("name", "-"),
    t.IOT_TOPIC_RULE: ("name", "_"),  # topic rule names allow only letters, digits and underscores
}

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
)


def stack_suffix() -> str | None:
    """The stack's environmentSuffix from the config the engine passes to the pack, else the stack name."""
    project = os.environ.get("PULUMI_PROJECT", "")
    config = pulumi.runtime.get_config_env()
    return config.get(f"{project}:{SUFFIX_KEY}") or os.environ.get("PULUMI_STACK") or None


def _bare_name(resource_type: str, name: str) -> str:
    """The part of a physical name the naming helper builds (paths, alias/ and .fifo stripped)."""
    if resource_type == t.KMS_ALIAS and name.startswith("alias/"):
        name = name[len("alias/"):]
    if resource_type == t.SQS_QUEUE and name.endswith(".fifo"):
        name = name[:-len(".fifo")]
    return name.rsplit("/", 1)[-1]


def name_pattern(suffix: str, separator: str) -> re.Pattern[str]:
    sep = re.escape(separator)
    tail = re.escape(suffix.replace("-", separator))
    return re.compile(rf"^[a-z0-9]+{sep}[a-z0-9]+(?:[-_][a-z0-9]+)*{sep}{tail}$")


@registry.resource("GOV-01", "physical-names-follow-convention",
                   "Physical names follow {type}-{purpose}-{suffix} with the stack's environmentSuffix.",
                   tuple(PHYSICAL_NAMES))
def physical_names_follow_convention(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    prop, separator = PHYSICAL_NAMES[r.type]
    value = r.lookup(prop)
    if value is UNKNOWN:
        yield Undecided(prop)
        return
    if value is MISSING:
        yield (f"{prop} is not set, so Pulumi generates a random physical name: set {prop} with the program's "
               "naming helper ({type}-{purpose}-{suffix}).")
        return
    suffix = stack_suffix()
    if not suffix:
        yield f"the stack config has no {SUFFIX_KEY}, so {prop} cannot be checked: set {SUFFIX_KEY}."
        return
    bare = _bare_name(r.type, str(value))
    if not name_pattern(suffix, separator).match(bare):
        example = separator.join(("type", "purpose", suffix.replace("-", separator)))
        yield (f"{prop} {describe(value)} does not follow {{type}}{separator}{{purpose}}{separator}{{suffix}} "
               f"(e.g. {example!r}): build it with the program's naming helper.")


@registry.resource("GOV-02", "approved-regions",
                   "Resources are created only in approved regions.", [CUSTOM_RESOURCES],
                   parameters=("approvedRegions",))
def approved_regions(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    approved = list(config["approvedRegions"])
    region = r.region()
    if region is UNKNOWN:
        yield Undecided("region")
    elif region is MISSING:
        yield (f"no region is set on the resource or its provider (the AWS_REGION of whoever runs it applies): "
               f"set aws:region to one of {', '.join(approved)}.")
    elif region not in approved:
        yield f"region is {describe(region)}: use one of {', '.join(approved)} (aws:region)."


@registry.resource("GOV-03", "required-tags",
                   "Taggable resources carry the required tags (Environment, Project, Owner, DataClassification).",
                   TAGGABLE, parameters=("requiredTags",))
def required_tags(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    tags = r.lookup("tags")
    if tags is UNKNOWN:
        yield Undecided("tags")
        return
    defaults = lookup(r.provider, "defaultTags.tags") if r.provider is not None else MISSING
    present = {**(defaults if isinstance(defaults, dict) else {}), **(tags if isinstance(tags, dict) else {})}
    missing = [tag for tag in config["requiredTags"] if tag not in present]
    if missing:
        yield f"tags lack {', '.join(missing)}: pass the program's common tags to this resource."

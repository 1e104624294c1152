"""ElastiCache (Redis): replication groups and their member clusters; ENC-03 (``controls.enc_03``) and NET-02."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.aws import ApiError
from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import DELETING, Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.ec2 import placement
from controls import enc_03, net_02
from controls.values import MISSING

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


@listing(REPLICATION_GROUP)
def replication_groups(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Replication groups (DescribeReplicationGroups), not those being deleted."""
    for group in inventory.aws.pages("elasticache", region, "DescribeReplicationGroups", "ReplicationGroups"):
        if group.get("Status") in DELETING:
            continue

        def read(arn: str = group["ARN"]) -> dict[str, str]:
            return inventory.tags_of(region, arn)

        primary = ((group.get("NodeGroups") or [{}])[0].get("PrimaryEndpoint") or {}).get("Address")
        yield inventory.keep(REPLICATION_GROUP, region, group["ReplicationGroupId"], (group["ARN"], primary),
                             group, read, resource_id=group["ARN"])


def redis_member(ctx: CheckContext, group: Resource) -> dict[str, Any]:
    """The first member cluster of a replication group: where its subnet group and security groups live."""
    members = group.data.get("MemberClusters") or []
    if not members:
        raise ApiError("elasticache:DescribeReplicationGroups", "unexpected",
                       f"elasticache:DescribeReplicationGroups lists no member cluster for {group.name}: cannot "
                       "locate its subnets and security groups")
    return ctx.inventory.memo.get(("DescribeCacheClusters", ctx.region, members[0]), lambda: ctx.call(
        "elasticache", "DescribeCacheClusters", CacheClusterId=members[0])["CacheClusters"][0])


@live_check("ENC-03", "enc-03-redis-encryption-and-auth", resource_type=REPLICATION_GROUP)
def redis_encryption(ctx: CheckContext):
    def evaluate(group: Resource) -> Outcome:
        data = group.data
        evidence: dict[str, Any] = {"elasticache:DescribeReplicationGroups": pick(
            data, "AtRestEncryptionEnabled", "KmsKeyId", "TransitEncryptionEnabled", "TransitEncryptionMode",
            "AuthTokenEnabled", "UserGroupIds")}
        facts = enc_03.ReplicationGroup(
            data.get("Engine") or MISSING, bool(data.get("AtRestEncryptionEnabled")),
            key_ref(ctx, data.get("KmsKeyId"), evidence), bool(data.get("TransitEncryptionEnabled")),
            data.get("TransitEncryptionMode") or MISSING, bool(data.get("AuthTokenEnabled")),
            tuple(data.get("UserGroupIds") or ()))
        return verdict_outcome(group, enc_03.decide(facts), evidence)

    return ctx.each(replication_groups(ctx.inventory, ctx.region), evaluate)


@live_check("NET-02", "net-02-redis-private", resource_type=REPLICATION_GROUP)
def redis_private(ctx: CheckContext):
    def evaluate(group: Resource) -> Outcome:
        member = redis_member(ctx, group)
        subnet_group = member.get("CacheSubnetGroupName")
        evidence: dict[str, Any] = {"elasticache:DescribeCacheClusters": pick(member, "CacheClusterId",
                                                                              "CacheSubnetGroupName")}
        where: Any = MISSING
        if subnet_group:
            answer = ctx.call("elasticache", "DescribeCacheSubnetGroups", CacheSubnetGroupName=subnet_group)
            subnet_ids = [s["SubnetIdentifier"] for s in answer["CacheSubnetGroups"][0].get("Subnets", [])]
            where, subnets = placement(ctx, f"CacheSubnetGroupName '{subnet_group}'", subnet_ids)
            evidence.update(subnets, **{"elasticache:DescribeCacheSubnetGroups": {"SubnetIds": subnet_ids}})
        decided = net_02.decide(net_02.DataStore(f"replication group '{group.name}'", where))
        return verdict_outcome(group, decided, evidence)

    return ctx.each(replication_groups(ctx.inventory, ctx.region), evaluate)

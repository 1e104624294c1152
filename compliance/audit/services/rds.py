"""RDS (Aurora): clusters, their instances and the RDS proxies in front of them, and the live checks on them.

ENC-02 (storage key), ENC-10 (``rds.force_ssl``; a proxy's ``RequireTLS``), RET-01
(backups), NET-02 (private placement, the proxy's subnets too), DES-02 (deletion
protection). IAM-04 (the master secret's rotation, the proxy's secrets) reads
Secrets Manager and lives in ``secretsmanager``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import DELETING, Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.ec2 import placement
from compliance.findings import ResourceRef
from controls import des_02, enc_02, enc_10, net_02, ret_01
from controls.keys import KeyRef
from controls.values import MISSING, lookup

CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PROXY = "aws:rds/proxy:Proxy"


@listing(CLUSTER)
def clusters(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Aurora clusters (DescribeDBClusters), not those being deleted."""
    for cluster in inventory.aws.pages("rds", region, "DescribeDBClusters", "DBClusters"):
        if not str(cluster.get("Engine", "")).startswith("aurora") or cluster.get("Status") in DELETING:
            continue
        yield inventory.keep(CLUSTER, region, cluster["DBClusterIdentifier"],
                             (cluster["DBClusterArn"], cluster.get("Endpoint")), cluster,
                             partial(tag_dict, cluster.get("TagList")), resource_id=cluster["DBClusterArn"])


@listing(CLUSTER_INSTANCE)
def cluster_instances(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Aurora instances in scope, and every instance of an in-scope cluster (whatever its own name or tags)."""
    in_scope = {c.data["DBClusterIdentifier"] for c in clusters(inventory, region)}
    for instance in inventory.aws.pages("rds", region, "DescribeDBInstances", "DBInstances"):
        if not str(instance.get("Engine", "")).startswith("aurora"):
            continue
        ids = (instance["DBInstanceArn"], (instance.get("Endpoint") or {}).get("Address"))
        kept = inventory.keep(CLUSTER_INSTANCE, region, instance["DBInstanceIdentifier"], ids, instance,
                              partial(tag_dict, instance.get("TagList")), resource_id=instance["DBInstanceArn"])
        if kept or instance.get("DBClusterIdentifier") in in_scope:
            ref = ResourceRef(id=instance["DBInstanceArn"], type=CLUSTER_INSTANCE,
                              name=instance["DBInstanceIdentifier"], region=region)
            yield kept or Resource(ref, instance, tag_dict(instance.get("TagList")))


@listing(PROXY)
def proxies(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """RDS proxies (DescribeDBProxies, tags from ListTagsForResource), not those being deleted."""
    for proxy in inventory.aws.pages("rds", region, "DescribeDBProxies", "DBProxies"):
        if proxy.get("Status") in DELETING:
            continue
        arn = proxy["DBProxyArn"]

        def read_tags(arn: str = arn) -> dict[str, str]:
            return inventory.tags_of(region, arn)

        yield inventory.keep(PROXY, region, proxy["DBProxyName"], (arn, proxy.get("Endpoint")), proxy, read_tags,
                             resource_id=arn)


@live_check("ENC-02", "enc-02-aurora-storage-key", resource_type=CLUSTER)
def aurora_storage(ctx: CheckContext):
    def evaluate(cluster: Resource) -> Outcome:
        evidence: dict[str, Any] = {"rds:DescribeDBClusters": pick(cluster.data, "StorageEncrypted", "KmsKeyId")}
        encrypted = bool(cluster.data.get("StorageEncrypted"))
        # AWS reports KmsKeyId only for an encrypted cluster (moto: a placeholder otherwise); only then is it a key.
        key = key_ref(ctx, cluster.data.get("KmsKeyId"), evidence) if encrypted else KeyRef(MISSING)
        return verdict_outcome(cluster, enc_02.decide(enc_02.Cluster(encrypted, key)), evidence)

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)


def cluster_parameters(ctx: CheckContext, group: str) -> dict[str, Any]:
    """A cluster parameter group's parameters that have a value (name -> value), read once per group."""
    listed = ctx.inventory.memo.get(("DescribeDBClusterParameters", ctx.region, group), lambda: list(
        ctx.aws.pages("rds", ctx.region, "DescribeDBClusterParameters", "Parameters",
                      DBClusterParameterGroupName=group)))
    return {p["ParameterName"]: p["ParameterValue"] for p in listed if "ParameterValue" in p}


@live_check("ENC-10", "enc-10-aurora-force-ssl", resource_type=CLUSTER)
def aurora_tls(ctx: CheckContext):
    def evaluate(cluster: Resource) -> Outcome:
        name = cluster.data.get("DBClusterParameterGroup")
        evidence: dict[str, Any] = {"rds:DescribeDBClusters": {"DBClusterParameterGroup": name}}
        group: Any = MISSING
        if name and not name.startswith(enc_10.DEFAULT_GROUP_PREFIX):  # a default group is not read: it fails as such
            parameters = cluster_parameters(ctx, name)
            wanted = enc_10.tls_parameter(cluster.data.get("Engine"))[0]
            evidence["rds:DescribeDBClusterParameters"] = {wanted: parameters.get(wanted)}
            group = enc_10.ParameterGroup(name, parameters)
        elif name:
            group = enc_10.ParameterGroup(name, None)
        return verdict_outcome(cluster, enc_10.decide(enc_10.Cluster(cluster.data.get("Engine"), group)), evidence)

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)


@live_check("ENC-10", "enc-10-rds-proxy-require-tls", resource_type=PROXY)
def proxy_tls(ctx: CheckContext):
    def evaluate(proxy: Resource) -> Outcome:
        decided = enc_10.decide_proxy(enc_10.Proxy(f"proxy '{proxy.name}'", lookup(proxy.data, "RequireTLS")))
        return verdict_outcome(proxy, decided, {"rds:DescribeDBProxies": pick(proxy.data, "RequireTLS")})

    return ctx.each(proxies(ctx.inventory, ctx.region), evaluate)


@live_check("RET-01", "ret-01-aurora-backup-retention", resource_type=CLUSTER)
def aurora_backups(ctx: CheckContext):
    minimum = int(ctx.parameters.get("minDays", 30))

    def evaluate(cluster: Resource) -> Outcome:
        decided = ret_01.decide(ret_01.Backups(lookup(cluster.data, "BackupRetentionPeriod")), minimum)
        return verdict_outcome(cluster, decided, {"rds:DescribeDBClusters": pick(cluster.data, "BackupRetentionPeriod")})

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)


@live_check("NET-02", "net-02-aurora-private", resource_type=CLUSTER)
def aurora_private(ctx: CheckContext):
    instances = cluster_instances(ctx.inventory, ctx.region)

    def evaluate(cluster: Resource) -> Outcome:
        group = cluster.data.get("DBSubnetGroup")
        evidence: dict[str, Any] = {}
        where: Any = MISSING
        if group:
            answer = ctx.call("rds", "DescribeDBSubnetGroups", DBSubnetGroupName=group)
            subnet_ids = [s["SubnetIdentifier"] for s in answer["DBSubnetGroups"][0].get("Subnets", [])]
            where, subnets = placement(ctx, f"DBSubnetGroup '{group}'", subnet_ids)
            evidence.update(subnets, **{"rds:DescribeDBSubnetGroups": {"DBSubnetGroupName": group,
                                                                       "SubnetIds": subnet_ids}})
        members = [i for i in instances if i.data.get("DBClusterIdentifier") == cluster.name]
        exposures = [net_02.Exposure(f"instance '{i.name}'", bool(i.data.get("PubliclyAccessible"))) for i in members]
        if "PubliclyAccessible" in cluster.data:
            exposures.append(net_02.Exposure(f"cluster '{cluster.name}'", bool(cluster.data["PubliclyAccessible"])))
        evidence["rds:DescribeDBInstances"] = {i.name: pick(i.data, "PubliclyAccessible") for i in members}
        decided = net_02.decide(net_02.DataStore(f"cluster '{cluster.name}'", where, tuple(exposures)))
        return verdict_outcome(cluster, decided, evidence)

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)


@live_check("NET-02", "net-02-rds-proxy-private", resource_type=PROXY)
def proxy_private(ctx: CheckContext):
    def evaluate(proxy: Resource) -> Outcome:
        subnet_ids = list(proxy.data.get("VpcSubnetIds") or [])
        where, evidence = placement(ctx, "VpcSubnetIds", subnet_ids) if subnet_ids else (MISSING, {})
        evidence["rds:DescribeDBProxies"] = {"VpcSubnetIds": subnet_ids}
        return verdict_outcome(proxy, net_02.decide(net_02.DataStore(f"proxy '{proxy.name}'", where)), evidence)

    return ctx.each(proxies(ctx.inventory, ctx.region), evaluate)


@live_check("DES-02", "des-02-aurora-deletion-protection", resource_type=CLUSTER)
def aurora_destroyable(ctx: CheckContext):
    """Deletion protection only: skipFinalSnapshot is a delete-time setting of the provider, which AWS does not record."""
    def evaluate(cluster: Resource) -> Outcome:
        decided = des_02.decide(des_02.Resource(des_02.DATABASE, {
            "deletionProtection": lookup(cluster.data, "DeletionProtection")}))
        return verdict_outcome(cluster, decided, {"rds:DescribeDBClusters": pick(cluster.data, "DeletionProtection")})

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)

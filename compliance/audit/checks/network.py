"""NET-01..NET-04: security-group rules, private placement of the data stores, endpoints and no NAT."""

from __future__ import annotations

from typing import Any

from compliance.audit.aws import ApiError
from compliance.audit.checks.common import pick, verdict
from compliance.audit.inventory import CLUSTER, FUNCTION, REPLICATION_GROUP, SECURITY_GROUP, VPC, Resource
from compliance.audit.registry import CheckContext, Outcome, api_error_outcome, live_check

WORLD = ("0.0.0.0/0", "::/0")


def world_open_rules(group: dict[str, Any], allowed: set[str]) -> list[dict[str, Any]]:
    """The ingress permissions that admit 0.0.0.0/0 or ::/0 (unless allow-listed)."""
    found = []
    for permission in group.get("IpPermissions", []):
        cidrs = [r.get("CidrIp") for r in permission.get("IpRanges", [])] + \
                [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges", [])]
        opened = [c for c in cidrs if c in WORLD and c not in allowed]
        if opened:
            found.append({**pick(permission, "IpProtocol", "FromPort", "ToPort"), "Cidrs": opened})
    return found


@live_check("NET-01", "net-01-no-world-ingress", resource_type=SECURITY_GROUP)
def no_world_ingress(ctx: CheckContext):
    allowed = set(ctx.parameters.get("allowedCidrs") or [])

    def evaluate(group: Resource) -> Outcome:
        opened = world_open_rules(group.data, allowed)
        evidence = {"ec2:DescribeSecurityGroups": {"GroupId": group.data["GroupId"], "WorldOpenIngress": opened}}
        problems = [f"ingress from {', '.join(r['Cidrs'])} on {r.get('IpProtocol')} "
                    f"{r.get('FromPort', 'all')}-{r.get('ToPort', 'all')}: restrict the source" for r in opened]
        return verdict(group, problems, "no ingress from 0.0.0.0/0 or ::/0", evidence)

    return ctx.each(ctx.inventory.security_groups(ctx.region), evaluate)


def subnet_problems(ctx: CheckContext, subnet_ids: list[str]) -> tuple[list[str], dict[str, Any]]:
    """A subnet is private when it maps no public IP and its route table has no internet-gateway route."""
    subnets = ctx.inventory.all_subnets(ctx.region)
    tables = ctx.inventory.route_tables(ctx.region)
    problems: list[str] = []
    evidence: dict[str, Any] = {"ec2:DescribeSubnets": {}, "ec2:DescribeRouteTables": {}}
    for subnet_id in subnet_ids:
        subnet = subnets.get(subnet_id)
        if subnet is None:
            problems.append(f"subnet {subnet_id} not found")
            continue
        table = next((t for t in tables for a in t.get("Associations", []) if a.get("SubnetId") == subnet_id), None) \
            or next((t for t in tables if t.get("VpcId") == subnet["VpcId"]
                     and any(a.get("Main") for a in t.get("Associations", []))), None)
        to_internet = [r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
                       for r in (table or {}).get("Routes", []) if str(r.get("GatewayId", "")).startswith("igw-")]
        evidence["ec2:DescribeSubnets"][subnet_id] = pick(subnet, "VpcId", "MapPublicIpOnLaunch")
        evidence["ec2:DescribeRouteTables"][subnet_id] = {"RouteTableId": (table or {}).get("RouteTableId"),
                                                          "InternetGatewayRoutes": to_internet}
        if subnet.get("MapPublicIpOnLaunch"):
            problems.append(f"subnet {subnet_id} maps public IPs on launch: use a private subnet")
        if to_internet:
            problems.append(f"subnet {subnet_id} routes {', '.join(map(str, to_internet))} to an internet gateway: "
                            "use a private subnet")
    return problems, evidence


@live_check("NET-02", "net-02-aurora-private", resource_type=CLUSTER)
def aurora_private(ctx: CheckContext):
    instances = ctx.inventory.cluster_instances(ctx.region)

    def evaluate(cluster: Resource) -> Outcome:
        group = cluster.data.get("DBSubnetGroup")
        answer = ctx.call("rds", "DescribeDBSubnetGroups", DBSubnetGroupName=group)
        subnet_ids = [s["SubnetIdentifier"] for s in answer["DBSubnetGroups"][0].get("Subnets", [])]
        problems, subnets = subnet_problems(ctx, subnet_ids)
        members = [i for i in instances if i.data.get("DBClusterIdentifier") == cluster.name]
        public = [i.name for i in members if i.data.get("PubliclyAccessible")]
        if cluster.data.get("PubliclyAccessible"):
            public.append(cluster.name)
        problems += [f"{name} is publicly accessible: set publiclyAccessible false" for name in public]
        evidence = {"rds:DescribeDBInstances": {i.name: pick(i.data, "PubliclyAccessible") for i in members},
                    "rds:DescribeDBSubnetGroups": {"DBSubnetGroupName": group, "SubnetIds": subnet_ids},
                    **subnets}
        return verdict(cluster, problems, "not publicly accessible; private subnets only", evidence)

    return ctx.each(ctx.inventory.clusters(ctx.region), evaluate)


def redis_member(ctx: CheckContext, group: Resource) -> dict[str, Any]:
    """The first member cluster of a replication group: where its subnet group and security groups live."""
    members = group.data.get("MemberClusters") or []
    if not members:
        raise ApiError("elasticache:DescribeReplicationGroups", "unexpected",
                       f"elasticache:DescribeReplicationGroups lists no member cluster for {group.name}: cannot "
                       "locate its subnets and security groups")
    return ctx.inventory.memo.get(("DescribeCacheClusters", ctx.region, members[0]), lambda: ctx.call(
        "elasticache", "DescribeCacheClusters", CacheClusterId=members[0])["CacheClusters"][0])


@live_check("NET-02", "net-02-redis-private", resource_type=REPLICATION_GROUP)
def redis_private(ctx: CheckContext):
    def evaluate(group: Resource) -> Outcome:
        member = redis_member(ctx, group)
        subnet_group = member["CacheSubnetGroupName"]
        answer = ctx.call("elasticache", "DescribeCacheSubnetGroups", CacheSubnetGroupName=subnet_group)
        subnet_ids = [s["SubnetIdentifier"] for s in answer["CacheSubnetGroups"][0].get("Subnets", [])]
        problems, subnets = subnet_problems(ctx, subnet_ids)
        evidence = {"elasticache:DescribeCacheClusters": pick(member, "CacheClusterId", "CacheSubnetGroupName"),
                    "elasticache:DescribeCacheSubnetGroups": {"SubnetIds": subnet_ids},
                    **subnets}
        return verdict(group, problems, "in private subnets only (ElastiCache has no public endpoint)", evidence)

    return ctx.each(ctx.inventory.replication_groups(ctx.region), evaluate)


@live_check("NET-02", "net-02-lambda-private", resource_type=FUNCTION)
def lambda_private(ctx: CheckContext):
    def evaluate(function: Resource) -> Outcome:
        subnet_ids = (function.data.get("VpcConfig") or {}).get("SubnetIds") or []
        if not subnet_ids:
            return verdict(function, ["not attached to a VPC: set vpcConfig with the private subnets"], "",
                           {"lambda:ListFunctions": {"VpcConfig": function.data.get("VpcConfig")}})
        problems, subnets = subnet_problems(ctx, subnet_ids)
        evidence = {"lambda:ListFunctions": {"SubnetIds": subnet_ids}, **subnets}
        return verdict(function, problems, "runs in private subnets only", evidence)

    return ctx.each(ctx.inventory.functions(ctx.region), evaluate)


@live_check("NET-03", "net-03-vpc-endpoints-no-nat", resource_type=VPC)
def endpoints_no_nat(ctx: CheckContext):
    required = list(ctx.parameters.get("requiredServices") or [])
    endpoints = ctx.inventory.all_vpc_endpoints(ctx.region)
    nat_gateways = ctx.inventory.nat_gateways(ctx.region)

    def evaluate(vpc: Resource) -> Outcome:
        vpc_id = vpc.data["VpcId"]
        present = sorted({e["ServiceName"].rsplit(".", 1)[-1] for e in endpoints
                          if e.get("VpcId") == vpc_id and e.get("State", "").lower() in ("available", "pending")})
        nats = [n["NatGatewayId"] for n in nat_gateways
                if n.get("VpcId") == vpc_id and n.get("State") in ("pending", "available")]
        missing = [s for s in required if s not in present]
        problems = []
        if missing:
            problems.append(f"no VPC endpoint for {', '.join(missing)}: add them")
        if nats:
            problems.append(f"NAT gateways {', '.join(nats)}: remove them, reach AWS through endpoints")
        evidence = {"ec2:DescribeVpcEndpoints": {"Services": present}, "ec2:DescribeNatGateways": {"NatGatewayIds": nats}}
        return verdict(vpc, problems, f"endpoints for {', '.join(required)}; no NAT gateway", evidence)

    return ctx.each([v for v in ctx.inventory.vpcs(ctx.region) if not v.managed_by_aws], evaluate)


def data_store_groups(ctx: CheckContext) -> tuple[dict[str, list[str]], list[Outcome]]:
    """Security group id -> the in-scope data stores (Aurora clusters, Redis groups) it guards.

    Also the outcomes for data stores whose groups could not be read (a Redis
    group's security groups live on its member clusters).
    """
    guarded: dict[str, list[str]] = {}
    unreadable = []
    for cluster in ctx.inventory.clusters(ctx.region):
        for group in cluster.data.get("VpcSecurityGroups", []):
            guarded.setdefault(group["VpcSecurityGroupId"], []).append(cluster.name)
    for replication_group in ctx.inventory.replication_groups(ctx.region):
        try:
            member = redis_member(ctx, replication_group)
        except ApiError as exc:
            unreadable.append(api_error_outcome(replication_group.ref, exc, ctx.gaps))
            continue
        for group in member.get("SecurityGroups") or []:
            guarded.setdefault(group["SecurityGroupId"], []).append(replication_group.name)
    return guarded, unreadable


@live_check("NET-04", "net-04-data-store-ingress-from-groups", resource_type=SECURITY_GROUP)
def data_store_ingress(ctx: CheckContext):
    guarded, outcomes = data_store_groups(ctx)
    groups = ctx.inventory.all_security_groups(ctx.region)
    for group_id, stores in sorted(guarded.items()):
        group = groups.get(group_id)
        if group is None:
            continue
        ref = ctx.inventory.security_group_ref(ctx.region, group)
        by_cidr = [{**pick(p, "IpProtocol", "FromPort", "ToPort"),
                    "Sources": [r.get("CidrIp") for r in p.get("IpRanges", [])]
                    + [r.get("CidrIpv6") for r in p.get("Ipv6Ranges", [])]
                    + [r.get("PrefixListId") for r in p.get("PrefixListIds", [])]}
                   for p in group.get("IpPermissions", [])
                   if p.get("IpRanges") or p.get("Ipv6Ranges") or p.get("PrefixListIds")]
        evidence = {"ec2:DescribeSecurityGroups": {"GroupId": group_id, "Guards": stores, "CidrIngress": by_cidr}}
        if by_cidr:
            sources = sorted({s for rule in by_cidr for s in rule["Sources"] if s})
            outcomes.append(Outcome(ref, "fail", f"{ref.name} (guards {', '.join(stores)}): ingress from "
                                    f"{', '.join(sources)}: admit only the processor's security group", evidence))
        else:
            outcomes.append(Outcome(ref, "pass", f"{ref.name} (guards {', '.join(stores)}): ingress only from "
                                    "security groups", evidence))
    return outcomes

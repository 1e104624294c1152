"""EC2 (VPC): VPCs, subnets, security groups, endpoints, route tables, NAT gateways, flow logs; NET-01, NET-03 (per VPC),
LOG-03.

Each EC2 describe is made once per region, unscoped, and shared: the scoped
listings (what GOV-01/02/03 hold to the conventions) filter it, and the network
checks read it whole (a data store's subnet group may name any subnet, a
subnet's route table decides whether it is private). ``placement`` gathers the
facts of NET-02's private placement for Aurora, Redis and the function
(``rds``, ``elasticache``, ``lambda_``); NET-04 reads those services and lives
in ``data_store_ingress``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.logs import log_groups_named
from compliance.findings import ResourceRef
from controls import log_03, net_01, net_02, net_03
from controls.values import MISSING

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


# -- unscoped reads, one describe per region ---------------------------------

def ec2_all(inventory: Inventory, region: str, operation: str, key: str) -> list[dict[str, Any]]:
    """One unscoped EC2 describe per region, shared by the scoped listing and the network checks."""
    return inventory.memo.get(("ec2", operation, region),
                              lambda: list(inventory.aws.pages("ec2", region, operation, key)))


def route_tables(inventory: Inventory, region: str) -> list[dict[str, Any]]:
    """Every route table of the region (unscoped: a subnet's table decides whether it is private)."""
    return ec2_all(inventory, region, "DescribeRouteTables", "RouteTables")


def all_subnets(inventory: Inventory, region: str) -> dict[str, dict[str, Any]]:
    """Every subnet of the region by id (a data store's subnet group may name any)."""
    return {s["SubnetId"]: s for s in ec2_all(inventory, region, "DescribeSubnets", "Subnets")}


def all_security_groups(inventory: Inventory, region: str) -> dict[str, dict[str, Any]]:
    return {g["GroupId"]: g for g in ec2_all(inventory, region, "DescribeSecurityGroups", "SecurityGroups")}


def all_vpc_endpoints(inventory: Inventory, region: str) -> list[dict[str, Any]]:
    return ec2_all(inventory, region, "DescribeVpcEndpoints", "VpcEndpoints")


def nat_gateways(inventory: Inventory, region: str) -> list[dict[str, Any]]:
    return ec2_all(inventory, region, "DescribeNatGateways", "NatGateways")


def flow_logs(inventory: Inventory, region: str) -> list[dict[str, Any]]:
    """Every flow log of the region (LOG-03 reads those attached to each VPC)."""
    return ec2_all(inventory, region, "DescribeFlowLogs", "FlowLogs")


# -- scoped listings -----------------------------------------------------------

def ec2_arn(region: str, item: dict[str, Any], kind: str, id_field: str, arn_field: str | None = None) -> str:
    """The item's ARN: its own field where the describe has one, else built from region, owner and id."""
    return (item.get(arn_field) if arn_field else None) \
        or f"arn:aws:ec2:{region}:{item.get('OwnerId', '')}:{kind}/{item[id_field]}"


def scoped(inventory: Inventory, region: str, type_: str, operation: str, key: str, id_field: str, kind: str, *,
           arn_field: str | None = None, name: Callable[[dict[str, Any], dict[str, str]], str] | None = None,
           managed_by_aws: Callable[[dict[str, Any], dict[str, str]], bool]) -> Iterator[Resource | None]:
    """EC2 describes carry their tags; an EC2 resource's name is its Name tag (or its id)."""
    for item in ec2_all(inventory, region, operation, key):
        tags = tag_dict(item.get("Tags"))
        arn = ec2_arn(region, item, kind, id_field, arn_field)
        yield inventory.keep(type_, region, name(item, tags) if name else tags.get("Name", item[id_field]),
                             (item[id_field], arn), item, lambda t=tags: t, resource_id=arn,
                             managed_by_aws=managed_by_aws(item, tags))


@listing(VPC)
def vpcs(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    return scoped(inventory, region, VPC, "DescribeVpcs", "Vpcs", "VpcId", "vpc",
                  managed_by_aws=lambda v, tags: bool(v.get("IsDefault")))


@listing(SUBNET)
def subnets(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    return scoped(inventory, region, SUBNET, "DescribeSubnets", "Subnets", "SubnetId", "subnet",
                  arn_field="SubnetArn", managed_by_aws=lambda s, tags: bool(s.get("DefaultForAz")))


def security_group_name(group: dict[str, Any], tags: dict[str, str]) -> str:
    """A group's name; a default group (every VPC has one, all named "default") goes by its Name tag if any."""
    return tags.get("Name", group["GroupName"]) if group["GroupName"] == "default" else group["GroupName"]


@listing(SECURITY_GROUP)
def security_groups(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    return scoped(inventory, region, SECURITY_GROUP, "DescribeSecurityGroups", "SecurityGroups", "GroupId",
                  "security-group", arn_field="SecurityGroupArn", name=security_group_name,
                  managed_by_aws=lambda g, tags: g["GroupName"] == "default" and not tags)


@listing(VPC_ENDPOINT)
def vpc_endpoints(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    return scoped(inventory, region, VPC_ENDPOINT, "DescribeVpcEndpoints", "VpcEndpoints", "VpcEndpointId",
                  "vpc-endpoint", managed_by_aws=lambda e, tags: False)


def security_group_ref(region: str, group: dict[str, Any]) -> ResourceRef:
    """The reference of a group read unscoped (NET-04 judges the groups that guard the data stores)."""
    return ResourceRef(id=ec2_arn(region, group, "security-group", "GroupId", "SecurityGroupArn"),
                       type=SECURITY_GROUP, name=security_group_name(group, tag_dict(group.get("Tags"))),
                       region=region)


# -- checks --------------------------------------------------------------------

def ingress_permissions(group: dict[str, Any]) -> list[net_01.Permission]:
    """NET-01's facts: the group's ingress as DescribeSecurityGroups gives it (AWS has merged the rules)."""
    return [net_01.Permission(f"IpPermissions[{index}]", permission.get("IpProtocol"), permission.get("FromPort"),
                              permission.get("ToPort"),
                              tuple([r.get("CidrIp") for r in permission.get("IpRanges", [])]
                                    + [r.get("CidrIpv6") for r in permission.get("Ipv6Ranges", [])]))
            for index, permission in enumerate(group.get("IpPermissions", []))]


@live_check("NET-01", "net-01-no-world-ingress", resource_type=SECURITY_GROUP)
def no_world_ingress(ctx: CheckContext):
    allowed = list(ctx.parameters.get("allowedCidrs") or [])

    def evaluate(group: Resource) -> Outcome:
        permissions = ingress_permissions(group.data)
        decided = net_01.decide(permissions, allowed)
        evidence = {"ec2:DescribeSecurityGroups": {"GroupId": group.data["GroupId"], "IpPermissions": [
            {"IpProtocol": p.protocol, "FromPort": p.from_port, "ToPort": p.to_port, "Cidrs": list(p.cidrs)}
            for p in permissions if p.cidrs]}}
        return verdict_outcome(group, decided, evidence)

    return ctx.each(security_groups(ctx.inventory, ctx.region), evaluate)


def placement(ctx: CheckContext, setting: str, subnet_ids: list[str]) -> tuple[net_02.Placement, dict[str, Any]]:
    """NET-02's facts on where a data store sits: each subnet, its route table (its association's, else the
    VPC's main table) and the routes that carry traffic (a blackhole route carries none)."""
    subnets_by_id = all_subnets(ctx.inventory, ctx.region)
    tables = route_tables(ctx.inventory, ctx.region)
    evidence: dict[str, Any] = {"ec2:DescribeSubnets": {}, "ec2:DescribeRouteTables": {}}
    found: list[net_02.Subnet] = []
    for subnet_id in subnet_ids:
        subnet = subnets_by_id.get(subnet_id)
        if subnet is None:
            continue
        associated = next((t for t in tables for a in t.get("Associations", []) if a.get("SubnetId") == subnet_id), None)
        table = associated or next((t for t in tables if t.get("VpcId") == subnet["VpcId"]
                                    and any(a.get("Main") for a in t.get("Associations", []))), None)
        routes = [r for r in (table or {}).get("Routes", []) if r.get("State") != "blackhole"]
        facts = net_02.RouteTable(
            table["RouteTableId"], tuple(net_02.Route(
                r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock") or r.get("DestinationPrefixListId"),
                net_02.is_internet_gateway(r.get("GatewayId"))) for r in routes), main=associated is None,
        ) if table else net_02.RouteTable(f"main of {subnet['VpcId']}", main=True, unreadable="not found")
        found.append(net_02.Subnet(subnet_id, bool(subnet.get("MapPublicIpOnLaunch")), (facts,)))
        evidence["ec2:DescribeSubnets"][subnet_id] = pick(subnet, "VpcId", "MapPublicIpOnLaunch")
        evidence["ec2:DescribeRouteTables"][subnet_id] = {
            "RouteTableId": (table or {}).get("RouteTableId"), "Main": associated is None,
            "InternetGatewayRoutes": [r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock")
                                      for r in routes if net_02.is_internet_gateway(r.get("GatewayId"))]}
    return net_02.Placement(setting, tuple(found), len(subnet_ids) - len(found) if found else 0), evidence


@live_check("NET-03", "net-03-vpc-endpoints-no-nat", resource_type=VPC)
def endpoints_no_nat(ctx: CheckContext):
    required = list(ctx.parameters.get("requiredServices") or [])
    endpoints = all_vpc_endpoints(ctx.inventory, ctx.region)
    nats_in_region = nat_gateways(ctx.inventory, ctx.region)

    def evaluate(vpc: Resource) -> Outcome:
        vpc_id = vpc.data["VpcId"]
        mine = [e for e in endpoints if e.get("VpcId") == vpc_id]
        nats = [n for n in nats_in_region if n.get("VpcId") == vpc_id]
        facts = net_03.Vpc(vpc.name, tuple(net_03.Endpoint(e["VpcEndpointId"], e.get("ServiceName"), e.get("State"))
                                           for e in mine),
                           tuple(net_03.NatGateway(n["NatGatewayId"], n.get("State")) for n in nats))
        evidence = {"ec2:DescribeVpcEndpoints": [pick(e, "VpcEndpointId", "ServiceName", "State") for e in mine],
                    "ec2:DescribeNatGateways": [pick(n, "NatGatewayId", "State") for n in nats]}
        return verdict_outcome(vpc, net_03.decide(facts, required), evidence)

    return ctx.each([v for v in vpcs(ctx.inventory, ctx.region) if not v.managed_by_aws], evaluate)


def flow_log_facts(ctx: CheckContext, flow_log: dict[str, Any], evidence: dict[str, Any]) -> log_03.FlowLog:
    """LOG-03's facts about one flow log: its configuration and the log group its destination names (read alone).

    The destination is ``LogDestination`` (the group's ARN), else ``LogGroupName``;
    moto leaves the name out when the group was given by its ARN, AWS reports both.
    ``DeliverLogsStatus`` is not read: moto reports FAILED where AWS delivers.
    """
    part = f"flow log {flow_log['FlowLogId']}"
    kind = flow_log.get("LogDestinationType") or MISSING
    destination = flow_log.get("LogDestination") or flow_log.get("LogGroupName") or MISSING
    evidence[flow_log["FlowLogId"]] = pick(flow_log, "TrafficType", "LogDestinationType", "LogDestination",
                                           "LogGroupName")
    groups: list[log_03.LogGroup] = []
    name = log_03.log_group_name(destination) or flow_log.get("LogGroupName")
    if kind in (MISSING, log_03.CLOUDWATCH_LOGS) and name:
        for group in log_groups_named(ctx, name):
            seen: dict[str, Any] = {"logs:DescribeLogGroups": pick(group, "logGroupName", "kmsKeyId",
                                                                   "retentionInDays")}
            groups.append(log_03.LogGroup(name, key_ref(ctx, group.get("kmsKeyId"), seen),
                                          group.get("retentionInDays", MISSING)))
            evidence[flow_log["FlowLogId"]]["logGroup"] = seen
    return log_03.FlowLog(part, flow_log.get("TrafficType") or MISSING, kind, destination, tuple(groups))


@live_check("LOG-03", "log-03-vpc-flow-logs", resource_type=VPC)
def vpc_flow_logs(ctx: CheckContext):
    """Every VPC in scope (a default VPC too: CIS 3.7 asks for flow logs in all VPCs)."""
    minimum = int(ctx.parameters["minRetentionDays"])
    every = flow_logs(ctx.inventory, ctx.region)

    def evaluate(vpc: Resource) -> Outcome:
        attached = [f for f in every if f.get("ResourceId") == vpc.data["VpcId"]]
        evidence: dict[str, Any] = {"ec2:DescribeFlowLogs": {}}
        facts = [flow_log_facts(ctx, f, evidence["ec2:DescribeFlowLogs"]) for f in attached]
        return verdict_outcome(vpc, log_03.decide(facts, minimum), evidence)

    return ctx.each(vpcs(ctx.inventory, ctx.region), evaluate)

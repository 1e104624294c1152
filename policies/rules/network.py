"""NET-01 .. NET-04: nothing open to the world, data stores private, service traffic on endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.model import Resource, StackView
from rules.registry import STACK, Registry, Undecided, Violation
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup, truthy

registry = Registry()

DATA_STORES = (t.RDS_CLUSTER, t.RDS_INSTANCE, t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_SERVERLESS)
@registry.resource("NET-02", "data-store-not-publicly-accessible",
                   "Database instances are not publicly accessible.", [t.RDS_CLUSTER_INSTANCE, t.RDS_INSTANCE])
def data_store_not_publicly_accessible(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    public = r.lookup("publiclyAccessible")
    if public is UNKNOWN:
        yield Undecided("publiclyAccessible")
    elif truthy(public):
        yield "publiclyAccessible is true: set publiclyAccessible to false."


def _subnet_inputs(stack: StackView, store: Resource) -> tuple[str, list[Resource], Any] | None:
    """(what placed it, subnets declared in the stack, the raw setting) or None if nothing places it."""
    if store.type in (t.RDS_CLUSTER, t.RDS_INSTANCE):
        setting, group_type = "dbSubnetGroupName", t.RDS_SUBNET_GROUP
    elif store.type == t.ELASTICACHE_REPLICATION_GROUP:
        setting, group_type = "subnetGroupName", t.ELASTICACHE_SUBNET_GROUP
    elif store.type == t.ELASTICACHE_SERVERLESS:
        value = store.lookup("subnetIds")
        return ("subnetIds", stack.sources(store, "subnetIds", t.SUBNET), value) if value is not MISSING else None
    else:  # Lambda function
        value = store.lookup("vpcConfig.subnetIds")
        return ("vpcConfig.subnetIds", stack.sources(store, "vpcConfig", t.SUBNET), value) \
            if value is not MISSING else None
    value = store.lookup(setting)
    if value is MISSING:
        return None
    groups = stack.sources(store, setting, group_type) or stack.named("name", value, group_type)
    subnets = [s for g in groups for s in stack.sources(g, "subnetIds", t.SUBNET)]
    return f"{setting} {describe(value)}", subnets, value if not groups else groups[0].lookup("subnetIds")


def _routes_to_internet(stack: StackView, table: Resource) -> bool:
    """The route table (RouteTable or DefaultRouteTable) has a route, inline or a Route, to an internet gateway."""
    inline = stack.sources(table, "routes", t.INTERNET_GATEWAY) or [
        r for r in as_list(table.lookup("routes")) if str(lookup(r, "gatewayId")).startswith("igw-")]
    return bool(inline) or any(_is_internet_route(stack, r) for r in stack.referrers(table, "routeTableId", t.ROUTE))


def _is_internet_route(stack: StackView, route: Resource) -> bool:
    return bool(stack.sources(route, "gatewayId", t.INTERNET_GATEWAY)) \
        or str(route.lookup("gatewayId")).startswith("igw-")


def _public_routes(stack: StackView, subnet: Resource) -> Iterator[str]:
    """Why the subnet can reach an internet gateway (or cannot be shown not to), as message tails."""
    associations = stack.referrers(subnet, "subnetId", t.ROUTE_TABLE_ASSOCIATION)
    if not associations:
        yield from _main_table_routes(stack, subnet)
    for association in associations:
        tables = stack.sources(association, "routeTableId", t.ROUTE_TABLE, t.DEFAULT_ROUTE_TABLE)
        if not tables:
            yield (f"whose route table association '{association.name}' names a route table not declared in this "
                   "stack, so its routes cannot be verified: associate the subnet with the private route table.")
        for table in tables:
            if _routes_to_internet(stack, table):
                yield f"whose route table '{table.name}' routes to an internet gateway: use the private subnets."


def _main_table_routes(stack: StackView, subnet: Resource) -> Iterator[str]:
    """Why the main route table of the subnet's VPC, which a subnet without association uses, is public.

    AWS creates a VPC's main route table with the local route only, so a stack that declares nothing
    changing it leaves the unassociated subnet private: absence is compliant. What the stack does declare
    is checked: a MainRouteTableAssociation makes its table the main one (a table not declared in the stack
    cannot be verified); without one, a DefaultRouteTable manages the VPC's original main table; a Route on
    the VPC's main or default route table id adds to it. A declaration whose VPC is not the subnet's
    in-stack VPC counts unless both VPCs are known, so nothing is skipped because its VPC is unresolved.
    """
    vpcs = stack.sources(subnet, "vpcId", t.VPC)

    def same_vpc(resource: Resource, prop: str) -> bool:
        theirs = stack.sources(resource, prop, t.VPC)
        return not vpcs or not theirs or any(v in vpcs for v in theirs)

    mains = [m for m in stack.of_type(t.MAIN_ROUTE_TABLE_ASSOCIATION) if same_vpc(m, "vpcId")]
    tables = [d for d in stack.of_type(t.DEFAULT_ROUTE_TABLE) if same_vpc(d, "defaultRouteTableId")] \
        if not mains else []
    for main in mains:
        found = stack.sources(main, "routeTableId", t.ROUTE_TABLE, t.DEFAULT_ROUTE_TABLE)
        if not found:
            yield (f"which has no RouteTableAssociation, so it uses the main route table set by '{main.name}', "
                   "which is not declared in this stack and cannot be verified: associate the subnet with the "
                   "private route table.")
        tables += found
    for table in tables:
        if _routes_to_internet(stack, table):
            yield (f"which has no RouteTableAssociation, so it uses the VPC's main route table '{table.name}', which "
                   "routes to an internet gateway: associate the subnet with the private route table.")
    for route in (r for vpc in vpcs for r in stack.referrers(vpc, "routeTableId", t.ROUTE)):
        if _is_internet_route(stack, route):
            yield (f"which has no RouteTableAssociation, so it uses the VPC's main route table, where route "
                   f"'{route.name}' routes to an internet gateway: associate the subnet with the private route table.")


@registry.stack("NET-02", "data-store-in-private-subnets",
                "Data stores and the processor run in private subnets (no public IPs, no route to an "
                "internet gateway).", [*DATA_STORES, t.LAMBDA_FUNCTION])
def data_store_in_private_subnets(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for store in stack.of_type(*DATA_STORES, t.LAMBDA_FUNCTION):
        placement = _subnet_inputs(stack, store)
        if placement is None:
            yield Violation(f"{store.label()} names no subnets, so AWS places it in the default VPC: put it in "
                            "the private subnets (subnet group or vpcConfig).", store.urn)
            continue
        where, subnets, raw = placement
        declared = as_list(raw) if raw is not UNKNOWN else []
        if not subnets:
            yield Violation(f"{store.label()}: {where} does not resolve to subnets declared in this stack, so "
                            "their privacy cannot be verified: use the program's private subnets.", store.urn)
            continue
        if len(declared) > len(subnets):
            yield Violation(f"{store.label()}: {where} includes subnets not declared in this stack: use only the "
                            "program's private subnets.", store.urn)
        for subnet in subnets:
            public_ip = subnet.lookup("mapPublicIpOnLaunch")
            if public_ip is UNKNOWN:
                yield Undecided("mapPublicIpOnLaunch")
            elif truthy(public_ip):
                yield Violation(f"{store.label()} is in subnet '{subnet.name}', which maps public IPs on launch: "
                                "use the private subnets.", store.urn)
            for why in _public_routes(stack, subnet):
                yield Violation(f"{store.label()} is in subnet '{subnet.name}', {why}", store.urn)


@registry.stack("NET-03", "vpc-endpoints-and-no-nat",
                "Service traffic uses VPC endpoints (S3, DynamoDB, Kinesis, Secrets Manager, KMS, Logs) and "
                "there is no NAT gateway.", [STACK], parameters=("requiredServices",))
def vpc_endpoints_and_no_nat(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    present, undecided = set(), False
    for endpoint in stack.of_type(t.VPC_ENDPOINT):
        name = endpoint.lookup("serviceName")
        if name is UNKNOWN:
            undecided = True
        elif isinstance(name, str):
            present.add(name.split(".", 3)[-1])
    missing = [s for s in config["requiredServices"] if s not in present]
    if missing and undecided:
        yield Undecided("serviceName")
    elif missing:
        yield Violation(f"no VPC endpoint for {', '.join(missing)}: add gateway endpoints for s3 and dynamodb and "
                        "interface endpoints (private DNS) for the others.")
    for nat in stack.of_type(t.NAT_GATEWAY):
        yield Violation(f"NAT gateway '{nat.name}' gives the private subnets a path to the internet: remove it "
                        "and reach AWS services through VPC endpoints.")


def _security_groups(stack: StackView, store: Resource) -> tuple[str, Any, list[Resource]]:
    """(the setting, its raw value, the security groups declared in the stack it was computed from)."""
    setting = "vpcSecurityGroupIds" if store.type in (t.RDS_CLUSTER, t.RDS_INSTANCE) else "securityGroupIds"
    return setting, store.lookup(setting), stack.sources(store, setting, t.SECURITY_GROUP, t.DEFAULT_SECURITY_GROUP)


def _cidr_rules(stack: StackView, group: Resource) -> Iterator[Any]:
    """(description) of every ingress of the group that admits a CIDR range or prefix list."""
    ingress = group.lookup("ingress")
    if ingress is UNKNOWN:
        yield Undecided("ingress")
    for index, rule in enumerate(as_list(ingress) if ingress is not UNKNOWN else []):
        cidrs = [c for key in ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds") for c in as_list(lookup(rule, key))]
        if cidrs:
            yield f"inline ingress[{index}] admits {', '.join(map(describe, cidrs))}"
    for rule in stack.referrers(group, "securityGroupId", t.SECURITY_GROUP_RULE):
        if rule.lookup("type") != "ingress":
            continue
        cidrs = [c for key in ("cidrBlocks", "ipv6CidrBlocks", "prefixListIds") for c in as_list(rule.lookup(key))]
        if cidrs:
            yield f"rule '{rule.name}' admits {', '.join(map(describe, cidrs))}"
    for rule in stack.referrers(group, "securityGroupId", t.SECURITY_GROUP_INGRESS_RULE):
        cidrs = [rule.lookup(k) for k in ("cidrIpv4", "cidrIpv6", "prefixListId") if rule.lookup(k) is not MISSING]
        if cidrs:
            yield f"rule '{rule.name}' admits {', '.join(map(describe, cidrs))}"


@registry.stack("NET-04", "data-store-ingress-from-security-groups",
                "Data-store security groups admit traffic only from security groups, never from CIDR ranges.",
                DATA_STORES)
def data_store_ingress_from_security_groups(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for store in stack.of_type(*DATA_STORES):
        setting, raw, groups = _security_groups(stack, store)
        if not groups:
            yield Violation(f"{store.label()}: {setting} names no security group declared in this stack (the "
                            "VPC's default group applies or cannot be verified): attach the data store's own "
                            "security group.", store.urn)
            continue
        if len(as_list(raw) if raw is not UNKNOWN else []) > len(groups):
            yield Violation(f"{store.label()}: {setting} includes security groups not declared in this stack, whose "
                            "ingress cannot be verified: attach only the data store's own security group.", store.urn)
        for group in groups:
            for finding in _cidr_rules(stack, group):
                if isinstance(finding, Undecided):
                    yield finding
                else:
                    yield Violation(f"{store.label()}: security group '{group.name}': {finding}: admit only the "
                                    "processor's security group (sourceSecurityGroupId / "
                                    "referencedSecurityGroupId).", store.urn)

"""NET-01 .. NET-04: nothing open to the world, data stores private, service traffic on endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.model import Resource, StackView
from rules.registry import STACK, Registry, Undecided, Violation
from rules.values import MISSING, UNKNOWN, as_list, describe, lookup, truthy

registry = Registry()

WORLD = ("0.0.0.0/0", "::/0")
DATA_STORES = (t.RDS_CLUSTER, t.RDS_INSTANCE, t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_SERVERLESS)


def _ingress_sources(rule: Any, *cidr_keys: str) -> Iterator[Any]:
    for key in cidr_keys:
        value = lookup(rule, key)
        if value is UNKNOWN:
            yield UNKNOWN
        else:
            yield from as_list(value)


@registry.resource("NET-01", "no-world-open-ingress",
                   "No security-group ingress from 0.0.0.0/0 or ::/0.",
                   [t.SECURITY_GROUP, t.SECURITY_GROUP_RULE, t.SECURITY_GROUP_INGRESS_RULE],
                   parameters=("allowedCidrs",))
def no_world_open_ingress(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    allowed = set(config["allowedCidrs"])
    if r.type == t.SECURITY_GROUP:
        ingress = r.lookup("ingress")
        if ingress is UNKNOWN:
            yield Undecided("ingress")
            return
        entries = [(f"ingress[{i}]", rule) for i, rule in enumerate(as_list(ingress))]
        keys = ("cidrBlocks", "ipv6CidrBlocks")
    elif r.type == t.SECURITY_GROUP_RULE:
        kind = r.lookup("type")
        if kind is UNKNOWN:
            yield Undecided("type")
            return
        entries = [("this rule", r.props)] if kind == "ingress" else []
        keys = ("cidrBlocks", "ipv6CidrBlocks")
    else:
        entries = [("this rule", r.props)]
        keys = ("cidrIpv4", "cidrIpv6")
    for where, rule in entries:
        if rule is UNKNOWN:
            yield Undecided(where)
            continue
        for cidr in _ingress_sources(rule, *keys):
            if cidr is UNKNOWN:
                yield Undecided(where)
            elif cidr in WORLD and cidr not in allowed:
                ports = f"{describe(lookup(rule, 'fromPort'))}-{describe(lookup(rule, 'toPort'))}"
                yield (f"{where} admits {cidr} on ports {ports}: replace it with the source security group "
                       "or the VPC CIDR.")


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


def _public_routes(stack: StackView, subnet: Resource) -> list[str]:
    """Names of route tables of the subnet that route to an internet gateway."""
    tables = [tbl for a in stack.referrers(subnet, "subnetId", t.ROUTE_TABLE_ASSOCIATION)
              for tbl in stack.sources(a, "routeTableId", t.ROUTE_TABLE)]
    public = []
    for table in tables:
        inline = stack.sources(table, "routes", t.INTERNET_GATEWAY) or [
            r for r in as_list(table.lookup("routes")) if str(lookup(r, "gatewayId")).startswith("igw-")]
        routes = [r for r in stack.referrers(table, "routeTableId", t.ROUTE)
                  if stack.sources(r, "gatewayId", t.INTERNET_GATEWAY)
                  or str(r.lookup("gatewayId")).startswith("igw-")]
        if inline or routes:
            public.append(table.name)
    return public


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
            for table in _public_routes(stack, subnet):
                yield Violation(f"{store.label()} is in subnet '{subnet.name}', whose route table '{table}' routes "
                                "to an internet gateway: use the private subnets.", store.urn)


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


def _security_groups(stack: StackView, store: Resource) -> tuple[str, list[Resource]]:
    setting = "vpcSecurityGroupIds" if store.type in (t.RDS_CLUSTER, t.RDS_INSTANCE) else "securityGroupIds"
    return setting, stack.sources(store, setting, t.SECURITY_GROUP)


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
        setting, groups = _security_groups(stack, store)
        if not groups:
            yield Violation(f"{store.label()}: {setting} names no security group declared in this stack (the "
                            "VPC's default group applies or cannot be verified): attach the data store's own "
                            "security group.", store.urn)
            continue
        for group in groups:
            for finding in _cidr_rules(stack, group):
                if isinstance(finding, Undecided):
                    yield finding
                else:
                    yield Violation(f"{store.label()}: security group '{group.name}': {finding}: admit only the "
                                    "processor's security group (sourceSecurityGroupId / "
                                    "referencedSecurityGroupId).", store.urn)

"""NET-02 in the pack: a data store's exposure flags and subnets, and the route tables they use (``controls.net_02``).

Facts from the stack: the subnet group (or ``vpcConfig``) a store names, its
subnets, each subnet's route table (its association's, else the VPC's main table:
the table a ``MainRouteTableAssociation`` makes main, a ``DefaultRouteTable``, or the
routes a ``Route`` adds to the VPC's main/default table id), and those tables'
routes, inline or ``Route`` resources. A declaration whose VPC cannot be resolved
counts for every subnet, so nothing is skipped because its VPC is unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import net_02
from controls.values import MISSING, UNKNOWN, as_list, describe, lookup
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results

registry = Registry()

DATABASES = (t.RDS_CLUSTER, t.RDS_INSTANCE)
DATA_STORES = (*DATABASES, t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_SERVERLESS, t.LAMBDA_FUNCTION,
               t.RDS_PROXY)
# types that name their subnets themselves -> the input naming them
SUBNETS_NAMED_BY = {t.ELASTICACHE_SERVERLESS: "subnetIds", t.LAMBDA_FUNCTION: "vpcConfig.subnetIds",
                    t.RDS_PROXY: "vpcSubnetIds"}
INSTANCES = (t.RDS_CLUSTER_INSTANCE, t.RDS_INSTANCE)
TABLES = (t.ROUTE_TABLE, t.DEFAULT_ROUTE_TABLE)


def _exposure(resource: Resource) -> net_02.Exposure:
    return net_02.Exposure(resource.label(), resource.lookup("publiclyAccessible"))


@registry.resource("NET-02", "data-store-not-publicly-accessible",
                   "Database instances are not publicly accessible.", INSTANCES)
def data_store_not_publicly_accessible(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(net_02.decide_exposure([_exposure(r)]))


def _route(stack: StackView, route: Any, name: str = "") -> net_02.Route:
    """A route (inline entry or Route resource's inputs) and whether it targets an internet gateway."""
    if isinstance(route, Resource):
        destination = next((v for k in ("destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId")
                            if (v := route.lookup(k)) is not MISSING), MISSING)
        gateway = route.lookup("gatewayId")
        from_igw = bool(stack.sources(route, "gatewayId", t.INTERNET_GATEWAY))
        return net_02.Route(destination, _gateway_fact(gateway, from_igw), name)
    destination = next((v for k in ("cidrBlock", "ipv6CidrBlock", "destinationPrefixListId")
                        if (v := lookup(route, k)) is not MISSING), MISSING)
    return net_02.Route(destination, _gateway_fact(lookup(route, "gatewayId"), False), name)


def _gateway_fact(gateway: Any, from_igw: bool) -> Any:
    if from_igw or net_02.is_internet_gateway(gateway):
        return True
    return UNKNOWN if gateway is UNKNOWN else False


def _table(stack: StackView, table: Resource, main: bool = False) -> net_02.RouteTable:
    inline = table.lookup("routes")
    routes: list[net_02.Route] = []
    if inline is UNKNOWN:
        igw = bool(stack.sources(table, "routes", t.INTERNET_GATEWAY))
        routes.append(net_02.Route(UNKNOWN, True if igw else UNKNOWN, "routes"))
    else:
        inline_igw = stack.sources(table, "routes", t.INTERNET_GATEWAY)
        for index, entry in enumerate(as_list(inline)):
            found = _route(stack, entry, f"routes[{index}]")
            if inline_igw and lookup(entry, "gatewayId") is not MISSING:  # which entry the edge feeds is not said
                found = net_02.Route(found.destination, True, found.name)
            routes.append(found)
    routes += [_route(stack, r, f"'{r.name}'") for r in stack.referrers(table, "routeTableId", t.ROUTE)]
    return net_02.RouteTable(table.name, tuple(routes), main)


def _main_tables(stack: StackView, subnet: Resource) -> list[net_02.RouteTable]:
    """The VPC's main route table, as the stack changes it, for a subnet without association."""
    vpcs = stack.sources(subnet, "vpcId", t.VPC)

    def same_vpc(resource: Resource, prop: str) -> bool:
        theirs = stack.sources(resource, prop, t.VPC)
        return not vpcs or not theirs or any(v in vpcs for v in theirs)

    mains = [m for m in stack.of_type(t.MAIN_ROUTE_TABLE_ASSOCIATION) if same_vpc(m, "vpcId")]
    tables: list[net_02.RouteTable] = []
    for main in mains:
        found = stack.sources(main, "routeTableId", *TABLES)
        tables += [_table(stack, table, main=True) for table in found] or [net_02.RouteTable(
            f"{main.name}.routeTableId", main=True, unreadable="not declared in this stack")]
    if not mains:
        tables += [_table(stack, d, main=True) for d in stack.of_type(t.DEFAULT_ROUTE_TABLE)
                   if same_vpc(d, "defaultRouteTableId")]
    added = [_route(stack, r, f"'{r.name}'") for vpc in vpcs for r in stack.referrers(vpc, "routeTableId", t.ROUTE)]
    if added:
        tables.append(net_02.RouteTable(f"{vpcs[0].name}.mainRouteTableId", tuple(added), main=True))
    return tables


def _subnet(stack: StackView, subnet: Resource) -> net_02.Subnet:
    associations = stack.referrers(subnet, "subnetId", t.ROUTE_TABLE_ASSOCIATION)
    tables: list[net_02.RouteTable] = []
    for association in associations:
        found = stack.sources(association, "routeTableId", *TABLES)
        tables += [_table(stack, table) for table in found] or [net_02.RouteTable(
            f"{association.name}.routeTableId", unreadable="not declared in this stack")]
    if not associations:
        tables = _main_tables(stack, subnet)
    return net_02.Subnet(subnet.name, subnet.lookup("mapPublicIpOnLaunch"), tuple(tables))


def _placement(stack: StackView, store: Resource) -> Any:
    """The store's placement: its subnets (via its subnet group) and how many it names that are not in the stack."""
    if store.type in SUBNETS_NAMED_BY:
        setting = SUBNETS_NAMED_BY[store.type]
        value = store.lookup(setting)
        subnets = stack.sources(store, setting.split(".")[0], t.SUBNET)
        if value is MISSING or (value == [] and not subnets):  # an empty list names no subnets either
            return MISSING
        return _resolved(stack, setting, value, subnets)
    setting = "dbSubnetGroupName" if store.type in DATABASES else "subnetGroupName"
    group_type = t.RDS_SUBNET_GROUP if store.type in DATABASES else t.ELASTICACHE_SUBNET_GROUP
    value = store.lookup(setting)
    if value is MISSING:
        return MISSING
    groups = stack.sources(store, setting, group_type) or stack.named("name", value, group_type)
    where = f"{setting} {describe(value)}" if not groups else f"{setting} '{groups[0].name}'"
    if not groups:
        return net_02.Placement(where, ())
    subnets = [s for g in groups for s in stack.sources(g, "subnetIds", t.SUBNET)]
    return _resolved(stack, where, groups[0].lookup("subnetIds"), subnets)


def _resolved(stack: StackView, where: str, declared: Any, subnets: list[Resource]) -> net_02.Placement:
    named = len(as_list(declared)) if declared is not UNKNOWN else len(subnets)
    facts = tuple(_subnet(stack, s) for s in subnets)
    return net_02.Placement(where, facts, max(0, named - len(subnets)) if subnets else 0)


@registry.stack("NET-02", "data-store-in-private-subnets",
                "Data stores, the processor and the RDS Proxy run in private subnets (no public IPs, no "
                "route to an internet gateway), and no instance of a database is publicly accessible.", DATA_STORES)
def data_store_in_private_subnets(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for store in stack.of_type(*DATA_STORES):
        exposures = [_exposure(store)] if store.type == t.RDS_INSTANCE else []
        if store.type == t.RDS_CLUSTER:
            members = stack.linked(store, store.lookup("clusterIdentifier"), "clusterIdentifier", t.RDS_CLUSTER_INSTANCE)
            exposures += [_exposure(i) for i in members]
        decided = net_02.decide(net_02.DataStore(store.label(), _placement(stack, store), tuple(exposures)))
        yield from stack_results(decided, store.urn)

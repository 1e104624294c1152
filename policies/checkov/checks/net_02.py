"""CKV_IOT_52 (NET-02): data stores (and the processor, and the RDS Proxy) are not publicly accessible and sit in
private subnets.

Facts from the plan: an instance's ``publicly_accessible`` (a cluster is judged with
every instance naming it), the subnets of the store's subnet group (or
``vpc_config``, or a proxy's ``vpc_subnet_ids``), each subnet's route table (its association's, else the VPC's main
table: an ``aws_main_route_table_association``'s, an ``aws_default_route_table``, or the
``aws_route`` resources added to the VPC's main table id) and those tables' routes.
The decision is ``controls.net_02``; checkov's CKV_AWS_17/130/... corroborate.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list
from plan_facts import count, fact, label, name_of
from plan_index import PlanIndex

from controls import net_02
from controls.values import MISSING, UNKNOWN
from controls.verdict import Verdict

CLUSTER, INSTANCE, DB_INSTANCE = "aws_rds_cluster", "aws_rds_cluster_instance", "aws_db_instance"
# store type -> (attribute naming its subnet group, the group's type); None: it names subnets itself
PLACED_BY = {
    CLUSTER: ("db_subnet_group_name", "aws_db_subnet_group"),
    DB_INSTANCE: ("db_subnet_group_name", "aws_db_subnet_group"),
    "aws_elasticache_replication_group": ("subnet_group_name", "aws_elasticache_subnet_group"),
    "aws_elasticache_serverless_cache": ("subnet_ids", None),
    "aws_lambda_function": ("vpc_config", None),
    "aws_db_proxy": ("vpc_subnet_ids", None),
}
TABLES = ("aws_route_table", "aws_default_route_table")
IGW = ("aws_internet_gateway",)


def _exposure(plan: PlanIndex, address: str) -> net_02.Exposure:
    return net_02.Exposure(label(address), fact(plan, address, "publicly_accessible"))


def _gateway(value: Any, from_igw: bool) -> Any:
    """Whether a route's target is an internet gateway: computed from one, or an ``igw-`` ID."""
    if from_igw or net_02.is_internet_gateway(value):
        return True
    return UNKNOWN if value is UNKNOWN else False


def _route(plan: PlanIndex, address: str) -> net_02.Route:
    values = plan.values(address)
    destination = next((values[k] for k in ("destination_cidr_block", "destination_ipv6_cidr_block",
                                            "destination_prefix_list_id") if values.get(k) is not None), MISSING)
    gateway = _gateway(fact(plan, address, "gateway_id"), bool(plan.references(address, "gateway_id", IGW)))
    return net_02.Route(destination, gateway, f"'{name_of(address)}'")


def _table(plan: PlanIndex, table: str, main: bool = False) -> net_02.RouteTable:
    inline_igw = bool(plan.references(table, "route", IGW))
    routes = [net_02.Route(entry.get("cidr_block") or entry.get("ipv6_cidr_block") or MISSING,
                           _gateway(entry.get("gateway_id"), inline_igw and "gateway_id" in entry), f"route[{index}]")
              for index, entry in enumerate(e for e in as_list(plan.values(table).get("route")) if isinstance(e, dict))]
    if inline_igw and not routes:
        routes.append(net_02.Route(UNKNOWN, True, "route"))
    routes += [_route(plan, r) for r in plan.referrers(table, "route_table_id", ("aws_route",))]
    return net_02.RouteTable(name_of(table), tuple(routes), main)


def _main_tables(plan: PlanIndex, subnet: str) -> list[net_02.RouteTable]:
    vpcs = plan.references(subnet, "vpc_id", ("aws_vpc",))

    def same_vpc(address: str, attribute: str) -> bool:
        theirs = plan.references(address, attribute, ("aws_vpc",))
        return not vpcs or not theirs or any(v in vpcs for v in theirs)

    mains = [m for m in plan.of_type("aws_main_route_table_association") if same_vpc(m, "vpc_id")]
    tables: list[net_02.RouteTable] = []
    for main in mains:
        tables += [_table(plan, t, main=True) for t in plan.references(main, "route_table_id", TABLES)] or [
            net_02.RouteTable(f"{name_of(main)}.route_table_id", main=True, unreadable="not declared in this plan")]
    if not mains:
        tables += [_table(plan, d, main=True) for d in plan.of_type("aws_default_route_table")
                   if same_vpc(d, "default_route_table_id")]
    added = [_route(plan, r) for vpc in vpcs for r in plan.referrers(vpc, "route_table_id", ("aws_route",))]
    if added:
        tables.append(net_02.RouteTable(f"{name_of(vpcs[0])}.main_route_table_id", tuple(added), main=True))
    return tables


def _subnet(plan: PlanIndex, subnet: str) -> net_02.Subnet:
    associations = plan.referrers(subnet, "subnet_id", ("aws_route_table_association",))
    tables: list[net_02.RouteTable] = []
    for association in associations:
        tables += [_table(plan, t) for t in plan.references(association, "route_table_id", TABLES)] or [
            net_02.RouteTable(f"{name_of(association)}.route_table_id", unreadable="not declared in this plan")]
    if not associations:
        tables = _main_tables(plan, subnet)
    return net_02.Subnet(name_of(subnet), fact(plan, subnet, "map_public_ip_on_launch"), tuple(tables))


def _placement(plan: PlanIndex, address: str) -> Any:
    attribute, group_type = PLACED_BY[plan.type_of(address)]
    value = fact(plan, address, attribute)
    if group_type is None:
        subnets = plan.references(address, attribute, ("aws_subnet",))
        listed = value.get("subnet_ids") if attribute == "vpc_config" and isinstance(value, dict) else value
        if listed is MISSING or listed is None or (not subnets and listed == []):
            return MISSING
        named = len(listed) if isinstance(listed, list) else len(subnets)
        return _resolved(plan, attribute, named, subnets)
    if value is MISSING:
        return MISSING
    groups = plan.references(address, attribute, (group_type,)) or [
        g for g in plan.of_type(group_type) if isinstance(value, str) and plan.values(g).get("name") == value]
    if not groups:
        return net_02.Placement(f"{attribute} {value!r}", ())
    subnets = plan.references(groups[0], "subnet_ids", ("aws_subnet",))
    return _resolved(plan, f"{attribute} '{name_of(groups[0])}'", count(plan, groups[0], "subnet_ids", subnets), subnets)


def _resolved(plan: PlanIndex, where: str, named: int, subnets: list[str]) -> net_02.Placement:
    return net_02.Placement(where, tuple(_subnet(plan, s) for s in subnets), max(0, named - len(subnets)) if subnets else 0)


class DataStoresPrivate(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="NET-02: data stores, the processor and the RDS Proxy sit in private subnets, not publicly reachable",
            id="CKV_IOT_52", categories=[CheckCategories.NETWORKING], supported_resources=(*PLACED_BY, INSTANCE),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        kind = plan.type_of(address)
        if kind == INSTANCE:
            return net_02.decide_exposure([_exposure(plan, address)])
        exposures = [_exposure(plan, address)] if kind == DB_INSTANCE else []
        if kind == CLUSTER:
            exposures += [_exposure(plan, i) for i in plan.referrers(address, "cluster_identifier", (INSTANCE,))]
        return net_02.decide(net_02.DataStore(label(address), _placement(plan, address), tuple(exposures)))


check = DataStoresPrivate()

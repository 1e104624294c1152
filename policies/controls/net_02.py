"""NET-02: data stores (and the processor, and the RDS Proxy in front of Aurora) are not publicly reachable and sit
in private subnets.

A data store is judged with what places it and what exposes it:

* its ``publiclyAccessible`` flags (an Aurora cluster's instances carry them; the
  cluster is judged with every instance of it): any true one fails;
* the subnets it is placed in (an RDS or ElastiCache subnet group, a function's
  ``vpcConfig``, an RDS Proxy's ``vpcSubnetIds``): none named fails (AWS then uses the default VPC, or for a function
  the Lambda service network, which reaches the internet); a subnet the layer cannot
  see fails (its privacy cannot be verified); each subnet must map no public IP on
  launch and reach no internet gateway.

A subnet's routes are those of its route table: the table associated with it, else
the VPC's main route table (AWS creates the main table with the local route only, so
a main table nobody changed is private). A route whose target is an internet gateway
(``igw-...``) makes the subnet public; a table the layer cannot read fails (it
cannot be verified). NAT gateways and egress-only gateways admit nothing from the
internet: NET-03 is the control about NAT.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "NET-02"
INTERNET_GATEWAY_PREFIX = "igw-"
USE_PRIVATE = "use the private subnets."
ASSOCIATE = "associate the subnet with the private route table."


@dataclass(frozen=True)
class Route:
    """One route: its destination and whether its target is an internet gateway (True, False or ``UNKNOWN``)."""

    destination: Any
    internet_gateway: Any
    name: str = ""


@dataclass(frozen=True)
class RouteTable:
    """The route table a subnet uses.

    ``main``: the subnet has no association, so it uses its VPC's main table.
    ``unreadable``: why the layer cannot read the table's routes ("" when it can).
    """

    name: str
    routes: tuple[Route, ...] = ()
    main: bool = False
    unreadable: str = ""


@dataclass(frozen=True)
class Subnet:
    name: str
    public_ip_on_launch: Any  # True/False, MISSING (AWS default: false) or UNKNOWN
    tables: tuple[RouteTable, ...] = ()


@dataclass(frozen=True)
class Placement:
    """Where a data store is placed: ``setting`` names it in messages; ``unresolved`` subnets the layer cannot see."""

    setting: str
    subnets: tuple[Subnet, ...]
    unresolved: int = 0


@dataclass(frozen=True)
class Exposure:
    """One ``publiclyAccessible`` flag: whose (the store itself, or one of its instances) and its value."""

    who: str
    public: Any


@dataclass(frozen=True)
class DataStore:
    label: str
    placement: Placement | Any  # MISSING: it names no subnets
    exposures: tuple[Exposure, ...] = ()


def decide(store: DataStore) -> Verdict:
    """The verdict on one data store: its exposure flags and its placement."""
    judgement = Judgement()
    judgement.absorb(decide_exposure(store.exposures))
    placement = store.placement
    if placement is MISSING:
        judgement.fail(f"{store.label} names no subnets, so AWS places it outside the private subnets (the default "
                       "VPC, or for a function the Lambda service network): put it in the private subnets (subnet "
                       "group or vpcConfig).", "subnets")
    elif placement is UNKNOWN:
        judgement.unknown("subnets")
    else:
        _judge_placement(judgement, store.label, placement)
    return judgement.verdict(f"{store.label} is not publicly accessible and sits in private subnets only")


def decide_exposure(exposures: Sequence[Exposure]) -> Verdict:
    """The verdict on ``publiclyAccessible`` flags alone (a database instance)."""
    judgement = Judgement()
    for exposure in exposures:
        if exposure.public is UNKNOWN:
            judgement.unknown("publiclyAccessible")
        elif truthy(exposure.public):
            judgement.fail(f"{exposure.who}: publiclyAccessible is true: set publiclyAccessible to false.",
                           "publiclyAccessible")
    return judgement.verdict("not publicly accessible")


def _judge_placement(judgement: Judgement, label: str, placement: Placement) -> None:
    if not placement.subnets:
        judgement.fail(f"{label}: {placement.setting} does not resolve to subnets this layer can see, so their "
                       "privacy cannot be verified: use the program's private subnets.", "subnets")
        return
    if placement.unresolved:
        judgement.fail(f"{label}: {placement.setting} includes subnets not declared in this stack, whose privacy "
                       "cannot be verified: use only the program's private subnets.", "subnets")
    for subnet in placement.subnets:
        where = f"{label} is in subnet '{subnet.name}'"
        if subnet.public_ip_on_launch is UNKNOWN:
            judgement.unknown(f"subnets.{subnet.name}.mapPublicIpOnLaunch")
        elif truthy(subnet.public_ip_on_launch):
            judgement.fail(f"{where}, which maps public IPs on launch: {USE_PRIVATE}",
                           f"subnets.{subnet.name}.mapPublicIpOnLaunch")
        for table in subnet.tables:
            _judge_table(judgement, where, subnet, table)


def _judge_table(judgement: Judgement, where: str, subnet: Subnet, table: RouteTable) -> None:
    path = f"subnets.{subnet.name}.routeTable"
    uses = (f"which has no route table association, so it uses the VPC's main route table '{table.name}', which"
            if table.main else f"whose route table '{table.name}'")
    if table.unreadable:
        judgement.fail(f"{where}, {uses} is {table.unreadable}, so its routes cannot be verified: {ASSOCIATE}", path)
        return
    for route in table.routes:
        if route.internet_gateway is UNKNOWN:
            judgement.unknown(f"{path}.routes", f"{where}: the target of route {route.name or describe(route.destination)} "
                                                "is not known until apply, so it cannot be judged yet")
        elif route.internet_gateway:
            via = f", route {route.name}" if route.name else ""
            judgement.fail(f"{where}, {uses} routes to an internet gateway ({describe(route.destination)}{via}): "
                           f"{ASSOCIATE if table.main else USE_PRIVATE}", f"{path}.routes")


def is_internet_gateway(target: Any) -> bool:
    """A route target that is an internet gateway by its ID (``igw-...``)."""
    return isinstance(target, str) and target.startswith(INTERNET_GATEWAY_PREFIX)

"""CKV_IOT_51 (NET-03): each VPC reaches AWS services through VPC endpoints and has no NAT gateway.

Facts from the plan: the ``aws_vpc_endpoint`` resources whose ``vpc_id`` references
the VPC, and the ``aws_nat_gateway`` resources in subnets of it. The decision is
``controls.net_03``; checkov has no built-in for it.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters
from plan_facts import fact, name_of
from plan_index import PlanIndex

from controls import net_03
from controls.verdict import Verdict


class VpcEndpointsNoNat(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="NET-03: each VPC has endpoints for the required AWS services and no NAT gateway",
            id="CKV_IOT_51", categories=[CheckCategories.NETWORKING], supported_resources=("aws_vpc",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        endpoints = [net_03.Endpoint(name_of(e), fact(plan, e, "service_name"))
                     for e in plan.referrers(address, "vpc_id", ("aws_vpc_endpoint",))]
        subnets = plan.referrers(address, "vpc_id", ("aws_subnet",))
        nats = [net_03.NatGateway(name_of(n)) for s in subnets
                for n in plan.referrers(s, "subnet_id", ("aws_nat_gateway",))]
        vpc = net_03.Vpc(name_of(address), tuple(endpoints), tuple(nats))
        return net_03.decide(vpc, parameters("NET-03")["requiredServices"])


check = VpcEndpointsNoNat()

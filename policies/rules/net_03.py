"""NET-03 in the pack: each VPC with the endpoints and NAT gateways in it (``controls.net_03``).

An endpoint belongs to the VPC its ``vpcId`` was computed from; a NAT gateway to the
VPC of the subnet its ``subnetId`` was computed from. A NAT gateway whose VPC is not
in the stack is reported on itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import net_03
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, stack_results

registry = Registry()


def _vpc_of_nat(stack: StackView, nat: Resource) -> list[Resource]:
    return [v for s in stack.sources(nat, "subnetId", t.SUBNET) for v in stack.sources(s, "vpcId", t.VPC)]


@registry.stack("NET-03", "vpc-endpoints-and-no-nat",
                "Each VPC reaches AWS services through VPC endpoints (S3, DynamoDB, Kinesis, Secrets Manager, KMS, "
                "Logs) and has no NAT gateway.", [t.VPC, t.NAT_GATEWAY], parameters=("requiredServices",))
def vpc_endpoints_and_no_nat(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    required = config["requiredServices"]
    nats = {nat.urn: _vpc_of_nat(stack, nat) for nat in stack.of_type(t.NAT_GATEWAY)}
    for vpc in stack.of_type(t.VPC):
        endpoints = [net_03.Endpoint(e.name, e.lookup("serviceName"))
                     for e in stack.referrers(vpc, "vpcId", t.VPC_ENDPOINT)]
        mine = [stack.by_urn[urn] for urn, vpcs in nats.items() if vpc in vpcs]
        facts = net_03.Vpc(vpc.name, tuple(endpoints), tuple(net_03.NatGateway(n.name) for n in mine))
        yield from stack_results(net_03.decide(facts, required), vpc.urn, {n.name: n.urn for n in mine})
    for urn, vpcs in nats.items():
        if not vpcs:
            nat = stack.by_urn[urn]
            orphan = net_03.Vpc("(not in this stack)", nat_gateways=(net_03.NatGateway(nat.name),))
            yield from stack_results(net_03.decide(orphan, []), nat.urn)

"""CKV_IOT_2 (NET-01): no security-group ingress from the whole internet, judged per group.

Facts from the plan: a group's inline ``ingress`` blocks and every
``aws_security_group_rule`` / ``aws_vpc_security_group_ingress_rule`` that names it;
a rule is judged with its group (it fails when it contributes to the world
opening), or alone when its group is not in the plan. The decision is
``controls.net_01``; checkov's CKV_AWS_24/25/260/277 stay as corroborating evidence.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list, parameters
from plan_index import REFERENCE, PlanIndex

from controls import net_01
from controls.values import UNKNOWN
from controls.verdict import Verdict

GROUPS = ("aws_security_group", "aws_default_security_group")
SG_RULE, INGRESS_RULE = "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"
NETWORKS = ("aws_vpc", "aws_subnet")


def _cidrs(plan: PlanIndex, address: str, values: dict[str, Any], attributes: tuple[str, ...]) -> tuple[Any, ...]:
    """The sources; a source computed from a VPC or subnet is that network's block, any other is unknown."""
    found: list[Any] = []
    for attribute in attributes:
        value = values.get(attribute) if values is not None else None
        if value is None and plan.value(address, attribute) is REFERENCE:
            sources = plan.references(address, attribute)
            if sources and all(plan.type_of(s) in NETWORKS for s in sources):
                key = "ipv6_cidr_block" if "ipv6" in attribute else "cidr_block"
                found += [plan.values(s).get(key, UNKNOWN) for s in sources]
            else:
                found.append(UNKNOWN)
        else:
            found += as_list(value)
    return tuple(found)


def _permissions(plan: PlanIndex, address: str) -> list[net_01.Permission]:
    kind, values = plan.type_of(address), plan.values(address)
    if kind in GROUPS:
        return [net_01.Permission(f"ingress[{i}]", block.get("protocol"), block.get("from_port"), block.get("to_port"),
                                  _cidrs(plan, address, block, ("cidr_blocks", "ipv6_cidr_blocks")))
                for i, block in enumerate(b for b in as_list(values.get("ingress")) if isinstance(b, dict))]
    part = f"rule '{address.split('.', 1)[1]}'"
    if kind == SG_RULE:
        if values.get("type") != "ingress":
            return []
        return [net_01.Permission(part, values.get("protocol"), values.get("from_port"), values.get("to_port"),
                                  _cidrs(plan, address, values, ("cidr_blocks", "ipv6_cidr_blocks")))]
    return [net_01.Permission(part, values.get("ip_protocol"), values.get("from_port"), values.get("to_port"),
                              _cidrs(plan, address, values, ("cidr_ipv4", "cidr_ipv6")))]


class NoWorldIngress(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="NET-01: no security-group ingress from 0.0.0.0/0 or ::/0, whole or split (inline or rules)",
            id="CKV_IOT_2", categories=[CheckCategories.NETWORKING], supported_resources=(*GROUPS, SG_RULE, INGRESS_RULE),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        allowed = parameters("NET-01").get("allowedCidrs", [])
        group = address if plan.type_of(address) in GROUPS else next(
            iter(plan.references(address, "security_group_id", GROUPS)), None)
        if group is None:
            return net_01.decide(_permissions(plan, address), allowed)
        rules = plan.referrers(group, "security_group_id", (SG_RULE, INGRESS_RULE))
        verdict = net_01.decide(_permissions(plan, group) + [p for r in rules for p in _permissions(plan, r)], allowed)
        if group == address or verdict.status != "fail":
            return verdict
        own = f"rule '{address.split('.', 1)[1]}'"
        mine = tuple(p for p in verdict.problems if own in p.parts)
        return Verdict("fail", problems=mine) if mine else net_01.decide(_permissions(plan, address), allowed)


check = NoWorldIngress()

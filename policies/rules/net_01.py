"""NET-01 in the pack: a security group's ingress, inline and from every rule naming it (``controls.net_01``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import net_01
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, stack_results
from rules.values import UNKNOWN, as_list, lookup

registry = Registry()

GROUPS = (t.SECURITY_GROUP, t.DEFAULT_SECURITY_GROUP)
RULES = (t.SECURITY_GROUP_RULE, t.SECURITY_GROUP_INGRESS_RULE)


def _inline_permissions(group: Resource) -> list[net_01.Permission]:
    ingress = group.lookup("ingress")
    if ingress is UNKNOWN:
        return [net_01.Permission("ingress", UNKNOWN, UNKNOWN, UNKNOWN, (UNKNOWN,))]
    return [_permission(f"ingress[{index}]", rule, "protocol", ("cidrBlocks", "ipv6CidrBlocks"))
            for index, rule in enumerate(as_list(ingress))]


def _rule_permissions(rule: Resource) -> list[net_01.Permission]:
    """A standalone rule's permission ([] for an egress SecurityGroupRule)."""
    part = f"rule '{rule.name}'"
    if rule.type == t.SECURITY_GROUP_INGRESS_RULE:
        return [_permission(part, rule.props, "ipProtocol", ("cidrIpv4", "cidrIpv6"))]
    kind = rule.lookup("type")
    if kind is UNKNOWN:
        return [net_01.Permission(part, UNKNOWN, UNKNOWN, UNKNOWN, (UNKNOWN,))]
    return [_permission(part, rule.props, "protocol", ("cidrBlocks", "ipv6CidrBlocks"))] if kind == "ingress" else []


def _permission(part: str, rule: Any, protocol: str, cidr_keys: tuple[str, ...]) -> net_01.Permission:
    if rule is UNKNOWN:
        return net_01.Permission(part, UNKNOWN, UNKNOWN, UNKNOWN, (UNKNOWN,))
    cidrs = [c for key in cidr_keys
             for c in ([UNKNOWN] if lookup(rule, key) is UNKNOWN else as_list(lookup(rule, key)))]
    return net_01.Permission(part, lookup(rule, protocol), lookup(rule, "fromPort"), lookup(rule, "toPort"),
                             tuple(cidrs))


@registry.stack("NET-01", "no-world-open-ingress",
                "No security-group ingress from 0.0.0.0/0 or ::/0 (inline, SecurityGroupRule or "
                "SecurityGroupIngressRule), judged per group.", [*GROUPS, *RULES], parameters=("allowedCidrs",))
def no_world_open_ingress(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    """Each group with every rule that names it; a rule whose group is not in the stack, alone.

    A VPC's default security group is judged like any other. A violation is reported on
    the group and on each rule that contributes to it.
    """
    allowed = config["allowedCidrs"]
    judged: set[str] = set()
    for group in stack.of_type(*GROUPS):
        rules = stack.referrers(group, "securityGroupId", *RULES)
        judged.update(rule.urn for rule in rules)
        permissions = _inline_permissions(group) + [p for rule in rules for p in _rule_permissions(rule)]
        yield from stack_results(net_01.decide(permissions, allowed), group.urn,
                                 {f"rule '{rule.name}'": rule.urn for rule in rules})
    for rule in stack.of_type(*RULES):
        if rule.urn not in judged:
            yield from stack_results(net_01.decide(_rule_permissions(rule), allowed), rule.urn)

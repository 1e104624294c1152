"""NET-04 in the pack: a data store with every ingress of every security group attached to it (``controls.net_04``).

A violation is reported on the data store and on the groups and rules that
admit the CIDR (as NET-01 does), so that a reviewer sees it where it is declared.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import net_04
from controls.values import UNKNOWN, as_list, lookup
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, stack_results

registry = Registry()

DATA_STORES = (t.RDS_CLUSTER, t.RDS_INSTANCE, t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_SERVERLESS)
GROUPS = (t.SECURITY_GROUP, t.DEFAULT_SECURITY_GROUP)
CIDRS = ("cidrBlocks", "ipv6CidrBlocks")


def _sources(values: Any, keys: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(s for key in keys
                 for s in ([UNKNOWN] if lookup(values, key) is UNKNOWN else as_list(lookup(values, key))))


def _guard(stack: StackView, group: Resource) -> tuple[net_04.Guard, dict[str, str]]:
    """The group's ingress facts, and part -> URN for the rules that declared them."""
    part = f"group '{group.name}'"
    inline = group.lookup("ingress")
    if inline is UNKNOWN:
        return net_04.Guard(group.name, UNKNOWN, group.type == t.DEFAULT_SECURITY_GROUP), {part: group.urn}
    ingress = [net_04.Ingress(f"{part} ingress[{i}]", _sources(rule, CIDRS), _sources(rule, ("prefixListIds",)))
               for i, rule in enumerate(as_list(inline))]
    urns = {part: group.urn}
    for rule in stack.referrers(group, "securityGroupId", t.SECURITY_GROUP_RULE):
        if rule.lookup("type") == "ingress":
            ingress.append(net_04.Ingress(f"rule '{rule.name}'", _sources(rule.props, CIDRS),
                                          _sources(rule.props, ("prefixListIds",))))
            urns[f"rule '{rule.name}'"] = rule.urn
    for rule in stack.referrers(group, "securityGroupId", t.SECURITY_GROUP_INGRESS_RULE):
        ingress.append(net_04.Ingress(f"rule '{rule.name}'", _sources(rule.props, ("cidrIpv4", "cidrIpv6")),
                                      _sources(rule.props, ("prefixListId",))))
        urns[f"rule '{rule.name}'"] = rule.urn
    return net_04.Guard(group.name, tuple(ingress), group.type == t.DEFAULT_SECURITY_GROUP), urns


@registry.stack("NET-04", "data-store-ingress-from-security-groups",
                "Data-store security groups admit traffic only from security groups, never from CIDR ranges.",
                [*DATA_STORES, *GROUPS, t.SECURITY_GROUP_RULE, t.SECURITY_GROUP_INGRESS_RULE])
def data_store_ingress_from_security_groups(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for store in stack.of_type(*DATA_STORES):
        setting = "vpcSecurityGroupIds" if store.type in (t.RDS_CLUSTER, t.RDS_INSTANCE) else "securityGroupIds"
        groups = stack.sources(store, setting, *GROUPS)
        raw = store.lookup(setting)
        named = len(as_list(raw)) if raw is not UNKNOWN else len(groups)
        guards, urns = [], {}
        for group in groups:
            guard, parts = _guard(stack, group)
            guards.append(guard)
            urns.update(parts)
        facts = net_04.DataStore(store.label(), setting, tuple(guards), max(0, named - len(groups)))
        yield from stack_results(net_04.decide(facts), store.urn, urns)

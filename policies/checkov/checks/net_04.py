"""CKV_IOT_3 (NET-04): a data store's security groups admit only from security groups, never from CIDR ranges.

Facts from the plan: the groups the store's ``vpc_security_group_ids`` /
``security_group_ids`` reference, each group's inline ``ingress`` and every
``aws_security_group_rule`` (ingress) / ``aws_vpc_security_group_ingress_rule`` naming
it. A group or rule is judged through the stores it guards (it fails when it
contributes the CIDR); one that guards no data store passes. The decision is
``controls.net_04``.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list
from plan_facts import count, label, name_of
from plan_index import REFERENCE, PlanIndex

from controls import net_04
from controls.values import UNKNOWN
from controls.verdict import FAIL, PASS, Verdict
from controls.verdict import UNKNOWN as UNKNOWN_STATUS

STORES = {"aws_rds_cluster": "vpc_security_group_ids", "aws_db_instance": "vpc_security_group_ids",
          "aws_elasticache_replication_group": "security_group_ids",
          "aws_elasticache_serverless_cache": "security_group_ids"}
GROUPS = ("aws_security_group", "aws_default_security_group")
SG_RULE, INGRESS_RULE = "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"


def _sources(plan: PlanIndex, address: str, values: dict[str, Any], attributes: tuple[str, ...]) -> tuple[Any, ...]:
    found: list[Any] = []
    for attribute in attributes:
        value = values.get(attribute)
        if value is None and plan.value(address, attribute) is REFERENCE:
            found.append(UNKNOWN)
        else:
            found += as_list(value)
    return tuple(found)


def _guard(plan: PlanIndex, group: str) -> net_04.Guard:
    part = f"group '{name_of(group)}'"
    ingress = [net_04.Ingress(f"{part} ingress[{i}]", _sources(plan, group, block, ("cidr_blocks", "ipv6_cidr_blocks")),
                              _sources(plan, group, block, ("prefix_list_ids",)))
               for i, block in enumerate(b for b in as_list(plan.values(group).get("ingress")) if isinstance(b, dict))]
    for rule in plan.referrers(group, "security_group_id", (SG_RULE,)):
        values = plan.values(rule)
        if values.get("type") == "ingress":
            ingress.append(net_04.Ingress(f"rule '{name_of(rule)}'",
                                          _sources(plan, rule, values, ("cidr_blocks", "ipv6_cidr_blocks")),
                                          _sources(plan, rule, values, ("prefix_list_ids",))))
    for rule in plan.referrers(group, "security_group_id", (INGRESS_RULE,)):
        values = plan.values(rule)
        ingress.append(net_04.Ingress(f"rule '{name_of(rule)}'", _sources(plan, rule, values, ("cidr_ipv4", "cidr_ipv6")),
                                      _sources(plan, rule, values, ("prefix_list_id",))))
    return net_04.Guard(name_of(group), tuple(ingress), plan.type_of(group) == "aws_default_security_group")


def _store_verdict(plan: PlanIndex, store: str) -> Verdict:
    attribute = STORES[plan.type_of(store)]
    groups = plan.references(store, attribute, GROUPS)
    facts = net_04.DataStore(label(store), attribute, tuple(_guard(plan, g) for g in groups),
                             max(0, count(plan, store, attribute, groups) - len(groups)))
    return net_04.decide(facts)


class DataStoreIngressFromGroups(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="NET-04: data-store security groups admit only from security groups, never from CIDR ranges",
            id="CKV_IOT_3", categories=[CheckCategories.NETWORKING],
            supported_resources=(*STORES, *GROUPS, SG_RULE, INGRESS_RULE),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        kind = plan.type_of(address)
        if kind in STORES:
            return _store_verdict(plan, address)
        group = address if kind in GROUPS else next(iter(plan.references(address, "security_group_id", GROUPS)), None)
        part = f"group '{name_of(group)}'" if kind in GROUPS else f"rule '{name_of(address)}'"
        stores = [s for s in plan.of_type(*STORES) if group and group in plan.references(s, STORES[plan.type_of(s)])]
        verdicts = [_store_verdict(plan, s) for s in stores]
        mine = tuple(p for v in verdicts for p in v.problems if part in p.parts)
        undecided = tuple(p for v in verdicts for p in v.undecided if part in p.parts)
        if mine or undecided:
            return Verdict(FAIL if mine else UNKNOWN_STATUS, problems=mine, undecided=undecided)
        return Verdict(PASS, "guards no data store" if not stores else "admits no CIDR to the data stores it guards")


check = DataStoreIngressFromGroups()

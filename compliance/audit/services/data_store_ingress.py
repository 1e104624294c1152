"""NET-04: a data store (Aurora cluster, Redis group) with the ingress of every security group guarding it.

The decision (``controls.net_04``) is reported on the data store and on each group
guarding one, so a group that admits a CIDR is named where it is. It reads RDS
and ElastiCache for the groups and EC2 for their ingress; it lives apart from
``ec2`` because those services import ``ec2`` for NET-02's subnet placement.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.aws import ApiError
from compliance.audit.common import pick, verdict_outcome
from compliance.audit.inventory import Resource, tag_dict
from compliance.audit.registry import CheckContext, Outcome, api_error_outcome, live_check
from compliance.audit.services.ec2 import all_security_groups, security_group_ref
from compliance.audit.services.elasticache import REPLICATION_GROUP, redis_member, replication_groups
from compliance.audit.services.rds import CLUSTER, clusters
from controls import net_04
from controls.verdict import FAIL, PASS, UNKNOWN, Verdict


def guard(group: dict[str, Any]) -> net_04.Guard:
    """A group's ingress as DescribeSecurityGroups gives it (AWS has merged inline and rule resources)."""
    ingress = tuple(net_04.Ingress(f"group '{group['GroupName']}' IpPermissions[{index}]",
                                   tuple([r.get("CidrIp") for r in p.get("IpRanges", [])]
                                         + [r.get("CidrIpv6") for r in p.get("Ipv6Ranges", [])]),
                                   tuple(r.get("PrefixListId") for r in p.get("PrefixListIds", [])))
                    for index, p in enumerate(group.get("IpPermissions", [])))
    return net_04.Guard(group["GroupName"], ingress, group["GroupName"] == "default")


def _store_groups(ctx: CheckContext) -> Iterator[tuple[Resource, str, str, list[str] | ApiError]]:
    """(data store, how messages name it, the field naming its groups, their ids or why they could not be read)."""
    for cluster in clusters(ctx.inventory, ctx.region):
        yield (cluster, f"cluster '{cluster.name}'", "VpcSecurityGroups",
               [g["VpcSecurityGroupId"] for g in cluster.data.get("VpcSecurityGroups", [])])
    for group in replication_groups(ctx.inventory, ctx.region):
        label = f"replication group '{group.name}'"
        try:
            member = redis_member(ctx, group)
        except ApiError as exc:
            yield group, label, "SecurityGroups", exc
            continue
        if member.get("SecurityGroups") is None:  # AWS always answers it for a cluster in a VPC; moto omits it
            yield group, label, "SecurityGroups", ApiError(
                "elasticache:DescribeCacheClusters", "unexpected",
                f"elasticache:DescribeCacheClusters gives no SecurityGroups for {member.get('CacheClusterId')}: "
                "cannot read the groups guarding the replication group")
            continue
        yield group, label, "SecurityGroups", [g["SecurityGroupId"] for g in member["SecurityGroups"]]


@live_check("NET-04", "net-04-data-store-ingress-from-groups", resource_type=CLUSTER, also=(REPLICATION_GROUP,))
def data_store_ingress(ctx: CheckContext):
    groups = all_security_groups(ctx.inventory, ctx.region)
    outcomes: list[Outcome] = []
    by_group: dict[str, list[Verdict]] = {}
    for store, label, setting, ids in _store_groups(ctx):
        if isinstance(ids, ApiError):
            outcomes.append(api_error_outcome(store.ref, ids, ctx.gaps, ctx.control))
            continue
        seen = [groups[i] for i in ids if i in groups]
        facts = net_04.DataStore(label, setting, tuple(guard(g) for g in seen), len(ids) - len(seen))
        decided = net_04.decide(facts)
        evidence = {"ec2:DescribeSecurityGroups": {g["GroupId"]: [
            {**pick(p, "IpProtocol", "FromPort", "ToPort"),
             "Sources": [r.get("CidrIp") for r in p.get("IpRanges", [])] + [r.get("CidrIpv6") for r in p.get(
                 "Ipv6Ranges", [])] + [r.get("PrefixListId") for r in p.get("PrefixListIds", [])]}
            for p in g.get("IpPermissions", [])] for g in seen}, setting: ids}
        outcomes.append(verdict_outcome(store, decided, evidence))
        for group in seen:
            by_group.setdefault(group["GroupId"], []).append(decided)
    for group_id, verdicts in sorted(by_group.items()):
        group = groups[group_id]
        part = guard(group).part
        mine = tuple(p for v in verdicts for p in v.problems if part in p.parts)
        undecided = tuple(p for v in verdicts for p in v.undecided if part in p.parts)
        status = FAIL if mine else UNKNOWN if undecided else PASS
        resource = Resource(security_group_ref(ctx.region, group), group, tag_dict(group.get("Tags")))
        evidence = {"ec2:DescribeSecurityGroups": {"GroupId": group_id, "IpPermissions": [
            pick(p, "IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges", "PrefixListIds")
            for p in group.get("IpPermissions", [])]}}
        outcomes.append(verdict_outcome(resource, Verdict(status, "admits only security groups to the data stores "
                                                          "it guards", mine, undecided), evidence))
    return outcomes


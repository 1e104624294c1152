"""NET-04: the security groups guarding the data stores (Aurora clusters, Redis groups) admit only groups.

It judges EC2 security groups but reads RDS and ElastiCache for the groups
that guard them; it lives apart from ``ec2`` because those services import
``ec2`` for NET-02's subnet placement.
"""

from __future__ import annotations

from compliance.audit.aws import ApiError
from compliance.audit.common import pick
from compliance.audit.registry import CheckContext, Outcome, api_error_outcome, live_check
from compliance.audit.services.ec2 import SECURITY_GROUP, all_security_groups, security_group_ref
from compliance.audit.services.elasticache import redis_member, replication_groups
from compliance.audit.services.rds import clusters


def data_store_groups(ctx: CheckContext) -> tuple[dict[str, list[str]], list[Outcome]]:
    """Security group id -> the in-scope data stores (Aurora clusters, Redis groups) it guards.

    Also the outcomes for data stores whose groups could not be read (a Redis
    group's security groups live on its member clusters).
    """
    guarded: dict[str, list[str]] = {}
    unreadable = []
    for cluster in clusters(ctx.inventory, ctx.region):
        for group in cluster.data.get("VpcSecurityGroups", []):
            guarded.setdefault(group["VpcSecurityGroupId"], []).append(cluster.name)
    for replication_group in replication_groups(ctx.inventory, ctx.region):
        try:
            member = redis_member(ctx, replication_group)
        except ApiError as exc:
            unreadable.append(api_error_outcome(replication_group.ref, exc, ctx.gaps))
            continue
        for group in member.get("SecurityGroups") or []:
            guarded.setdefault(group["SecurityGroupId"], []).append(replication_group.name)
    return guarded, unreadable


@live_check("NET-04", "net-04-data-store-ingress-from-groups", resource_type=SECURITY_GROUP)
def data_store_ingress(ctx: CheckContext):
    guarded, outcomes = data_store_groups(ctx)
    groups = all_security_groups(ctx.inventory, ctx.region)
    for group_id, stores in sorted(guarded.items()):
        group = groups.get(group_id)
        if group is None:
            continue
        ref = security_group_ref(ctx.region, group)
        by_cidr = [{**pick(p, "IpProtocol", "FromPort", "ToPort"),
                    "Sources": [r.get("CidrIp") for r in p.get("IpRanges", [])]
                    + [r.get("CidrIpv6") for r in p.get("Ipv6Ranges", [])]
                    + [r.get("PrefixListId") for r in p.get("PrefixListIds", [])]}
                   for p in group.get("IpPermissions", [])
                   if p.get("IpRanges") or p.get("Ipv6Ranges") or p.get("PrefixListIds")]
        evidence = {"ec2:DescribeSecurityGroups": {"GroupId": group_id, "Guards": stores, "CidrIngress": by_cidr}}
        if by_cidr:
            sources = sorted({s for rule in by_cidr for s in rule["Sources"] if s})
            outcomes.append(Outcome(ref, "fail", f"{ref.name} (guards {', '.join(stores)}): ingress from "
                                    f"{', '.join(sources)}: admit only the processor's security group", evidence))
        else:
            outcomes.append(Outcome(ref, "pass", f"{ref.name} (guards {', '.join(stores)}): ingress only from "
                                    "security groups", evidence))
    return outcomes

"""NET-04: the security groups of a data store admit traffic only from security groups, never from CIDR ranges.

A data store (Aurora cluster or instance, Redis replication group, serverless
cache) is judged with every security group attached to it and every ingress of
those groups, however declared (inline, ``SecurityGroupRule``,
``SecurityGroupIngressRule``, or ``IpPermissions`` as AWS merged them): an IPv4 or
IPv6 CIDR (private ones too) or a prefix list admits whatever holds an address in
it, so any one fails, on any port. A data store with no security group of its own
gets the VPC's default group, which anything in the VPC may share, and a group the
layer cannot see cannot be verified: all three fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import UNKNOWN, describe
from controls.verdict import Judgement, Verdict

CONTROL = "NET-04"
FIX = "admit only the processor's security group (sourceSecurityGroupId / referencedSecurityGroupId)."


@dataclass(frozen=True)
class Ingress:
    """One ingress permission: ``part`` names it (``rule 'x'``, ``group 'g' ingress[0]``); its address sources."""

    part: str
    cidrs: tuple[Any, ...] = ()  # IPv4 and IPv6 CIDRs; UNKNOWN entries when not known yet
    prefix_lists: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Guard:
    """A security group attached to the data store, with its ingress (``UNKNOWN`` when not known yet)."""

    name: str
    ingress: tuple[Ingress, ...] | Any = ()
    default: bool = False  # the VPC's default security group, which everything in the VPC may share

    @property
    def part(self) -> str:
        return f"group '{self.name}'"


@dataclass(frozen=True)
class DataStore:
    label: str
    setting: str  # the input or field naming its groups (vpcSecurityGroupIds, securityGroupIds, VpcSecurityGroups)
    guards: tuple[Guard, ...]
    unresolved: int = 0  # groups it names that the layer cannot see


def decide(store: DataStore) -> Verdict:
    judgement = Judgement()
    if not store.guards and not store.unresolved:
        judgement.fail(f"{store.label}: {store.setting} names no security group of its own (the VPC's default group "
                       "applies): attach the data store's own security group.", store.setting)
    elif store.unresolved:
        judgement.fail(f"{store.label}: {store.setting} includes security groups not declared in this stack, whose "
                       "ingress cannot be verified: attach only the data store's own security group.", store.setting)
    for guard in store.guards:
        if guard.default:
            judgement.fail(f"{store.label}: security group '{guard.name}' is the VPC's default group, which anything "
                           "in the VPC may use: attach the data store's own security group.", store.setting,
                           (guard.part,))
        if guard.ingress is UNKNOWN:
            judgement.unknown(f"{guard.part}.ingress", parts=(guard.part,))
            continue
        for ingress in guard.ingress:
            sources = [*ingress.cidrs, *ingress.prefix_lists]
            if any(s is UNKNOWN for s in sources):
                judgement.unknown(f"{guard.part}.{ingress.part}", parts=(guard.part, ingress.part))
            known = [s for s in sources if s is not UNKNOWN]
            if known:
                where = (f"security {ingress.part}" if ingress.part.startswith(guard.part)
                         else f"security group '{guard.name}': {ingress.part}")
                judgement.fail(f"{store.label}: {where} admits {', '.join(map(describe, known))}: {FIX}",
                               f"{guard.part}.{ingress.part}", (guard.part, ingress.part))
    return judgement.verdict(f"{store.label}: every security group admits only from security groups")

"""NET-01: no security-group ingress from the whole internet.

A security group is judged as a whole: its ingress permissions are one set,
whether declared inline, as ``SecurityGroupRule`` / ``SecurityGroupIngressRule``
resources, or read from ``DescribeSecurityGroups`` (where AWS has already merged
them). The group fails when any source admits every address of an address family:

* ``0.0.0.0/0`` or ``::/0`` in any spelling (``::0/0``, ``0:0:0:0:0:0:0:0/0``):
  CIDRs are compared as networks, never as strings;
* CIDRs that together cover a whole family on one port, even when declared in
  different permissions (``0.0.0.0/1`` in one rule, ``128.0.0.0/1`` in another);
* a source that is not a CIDR at all: what it opens cannot be verified.

Any port and protocol counts (``-1`` covers them all): nothing in the platform is
meant to be reachable from the internet. The ``allowedCidrs`` parameter lists
deliberate exceptions, matched as networks; a split world is allowed only when the
whole family's network is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, number
from controls.verdict import Judgement, Verdict

CONTROL = "NET-01"
ALL_PROTOCOLS = frozenset({"-1", "all"})
_PROTOCOL_NUMBERS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_WHOLE = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}
_LOWEST, _HIGHEST = 0, 65535
FIX = "replace it with the source security group or the VPC CIDR."

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Permission:
    """One ingress permission as a layer found it.

    ``part`` names it in messages and tells the adapter which declaration it came
    from (``"ingress[0]"``, ``"rule 'ssh'"``, ``"IpPermissions[1]"``). Ports and
    protocol may be ``MISSING`` or ``UNKNOWN``; ``cidrs`` holds strings or
    ``UNKNOWN`` entries.
    """

    part: str
    protocol: Any
    from_port: Any
    to_port: Any
    cidrs: tuple[Any, ...]


def decide(permissions: Sequence[Permission], allowed_cidrs: Iterable[str]) -> Verdict:
    """The verdict on one security group's ingress (or on a lone rule whose group is not known)."""
    permitted = {net for net in map(network, allowed_cidrs) if net is not None}
    judgement = Judgement()
    for permission in permissions:
        for index, cidr in enumerate(permission.cidrs):
            path = f"{permission.part}.cidrs[{index}]"
            if cidr is UNKNOWN:
                judgement.unknown(path, parts=(permission.part,))
                continue
            net = network(cidr)
            if net is None:
                judgement.fail(f"{permission.part} admits {describe(cidr)}, which is not a valid CIDR, so what it "
                               "opens cannot be verified: write it as address/prefix, e.g. the VPC CIDR.",
                               path, (permission.part,))
            elif net.prefixlen == 0 and net not in permitted:
                judgement.fail(f"{permission.part} admits {cidr} on {_ports(permission)}: {FIX}", path,
                               (permission.part,))
    for version, whole in _WHOLE.items():
        if whole not in permitted:
            for covering, where in _split_worlds(permissions, version):
                parts = tuple(dict.fromkeys(p.part for p, _ in covering))
                sources = " + ".join(f"{p.part} {cidr}" if len(parts) > 1 else str(cidr) for p, cidr in covering)
                owner = "" if len(parts) > 1 else f"{parts[0]} admits "
                judgement.fail(f"{owner}{sources} (together every IPv{version} address) on {where}: "
                               f"{FIX if len(parts) == 1 else 'replace them with the source security group or the VPC CIDR.'}",
                               f"{parts[0]}.cidrs", parts)
    return judgement.verdict("no ingress source admits every IPv4 or IPv6 address")


def network(cidr: Any) -> Network | None:
    """The CIDR as a network; None if it is not one (only strings: ``ip_network(0)`` would read 0.0.0.0/32)."""
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None


def _protocol(permission: Permission) -> str:
    raw = permission.protocol
    if raw is MISSING or raw is UNKNOWN:
        return "-1"  # unknown: it may be any protocol, so it may meet any other permission
    text = str(raw).strip().lower()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    return "-1" if text in ALL_PROTOCOLS else _PROTOCOL_NUMBERS.get(text, text)


def _range(permission: Permission) -> tuple[int, int]:
    """The ports the permission opens; every port where the protocol has none or they are unknown."""
    if _protocol(permission) not in ("tcp", "udp"):
        return _LOWEST, _HIGHEST
    low, high = number(permission.from_port), number(permission.to_port)
    if low is None or high is None or low < _LOWEST or high > _HIGHEST or low > high:
        return _LOWEST, _HIGHEST
    return int(low), int(high)


def _ports(permission: Permission) -> str:
    protocol = _protocol(permission)
    if protocol == "-1":
        return "every port (protocol -1)" if permission.protocol not in (MISSING, UNKNOWN) else "ports unknown"
    if protocol not in ("tcp", "udp"):
        return f"protocol {protocol}"
    return f"ports {describe(permission.from_port)}-{describe(permission.to_port)}"


def _split_worlds(permissions: Sequence[Permission], version: int) -> list[tuple[list[tuple[Permission, str]], str]]:
    """(the partial CIDRs that together cover the family on some port, where) for every such port range.

    Each protocol is swept over the boundaries of its permissions' port ranges
    (``-1`` meets every protocol); on each stretch of ports the sources of the
    permissions that open it are collapsed, and a collapse into the whole family's
    network is a world opened in pieces.
    """
    partial = [(p, cidr, net) for p in permissions for cidr in p.cidrs
               if (net := network(cidr)) is not None and net.version == version and net.prefixlen > 0]
    found: dict[tuple[tuple[str, str], ...], tuple[list[tuple[Permission, str]], str]] = {}
    protocols = {_protocol(p) for p, _, _ in partial} - {"-1"} or {"-1"}
    for protocol in sorted(protocols):
        relevant = [(p, c, n) for p, c, n in partial if _protocol(p) in (protocol, "-1")]
        bounds = sorted({b for p, _, _ in relevant for b in (_range(p)[0], _range(p)[1] + 1)})
        for start, end in zip(bounds, bounds[1:], strict=False):
            covering = [(p, c, n) for p, c, n in relevant if _range(p)[0] <= start and end - 1 <= _range(p)[1]]
            if covering and list(ipaddress.collapse_addresses(n for _, _, n in covering)) == [_WHOLE[version]]:
                key = tuple(sorted((p.part, c) for p, c, _ in covering))
                where = f"ports {start}-{end - 1}" if protocol in ("tcp", "udp") else (
                    "every port (protocol -1)" if protocol == "-1" else f"protocol {protocol}")
                found.setdefault(key, ([(p, c) for p, c, _ in covering], where))
    return list(found.values())

"""NET-03: each VPC reaches the required AWS services through VPC endpoints and has no NAT gateway.

Judged per VPC, never per stack or account: a VPC passes when it has an endpoint for
every service of the ``requiredServices`` parameter and no NAT gateway in any of its
subnets. An endpoint counts when it is declared or, live, ``available`` or
``pending`` (a rejected, failed or deleted endpoint carries no traffic); a NAT
gateway counts unless it is ``deleting``, ``deleted`` or ``failed``. Service names are
compared by their service part: ``com.amazonaws.<region>.kinesis-streams`` is
``kinesis-streams``. An endpoint whose service is not known yet leaves a missing
service undecided, never present.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from controls.values import UNKNOWN
from controls.verdict import Judgement, Verdict

CONTROL = "NET-03"
_SERVICE_NAME = re.compile(r"^(?:cn\.)?com\.amazonaws\.[a-z0-9-]+\.(?P<service>.+)$")
ENDPOINT_LIVE_STATES = frozenset({"available", "pending"})
NAT_GONE_STATES = frozenset({"deleting", "deleted", "failed"})


@dataclass(frozen=True)
class Endpoint:
    name: str
    service_name: Any  # com.amazonaws.<region>.<service>, or UNKNOWN
    state: str | None = None  # None where the layer declares rather than observes


@dataclass(frozen=True)
class NatGateway:
    name: str
    state: str | None = None


@dataclass(frozen=True)
class Vpc:
    name: str
    endpoints: tuple[Endpoint, ...] = ()
    nat_gateways: tuple[NatGateway, ...] = ()


def service_of(service_name: str) -> str:
    """The service an endpoint's service name names (``kinesis-streams``); the name itself if it is not AWS's form."""
    match = _SERVICE_NAME.match(service_name.strip().lower())
    return match.group("service") if match else service_name.strip().lower()


def decide(vpc: Vpc, required_services: Iterable[str]) -> Verdict:
    judgement = Judgement()
    present, undecided = set(), False
    for endpoint in vpc.endpoints:
        if endpoint.state is not None and endpoint.state.lower() not in ENDPOINT_LIVE_STATES:
            continue
        if endpoint.service_name is UNKNOWN:
            undecided = True
        elif isinstance(endpoint.service_name, str):
            present.add(service_of(endpoint.service_name))
    required = list(required_services)
    missing = [s for s in required if s.lower() not in present]
    if missing and undecided:
        judgement.unknown("endpoints.serviceName", f"VPC '{vpc.name}' lacks an endpoint for {', '.join(missing)} "
                                                   "unless an endpoint whose service is not known until apply is one")
    elif missing:
        judgement.fail(f"VPC '{vpc.name}' has no VPC endpoint for {', '.join(missing)}: add gateway endpoints for s3 "
                       "and dynamodb and interface endpoints (private DNS) for the others.", "endpoints")
    for nat in vpc.nat_gateways:
        if nat.state is None or nat.state.lower() not in NAT_GONE_STATES:
            judgement.fail(f"NAT gateway '{nat.name}' gives the private subnets of VPC '{vpc.name}' a path to the "
                           "internet: remove it and reach AWS services through VPC endpoints.", "natGateways",
                           (nat.name,))
    return judgement.verdict(f"VPC '{vpc.name}' has endpoints for {', '.join(required)} and no NAT gateway")

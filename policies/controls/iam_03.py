"""IAM-03: every IoT thing authenticates with an active X.509 certificate that carries a policy.

A thing passes when at least one certificate attached to it is ``ACTIVE`` and has an
IoT policy attached: that is a device that can connect, as itself, with what its
policy allows. A thing with no certificate cannot authenticate; one whose
certificates are all inactive (``INACTIVE``, ``REVOKED``, ``PENDING_TRANSFER`` ...)
or carry no policy is unusable or orphaned: both fail. A certificate the layer
cannot see (attached by a literal ARN from outside the stack) cannot be verified
and does not count. While a certificate that could make the thing pass is
undecided, the thing is undecided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import UNKNOWN, describe
from controls.verdict import PASS, Judgement, Verdict

CONTROL = "IAM-03"
ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class Certificate:
    """A certificate attached to the thing: its status (``ACTIVE``..., True/False for a flag, ``UNKNOWN``)
    and how many IoT policies are attached to it (``UNKNOWN`` when not known yet)."""

    name: str
    status: Any
    policies: Any


@dataclass(frozen=True)
class Thing:
    name: str
    certificates: tuple[Certificate, ...] = ()
    unresolved: int = 0  # principals attached that the layer cannot see


def _active(status: Any) -> Any:
    if status is UNKNOWN:
        return UNKNOWN
    if isinstance(status, bool):
        return status
    return isinstance(status, str) and status.upper() == ACTIVE


def decide(thing: Thing) -> Verdict:
    judgement = Judgement()
    label = f"thing '{thing.name}'"
    usable = undecided = False
    problems: list[tuple[str, str, str]] = []
    for certificate in thing.certificates:
        active = _active(certificate.status)
        if (active is UNKNOWN or certificate.policies is UNKNOWN) and active is not False \
                and certificate.policies != 0:
            undecided = True
        if active is False:
            shown = "" if isinstance(certificate.status, bool) else f" ({describe(certificate.status)})"
            problems.append((f"{label}: certificate '{certificate.name}' is not active{shown}: set active to true.",
                             f"certificates.{certificate.name}.active", certificate.name))
        if certificate.policies == 0:
            problems.append((f"{label}: certificate '{certificate.name}' has no IoT policy attached: add an "
                             "aws.iot.PolicyAttachment with the device policy.",
                             f"certificates.{certificate.name}.policies", certificate.name))
        usable = usable or (active is True and certificate.policies not in (0, UNKNOWN))
    if usable:
        return Verdict(PASS, f"{label} has an active certificate with an IoT policy")
    if undecided:
        judgement.unknown("certificates", f"{label}: whether an attached certificate is active and has a policy is "
                                          "not known until apply")
        return judgement.verdict("")
    if not thing.certificates:
        why = ("has only certificates not declared in this stack, which cannot be verified" if thing.unresolved
               else "has no certificate attached")
        judgement.fail(f"{label} {why}: create an aws.iot.Certificate and a ThingPrincipalAttachment for it.",
                       "certificates")
    for reason, path, part in problems:
        judgement.fail(reason, path, (part,))
    return judgement.verdict("")

"""IAM-03 in the pack: each thing with the certificates attached to it and their policy attachments (``controls.iam_03``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import iam_03
from controls.values import MISSING, UNKNOWN, truthy
from rules import types as t
from rules.model import StackView
from rules.registry import Registry, stack_results

registry = Registry()


@registry.stack("IAM-03", "iot-thing-has-active-certificate",
                "Every IoT thing has an active X.509 certificate attached, and the certificate has a policy.",
                [t.IOT_THING])
def iot_thing_has_active_certificate(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for thing in stack.of_type(t.IOT_THING):
        name = thing.lookup("name")
        attachments = stack.linked(thing, name if name is not MISSING else thing.name, "thing",
                                   t.IOT_THING_PRINCIPAL_ATTACHMENT)
        certificates, unresolved = [], 0
        for attachment in attachments:
            found = stack.sources(attachment, "principal", t.IOT_CERTIFICATE)
            unresolved += 0 if found else 1
            for certificate in found:
                policies = stack.referrers(certificate, "target", t.IOT_POLICY_ATTACHMENT)
                active = certificate.lookup("active")
                status = UNKNOWN if active is UNKNOWN else truthy(active)
                certificates.append(iam_03.Certificate(certificate.name, status, len(policies)))
        yield from stack_results(iam_03.decide(iam_03.Thing(thing.name, tuple(certificates), unresolved)), thing.urn)

"""CKV_IOT_19 (IAM-03): every IoT thing has an active certificate attached, and the certificate has a policy.

Facts from the plan: the ``aws_iot_thing_principal_attachment`` resources naming the
thing, the certificates they attach (``active``) and the
``aws_iot_policy_attachment`` resources targeting each certificate. The decision is
``controls.iam_03``; it replaces the graph check CKV_IOT_20 (attachments), which a
YAML check cannot decide with the rest.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from plan_facts import fact, name_of
from plan_index import PlanIndex

from controls import iam_03
from controls.values import UNKNOWN, truthy
from controls.verdict import Verdict

CERTIFICATE = "aws_iot_certificate"


class ThingHasActiveCertificate(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-03: IoT things have an active X.509 certificate attached, with an IoT policy",
            id="CKV_IOT_19", categories=[CheckCategories.IAM], supported_resources=("aws_iot_thing",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        name = plan.values(address).get("name")
        attachments = plan.referrers(address, "thing", ("aws_iot_thing_principal_attachment",))
        attachments += [a for a in plan.of_type("aws_iot_thing_principal_attachment")
                        if a not in attachments and name and plan.values(a).get("thing") == name]
        certificates, unresolved = [], 0
        for attachment in attachments:
            found = plan.references(attachment, "principal", (CERTIFICATE,))
            unresolved += 0 if found else 1
            for certificate in found:
                active = fact(plan, certificate, "active")
                policies = plan.referrers(certificate, "target", ("aws_iot_policy_attachment",))
                certificates.append(iam_03.Certificate(name_of(certificate),
                                                       UNKNOWN if active is UNKNOWN else truthy(active), len(policies)))
        return iam_03.decide(iam_03.Thing(name_of(address), tuple(certificates), unresolved))


check = ThingHasActiveCertificate()

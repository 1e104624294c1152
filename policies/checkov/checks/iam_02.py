"""CKV_IOT_5 (IAM-02): IoT policies let a device act only as its own thing; no wildcard actions.

Facts from the plan: the policy document. The decision is ``controls.iam_02``;
checkov has no ``aws_iot_*`` checks.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from plan_facts import fact
from plan_index import PlanIndex

from controls import iam_02
from controls.verdict import Verdict


class IotPolicyScopedToThing(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-02: IoT policies allow no wildcard actions and only resources scoped to the connecting thing",
            id="CKV_IOT_5", categories=[CheckCategories.IAM], supported_resources=("aws_iot_policy",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return iam_02.decide(fact(plan, address, "policy"))


check = IotPolicyScopedToThing()

"""CKV_IOT_10 (KMS-03): key policies grant no wildcard principal without a condition; deletion windows of 7-30 days.

Facts from the plan: each ``aws_kms_key``'s ``policy`` and
``deletion_window_in_days``, and every ``aws_kms_key_policy`` that references it
(also judged alone). The decision is ``controls.kms_03``; checkov's CKV_AWS_33 and
CKV2_AWS_64 stay as corroborating evidence.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters, planned
from plan_index import PlanIndex

from controls import kms_03
from controls.verdict import Verdict

KEY, KEY_POLICY = "aws_kms_key", "aws_kms_key_policy"


class KeyPolicyAndDeletionWindow(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="KMS-03: key policies grant no wildcard principal without a condition; deletion window 7-30 days",
            id="CKV_IOT_10", categories=[CheckCategories.ENCRYPTION], supported_resources=(KEY, KEY_POLICY),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        own = kms_03.KeyPolicy("policy", planned(plan, address, "policy"))
        if plan.type_of(address) == KEY_POLICY:
            return kms_03.decide_policies([own])
        attached = [kms_03.KeyPolicy(f"{KEY_POLICY} '{p.split('.', 1)[1]}' policy", planned(plan, p, "policy"))
                    for p in plan.referrers(address, "key_id", (KEY_POLICY,))]
        bounds = parameters("KMS-03")
        return kms_03.decide([own, *attached], planned(plan, address, "deletion_window_in_days"),
                             int(bounds["minDeletionWindowDays"]), int(bounds["maxDeletionWindowDays"]))


check = KeyPolicyAndDeletionWindow()

"""CKV_IOT_31 (KMS-01): customer-managed KMS keys rotate automatically; keys AWS cannot rotate are not applicable.

Facts from the plan: ``customer_master_key_spec``, ``custom_key_store_id`` and
``enable_key_rotation`` of each ``aws_kms_key``. The decision is
``controls.kms_01``; checkov's CKV_AWS_7 stays as corroborating evidence.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import planned
from plan_index import PlanIndex

from controls import kms_01
from controls.verdict import Verdict


class KeyRotation(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="KMS-01: customer-managed KMS keys rotate automatically (asymmetric and HMAC keys cannot)",
            id="CKV_IOT_31", categories=[CheckCategories.ENCRYPTION], supported_resources=("aws_kms_key",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return kms_01.decide(kms_01.Key(spec=planned(plan, address, "customer_master_key_spec"),
                                        rotation=planned(plan, address, "enable_key_rotation"),
                                        custom_key_store=planned(plan, address, "custom_key_store_id")))


check = KeyRotation()

"""CKV_IOT_27 (ENC-08): CloudTrail log files encrypt with a customer-managed KMS key.

Facts from the plan: the key ``kms_key_id`` names (``iot_checks_common.key_ref``).
The decision is ``controls.enc_08``; checkov's CKV_AWS_35 (a key is set) corroborates.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import key_ref
from plan_index import PlanIndex

from controls import enc_08
from controls.verdict import Verdict


class TrailCustomerManagedKey(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-08: CloudTrail log files encrypt with a customer-managed KMS key",
                         id="CKV_IOT_27", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=("aws_cloudtrail",))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return enc_08.decide(enc_08.Trail(key_ref(plan, address, "kms_key_id")))


check = TrailCustomerManagedKey()

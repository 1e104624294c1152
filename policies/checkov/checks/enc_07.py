"""CKV_IOT_26 (ENC-07): CloudWatch log groups encrypt with a customer-managed KMS key.

Facts from the plan: the key ``kms_key_id`` names (``iot_checks_common.key_ref``).
The decision is ``controls.enc_07``; checkov's CKV_AWS_158 (a key is set) corroborates.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import key_ref
from plan_index import PlanIndex

from controls import enc_07
from controls.verdict import Verdict


class LogGroupCustomerManagedKey(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-07: CloudWatch log groups encrypt with a customer-managed KMS key",
                         id="CKV_IOT_26", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=("aws_cloudwatch_log_group",))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return enc_07.decide(enc_07.LogGroup(key_ref(plan, address, "kms_key_id")))


check = LogGroupCustomerManagedKey()

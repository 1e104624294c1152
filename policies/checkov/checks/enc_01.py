"""CKV_IOT_21 (ENC-01): Kinesis streams encrypt with a customer-managed KMS key.

Facts from the plan: ``encryption_type`` and the key ``kms_key_id`` names
(``iot_checks_common.key_ref``: a key or alias of the plan is customer-managed).
The decision is ``controls.enc_01``; checkov's CKV_AWS_43 (encryption on) and
CKV_AWS_185 (a key is set) corroborate.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from enc_plan import setting
from iot_checks_common import key_ref
from plan_index import PlanIndex

from controls import enc_01
from controls.verdict import Verdict


class KinesisCustomerManagedKey(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-01: Kinesis streams encrypt with a customer-managed KMS key",
                         id="CKV_IOT_21", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=("aws_kinesis_stream",))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return enc_01.decide(enc_01.Stream(setting(plan, address, "encryption_type"),
                                           key_ref(plan, address, "kms_key_id")))


check = KinesisCustomerManagedKey()

"""CKV_IOT_22 (ENC-02): Aurora cluster storage is encrypted with a customer-managed KMS key.

Facts from the plan: ``storage_encrypted`` and the key ``kms_key_id`` names
(``iot_checks_common.key_ref``). The decision is ``controls.enc_02``; checkov's
CKV_AWS_96 (storage encrypted) and CKV_AWS_327 (a key is set) corroborate.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from enc_plan import setting
from iot_checks_common import key_ref
from plan_index import PlanIndex

from controls import enc_02
from controls.verdict import Verdict


class AuroraCustomerManagedKey(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-02: Aurora storage encrypted with a customer-managed KMS key",
                         id="CKV_IOT_22", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=("aws_rds_cluster",))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return enc_02.decide(enc_02.Cluster(setting(plan, address, "storage_encrypted"),
                                            key_ref(plan, address, "kms_key_id")))


check = AuroraCustomerManagedKey()

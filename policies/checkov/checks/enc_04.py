"""CKV_IOT_24 (ENC-04): secrets, and the master-password secret RDS manages, encrypt with a customer-managed key.

Facts from the plan: a secret's ``kms_key_id``; a database's
``manage_master_user_password`` and ``master_user_secret_kms_key_id``
(``iot_checks_common.key_ref``). The decision is ``controls.enc_04``; checkov's
CKV_AWS_149 (a secret names a key) corroborates.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from enc_plan import setting
from iot_checks_common import key_ref
from plan_index import PlanIndex

from controls import enc_04
from controls.verdict import Verdict

SECRET = "aws_secretsmanager_secret"
DATABASES = ("aws_rds_cluster", "aws_db_instance")


class SecretsCustomerManagedKey(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-04: secrets (and RDS-managed master secrets) encrypt with a customer-managed key",
                         id="CKV_IOT_24", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=(SECRET, *DATABASES))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        if plan.type_of(address) == SECRET:
            return enc_04.decide(enc_04.Secret(key_ref(plan, address, "kms_key_id")))
        return enc_04.decide(enc_04.ManagedMasterSecret(setting(plan, address, "manage_master_user_password"),
                                                        key_ref(plan, address, "master_user_secret_kms_key_id")))


check = SecretsCustomerManagedKey()

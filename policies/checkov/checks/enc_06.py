"""CKV_IOT_25 (ENC-06): DynamoDB tables encrypt with a customer-managed KMS key.

Facts from the plan: the ``server_side_encryption`` block (present, ``enabled``)
and the key its ``kms_key_arn`` names (``iot_checks_common.key_ref`` on the block,
whose references the plan records). The decision is ``controls.enc_06``;
checkov's CKV_AWS_119 (a key is set) corroborates.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from enc_plan import block, inner
from iot_checks_common import key_ref
from plan_index import PlanIndex

from controls import enc_06
from controls.verdict import Verdict


class DynamoDBCustomerManagedKey(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-06: DynamoDB tables encrypt with a customer-managed KMS key",
                         id="CKV_IOT_25", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=("aws_dynamodb_table",))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        sse = block(plan, address, "server_side_encryption")
        key = key_ref(plan, address, "server_side_encryption", inner(sse, "kms_key_arn"))
        return enc_06.decide(enc_06.Table(sse is not None, inner(sse, "enabled"), key))


check = DynamoDBCustomerManagedKey()

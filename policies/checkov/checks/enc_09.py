"""CKV_IOT_28 (ENC-09): Lambda environment variables and SQS queues encrypt with a customer-managed KMS key.

Facts from the plan: a function's ``environment.variables`` and ``kms_key_arn``; a
queue's ``kms_master_key_id`` and ``sqs_managed_sse_enabled``
(``iot_checks_common.key_ref``). The decision is ``controls.enc_09``; checkov's
CKV_AWS_173 (environment keyed), CKV_AWS_27 (queue encrypted) and CKV2_AWS_73
(queue on a KMS key) corroborate.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from enc_plan import block, inner, setting
from iot_checks_common import key_ref
from plan_index import PlanIndex

from controls import enc_09
from controls.verdict import Verdict

FUNCTION, QUEUE = "aws_lambda_function", "aws_sqs_queue"


class LambdaAndQueueCustomerManagedKey(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-09: Lambda environment variables and SQS queues use a customer-managed key",
                         id="CKV_IOT_28", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=(FUNCTION, QUEUE))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        if plan.type_of(address) == QUEUE:
            return enc_09.decide(enc_09.Queue(key_ref(plan, address, "kms_master_key_id"),
                                              setting(plan, address, "sqs_managed_sse_enabled")))
        variables = inner(block(plan, address, "environment"), "variables")
        return enc_09.decide(enc_09.Function(variables, key_ref(plan, address, "kms_key_arn")))


check = LambdaAndQueueCustomerManagedKey()

"""CKV_IOT_14 (DES-02): every resource stays destroyable by the pipeline that created it (``controls.des_02``).

The opposite of checkov's CKV_AWS_139 (deletion protection), which we skip: the
platform keeps data through backups, PITR and versioning, not blocked deletes.
"""

from __future__ import annotations

import re

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from plan_index import PlanIndex
from planned import fact

from controls import des_02
from controls.verdict import Verdict

KINDS = {
    "aws_rds_cluster": des_02.DATABASE, "aws_db_instance": des_02.DATABASE, "aws_dynamodb_table": des_02.TABLE,
    "aws_s3_bucket": des_02.BUCKET, "aws_cloudwatch_log_group": des_02.LOG_GROUP,
    "aws_lambda_function": des_02.FUNCTION,
}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


class Destroyable(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="DES-02: destroyable: no deletion protection, Aurora skips its final snapshot, buckets force-destroy",
            id="CKV_IOT_14", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=tuple(KINDS),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        kind = KINDS[plan.type_of(address)]
        settings = {req.setting: fact(plan, address, _CAMEL.sub("_", req.setting).lower())
                    for req in des_02.REQUIREMENTS[kind]}
        return des_02.decide(des_02.Resource(kind, settings))


check = Destroyable()

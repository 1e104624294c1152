"""CKV_IOT_41 (RET-02): DynamoDB tables have point-in-time recovery on (``controls.ret_02``); CKV_AWS_28 corroborates."""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from plan_index import PlanIndex
from planned import fact

from controls import ret_02
from controls.verdict import Verdict


class PointInTimeRecovery(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RET-02: DynamoDB tables have point-in-time recovery on",
            id="CKV_IOT_41", categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=("aws_dynamodb_table",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return ret_02.decide(ret_02.Recovery(fact(plan, address, "point_in_time_recovery.enabled")))


check = PointInTimeRecovery()

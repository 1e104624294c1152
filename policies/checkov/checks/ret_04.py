"""CKV_IOT_6 (RET-04): log groups keep events at least ``minDays``, never forever (``controls.ret_04``).

checkov's CKV_AWS_66 only asks that a retention be set; CKV_AWS_338 asks for a
year (skipped: see skips.yaml).
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters
from plan_index import PlanIndex
from planned import fact

from controls import ret_04
from controls.verdict import Verdict


class LogGroupRetention(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RET-04: CloudWatch log groups set a retention of at least minDays (30); never-expire is a violation",
            id="CKV_IOT_6", categories=[CheckCategories.LOGGING], supported_resources=("aws_cloudwatch_log_group",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        retention = ret_04.Retention(fact(plan, address, "retention_in_days"))
        return ret_04.decide(retention, int(parameters("RET-04")["minDays"]))


check = LogGroupRetention()

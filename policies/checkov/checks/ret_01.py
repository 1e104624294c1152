"""CKV_IOT_7 (RET-01): Aurora keeps automated backups at least ``minDays`` (``controls.ret_01``).

checkov's CKV_AWS_133 passes any retention from 1 to 35 days.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters
from plan_index import PlanIndex
from planned import fact

from controls import ret_01
from controls.verdict import Verdict


class AuroraBackupRetention(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RET-01: Aurora clusters keep backups for at least minDays (30)",
            id="CKV_IOT_7", categories=[CheckCategories.BACKUP_AND_RECOVERY], supported_resources=("aws_rds_cluster",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        backups = ret_01.Backups(fact(plan, address, "backup_retention_period"))
        return ret_01.decide(backups, int(parameters("RET-01")["minDays"]))


check = AuroraBackupRetention()

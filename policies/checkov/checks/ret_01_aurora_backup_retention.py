"""CKV_IOT_7 (RET-01): Aurora keeps automated backups at least RET-01's ``minDays`` (30).

checkov's CKV_AWS_133 passes any retention from 1 to 35 days.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import parameters, value


class AuroraBackupRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RET-01: Aurora clusters keep backups for at least minDays (30)",
            id="CKV_IOT_7", categories=[CheckCategories.BACKUP_AND_RECOVERY], supported_resources=("aws_rds_cluster",),
        )

    def scan_resource_conf(self, conf):
        minimum = int(parameters("RET-01")["minDays"])
        days = value(conf, "backup_retention_period", 1)  # the provider's default is 1 day
        if not isinstance(days, int | float) or days < minimum:
            self.details.append(f"backup_retention_period {days} < {minimum} days")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = AuroraBackupRetention()

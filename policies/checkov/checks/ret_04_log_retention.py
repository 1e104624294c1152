"""CKV_IOT_6 (RET-04): log groups keep logs at least RET-04's ``minDays``, never forever.

checkov's CKV_AWS_66 only asks that a retention be set; CKV_AWS_338 asks for a
year. Our control is ``minDays`` (30) or more, and 0 / absent (never expire) is
a violation too.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import parameters, value


class LogGroupRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RET-04: CloudWatch log groups set a retention of at least minDays (30); never-expire is a violation",
            id="CKV_IOT_6", categories=[CheckCategories.LOGGING], supported_resources=("aws_cloudwatch_log_group",),
        )

    def scan_resource_conf(self, conf):
        minimum = int(parameters("RET-04")["minDays"])
        days = value(conf, "retention_in_days", 0)
        if not isinstance(days, int | float) or days <= 0:
            self.details.append("no retention: the logs never expire")
            return CheckResult.FAILED
        if days < minimum:
            self.details.append(f"retention {days} days < {minimum}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = LogGroupRetention()

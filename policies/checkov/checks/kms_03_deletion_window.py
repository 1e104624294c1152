"""CKV_IOT_10 (KMS-03): KMS key deletion windows lie within KMS-03's bounds (7-30 days)."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import parameters, value


class KeyDeletionWindow(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="KMS-03: KMS keys set a deletion window between minDeletionWindowDays and maxDeletionWindowDays",
            id="CKV_IOT_10", categories=[CheckCategories.ENCRYPTION], supported_resources=("aws_kms_key",),
        )

    def scan_resource_conf(self, conf):
        bounds = parameters("KMS-03")
        low, high = int(bounds["minDeletionWindowDays"]), int(bounds["maxDeletionWindowDays"])
        days = value(conf, "deletion_window_in_days", 30)  # AWS's default is 30 days
        if not isinstance(days, int | float) or not low <= days <= high:
            self.details.append(f"deletion_window_in_days {days} outside {low}-{high}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = KeyDeletionWindow()

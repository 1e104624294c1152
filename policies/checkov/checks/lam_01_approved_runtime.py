"""CKV_IOT_15 (LAM-01): Lambda functions use a runtime from LAM-01's ``approvedRuntimes``."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import parameters, value


class ApprovedRuntime(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="LAM-01: Lambda functions use an approved runtime",
            id="CKV_IOT_15", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=("aws_lambda_function",),
        )

    def scan_resource_conf(self, conf):
        approved = parameters("LAM-01")["approvedRuntimes"]
        runtime = value(conf, "runtime")
        if runtime not in approved:
            self.details.append(f"runtime {runtime} is not one of {', '.join(approved)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ApprovedRuntime()

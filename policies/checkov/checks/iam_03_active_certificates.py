"""CKV_IOT_19 (IAM-03): IoT device certificates are active.

A device's identity is its X.509 certificate; an inactive one leaves the thing
unable to authenticate (or marks an orphan). CKV_IOT_20 checks the attachments.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import value


class ActiveCertificate(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-03: IoT certificates are active",
            id="CKV_IOT_19", categories=[CheckCategories.IAM], supported_resources=("aws_iot_certificate",),
        )

    def scan_resource_conf(self, conf):
        if value(conf, "active") is True:
            return CheckResult.PASSED
        self.details.append(f"active is {value(conf, 'active')}")
        return CheckResult.FAILED


check = ActiveCertificate()

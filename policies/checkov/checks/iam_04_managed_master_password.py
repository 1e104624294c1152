"""CKV_IOT_17 (IAM-04): Aurora's master credentials are kept and rotated by RDS in Secrets Manager.

``manage_master_user_password`` makes RDS create the secret and rotate it (every
7 days by default); an inline ``master_password`` is a static credential.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import value


class ManagedMasterPassword(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-04: Aurora master credentials are managed by RDS in Secrets Manager, not set inline",
            id="CKV_IOT_17", categories=[CheckCategories.SECRETS], supported_resources=("aws_rds_cluster",),
        )

    def scan_resource_conf(self, conf):
        if value(conf, "master_password"):
            self.details.append("master_password is set inline")
        if value(conf, "manage_master_user_password") is not True:
            self.details.append("manage_master_user_password is not true")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = ManagedMasterPassword()

"""CKV_IOT_14 (DES-02): every stack stays destroyable by the pipeline that created it.

The opposite of checkov's CKV_AWS_139 (deletion protection), which we skip: the
platform keeps data through backups, PITR and versioning, not blocked deletes.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import value

# type -> (attribute, the value a destroyable resource has, what its absence means)
RULES = {
    "aws_rds_cluster": (("deletion_protection", False, False), ("skip_final_snapshot", True, False)),
    "aws_dynamodb_table": (("deletion_protection_enabled", False, False),),
    "aws_s3_bucket": (("force_destroy", True, False),),
    "aws_cloudwatch_log_group": (("skip_destroy", False, False),),
    "aws_lambda_function": (("skip_destroy", False, False),),
}


class Destroyable(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="DES-02: destroyable: no deletion protection, Aurora skips its final snapshot, buckets force-destroy",
            id="CKV_IOT_14", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=tuple(RULES),
        )

    def scan_resource_conf(self, conf):
        for attribute, wanted, default in RULES[self.entity_type]:
            actual = value(conf, attribute, default)
            if actual is not wanted:
                self.details.append(f"{attribute} is {actual}, must be {wanted}")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = Destroyable()

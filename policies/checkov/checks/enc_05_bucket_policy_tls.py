"""CKV_IOT_16 (ENC-05): bucket policies deny requests that do not use TLS.

The statement: Effect Deny, Principal ``*``, Condition ``Bool aws:SecureTransport "false"``.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import as_list, value


def _denies_insecure_transport(statement: dict) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    if principal != "*" and not (isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))):
        return False
    condition = statement.get("Condition", {}).get("Bool", {})
    return str(condition.get("aws:SecureTransport", "")).lower() == "false"


class BucketPolicyDeniesInsecureTransport(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ENC-05: S3 bucket policies deny requests without TLS (aws:SecureTransport false)",
            id="CKV_IOT_16", categories=[CheckCategories.ENCRYPTION], supported_resources=("aws_s3_bucket_policy",),
        )

    def scan_resource_conf(self, conf):
        document = value(conf, "policy")
        statements = as_list(document.get("Statement")) if isinstance(document, dict) else []
        if any(isinstance(s, dict) and _denies_insecure_transport(s) for s in statements):
            return CheckResult.PASSED
        self.details.append("no Deny statement for aws:SecureTransport false")
        return CheckResult.FAILED


check = BucketPolicyDeniesInsecureTransport()

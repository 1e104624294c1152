"""CKV_IOT_16 (ENC-05): bucket policies deny requests that do not use TLS.

The statement: Effect Deny, Principal ``*``, Action ``s3:*`` (or ``*``), on the
bucket and its objects when the bucket's name is a literal, and a Condition of
``Bool aws:SecureTransport "false"`` alone: any other condition key narrows the
denial, leaving plain HTTP open to everyone it does not match.
"""

import fnmatch

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import as_list, is_reference, value


def _only_insecure_transport(condition) -> bool:
    if not isinstance(condition, dict) or not condition:
        return False
    for operator, keys in condition.items():
        if operator not in ("Bool", "BoolIfExists") or not isinstance(keys, dict) or set(keys) != {"aws:SecureTransport"}:
            return False
        if not any(str(v).lower() == "false" for v in as_list(keys["aws:SecureTransport"])):
            return False
    return True


def _covers_bucket(statement: dict, bucket) -> bool:
    """The bucket and its objects, when the bucket is named literally (a reference is resolved at apply)."""
    if not isinstance(bucket, str) or not bucket or is_reference(bucket):
        return True
    patterns = [r for r in as_list(statement.get("Resource")) if isinstance(r, str)]
    return all(any(fnmatch.fnmatchcase(target, p) for p in patterns)
               for target in (f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"))


def _denies_insecure_transport(statement: dict, bucket) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    principal = statement.get("Principal")
    if principal != "*" and not (isinstance(principal, dict) and "*" in as_list(principal.get("AWS"))):
        return False
    if not {"s3:*", "*"} & {str(a).lower() for a in as_list(statement.get("Action"))}:
        return False
    return _covers_bucket(statement, bucket) and _only_insecure_transport(statement.get("Condition"))


class BucketPolicyDeniesInsecureTransport(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ENC-05: S3 bucket policies deny requests without TLS (aws:SecureTransport false)",
            id="CKV_IOT_16", categories=[CheckCategories.ENCRYPTION], supported_resources=("aws_s3_bucket_policy",),
        )

    def scan_resource_conf(self, conf):
        document = value(conf, "policy")
        statements = as_list(document.get("Statement")) if isinstance(document, dict) else []
        bucket = value(conf, "bucket")
        if any(isinstance(s, dict) and _denies_insecure_transport(s, bucket) for s in statements):
            return CheckResult.PASSED
        self.details.append("no Deny of s3:* on the bucket and its objects for aws:SecureTransport false alone")
        return CheckResult.FAILED


check = BucketPolicyDeniesInsecureTransport()

"""CKV_IOT_18 (IAM-01): no IAM policy allows ``*`` or ``service:*`` actions on resource ``*``.

Exactly the control's rule: checkov's CKV_AWS_62/63 cover ``*`` actions, not
``s3:*`` on everything; CKV_AWS_355 also flags specific actions on ``*`` that
AWS offers no resource scoping for (Lambda's VPC network-interface actions).
"""

import json

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import as_list, blocks, value


def _documents(conf):
    documents = [value(conf, "policy")]
    documents += [value(block, "policy") for block in blocks(conf, "inline_policy")]
    for document in documents:
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                continue
        if isinstance(document, dict):
            yield document


def _is_wildcard_action(action) -> bool:
    return action == "*" or (isinstance(action, str) and action.endswith(":*"))


class NoWildcardGrants(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-01: no IAM policy allows * or service:* actions on resource *",
            id="CKV_IOT_18", categories=[CheckCategories.IAM],
            supported_resources=("aws_iam_policy", "aws_iam_role_policy", "aws_iam_role", "aws_iam_user_policy",
                                 "aws_iam_group_policy"),
        )

    def scan_resource_conf(self, conf):
        for document in _documents(conf):
            for statement in as_list(document.get("Statement")):
                if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                    continue
                if "*" not in as_list(statement.get("Resource")):
                    continue
                wildcards = [a for a in as_list(statement.get("Action")) if _is_wildcard_action(a)]
                if wildcards or statement.get("NotAction"):
                    granted = ", ".join(wildcards) or "NotAction"
                    self.details.append(f"{statement.get('Sid', 'statement')}: allows {granted} on *")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = NoWildcardGrants()

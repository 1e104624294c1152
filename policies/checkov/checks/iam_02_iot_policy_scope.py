"""CKV_IOT_5 (IAM-02): IoT policies grant no wildcard actions and are scoped to the connecting thing.

checkov has no ``aws_iot_*`` checks. An allowed action ``*`` or ``iot:*``, or an
allowed resource that does not name ``${iot:Connection.Thing.ThingName}``, lets
one stolen certificate act for the whole fleet.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import as_list, value

THING_SCOPE = "${iot:Connection.Thing.ThingName}"
WILDCARD_ACTIONS = frozenset({"*", "iot:*"})


class IotPolicyScopedToThing(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-02: IoT policies allow no iot:* or * actions and only resources scoped to the connecting thing",
            id="CKV_IOT_5", categories=[CheckCategories.IAM], supported_resources=("aws_iot_policy",),
        )

    def scan_resource_conf(self, conf):
        document = value(conf, "policy")
        if not isinstance(document, dict):
            self.details.append("the policy document is missing or not JSON")
            return CheckResult.FAILED
        for statement in as_list(document.get("Statement")):
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            sid = statement.get("Sid", "statement")
            for action in as_list(statement.get("Action")):
                if action in WILDCARD_ACTIONS:
                    self.details.append(f"{sid}: allows action {action}")
            if statement.get("NotAction") or statement.get("NotResource"):
                self.details.append(f"{sid}: NotAction/NotResource grants everything else")
            for resource in as_list(statement.get("Resource")):
                if resource == "*" or THING_SCOPE not in str(resource):
                    self.details.append(f"{sid}: resource {resource} is not scoped to {THING_SCOPE}")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = IotPolicyScopedToThing()

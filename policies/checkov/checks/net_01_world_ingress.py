"""CKV_IOT_2 (NET-01): no security-group ingress from 0.0.0.0/0 or ::/0 on any port.

Nothing in the platform is meant to be reachable from the internet; NET-01's
``allowedCidrs`` parameter lists deliberate exceptions.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import INGRESS_RESOURCES, ingress_rules, parameters


class NoWorldIngress(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="NET-01: no security-group ingress from 0.0.0.0/0 or ::/0 (inline, SecurityGroupRule or IngressRule)",
            id="CKV_IOT_2", categories=[CheckCategories.NETWORKING], supported_resources=INGRESS_RESOURCES,
        )

    def scan_resource_conf(self, conf):
        allowed = parameters("NET-01").get("allowedCidrs", [])
        for rule in ingress_rules(self.entity_type, conf):
            world = rule.world_cidrs(allowed)
            if world:
                self.details.append(f"ports {rule.from_port}-{rule.to_port}/{rule.protocol} open to {', '.join(world)}")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = NoWorldIngress()

"""CKV_IOT_3 (NET-04): ingress to the database and cache ports comes from security groups only.

A source security group ties access to the processor's identity; a CIDR range,
even a private one, admits whatever holds an address in it.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import DATA_STORE_PORTS, INGRESS_RESOURCES, ingress_rules


class DataStoreIngressFromGroupsOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="NET-04: ingress to database and cache ports (5432, 6379) only from security groups, never CIDR ranges",
            id="CKV_IOT_3", categories=[CheckCategories.NETWORKING], supported_resources=INGRESS_RESOURCES,
        )

    def scan_resource_conf(self, conf):
        for rule in ingress_rules(self.entity_type, conf):
            for port, service in DATA_STORE_PORTS.items():
                if rule.cidrs and rule.covers(port):
                    self.details.append(f"{service} port {port} admits CIDR ranges {', '.join(rule.cidrs)}")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = DataStoreIngressFromGroupsOnly()

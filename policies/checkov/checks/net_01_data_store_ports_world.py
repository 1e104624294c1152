"""CKV_IOT_1 (NET-01): the database and cache ports (5432, 6379) are not open to the world.

checkov's own security-group checks cover ports 22, 3389, 80 and all ports; a
world-open 5432 or 6379 passes them all.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import DATA_STORE_PORTS, INGRESS_RESOURCES, ingress_rules, parameters


class DataStorePortsNotWorldOpen(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="NET-01: database and cache ports (5432, 6379) are not open to 0.0.0.0/0 or ::/0",
            id="CKV_IOT_1", categories=[CheckCategories.NETWORKING], supported_resources=INGRESS_RESOURCES,
        )

    def scan_resource_conf(self, conf):
        allowed = parameters("NET-01").get("allowedCidrs", [])
        for rule in ingress_rules(self.entity_type, conf):
            for port, service in DATA_STORE_PORTS.items():
                world = rule.world_cidrs(allowed)
                if world and rule.covers(port):
                    self.details.append(f"{service} port {port} open to {', '.join(world)}")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = DataStorePortsNotWorldOpen()

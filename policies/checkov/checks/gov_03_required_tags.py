"""CKV_IOT_13 (GOV-03): taggable resources carry GOV-03's ``requiredTags``."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import TAGGABLE_TYPES, parameters, value


class RequiredTags(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="GOV-03: taggable resources carry the tags Environment, Project, Owner and DataClassification",
            id="CKV_IOT_13", categories=[CheckCategories.CONVENTION], supported_resources=TAGGABLE_TYPES,
        )

    def scan_resource_conf(self, conf):
        tags = value(conf, "tags", {})
        tags = tags if isinstance(tags, dict) else {}
        missing = [tag for tag in parameters("GOV-03")["requiredTags"] if not tags.get(tag)]
        if missing:
            self.details.append(f"missing tags: {', '.join(missing)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RequiredTags()

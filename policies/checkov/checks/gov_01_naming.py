"""CKV_IOT_4 (GOV-01): physical names follow ``{type}-{purpose}-{suffix}`` with the stack's suffix.

The suffix comes from the environment variable ``IOT_ENVIRONMENT_SUFFIX``, which
``compliance scan`` sets from the graph's ``environmentSuffix`` config. Paths
(log groups ``/aws/<service>/<name>``, KMS aliases ``alias/<name>``) are judged by
their last segment; IoT topic rules join the same parts with underscores.
"""

import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from iot_checks_common import (
    PHYSICAL_NAME_ATTRIBUTES,
    SUFFIX_ENV,
    UNDERSCORED_NAME_TYPES,
    environment_suffix,
    is_reference,
    value,
)


def follows_convention(name: str, suffix: str, underscored: bool = False) -> bool:
    separator = "_" if underscored else "-"
    word = "[a-z0-9]+"
    pattern = f"{word}{separator}{word}(?:{separator}{word})*{separator}{re.escape(suffix.replace('-', separator))}"
    return re.fullmatch(pattern, name) is not None


class PhysicalNameConvention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="GOV-01: physical names follow {type}-{purpose}-{suffix} with the stack's environment suffix",
            id="CKV_IOT_4", categories=[CheckCategories.CONVENTION],
            supported_resources=tuple(PHYSICAL_NAME_ATTRIBUTES),
        )

    def scan_resource_conf(self, conf):
        suffix = environment_suffix()
        if not suffix:
            self.details.append(f"the stack's suffix is unknown: set {SUFFIX_ENV}")
            return CheckResult.FAILED
        attribute = PHYSICAL_NAME_ATTRIBUTES[self.entity_type]
        name = value(conf, attribute)
        if not isinstance(name, str) or not name:
            self.details.append(f"no {attribute}: an auto-generated name does not follow the convention")
            return CheckResult.FAILED
        if is_reference(name):
            self.details.append(f"{attribute} is derived from another resource ({name}); it cannot be judged")
            return CheckResult.FAILED
        last_segment = name.rstrip("/").rsplit("/", 1)[-1]
        if follows_convention(last_segment, suffix, self.entity_type in UNDERSCORED_NAME_TYPES):
            return CheckResult.PASSED
        self.details.append(f"{attribute} {name!r} is not {{type}}-{{purpose}}-{suffix}")
        return CheckResult.FAILED


check = PhysicalNameConvention()

"""GOV-01 / GOV-03: the one place that builds physical names and common tags.

Every physical name is ``{type}-{purpose}-{suffix}`` (``kinesis-telemetry-dev``),
so that several stacks share an account and audits find a stack's resources by
its suffix. Where AWS forbids hyphens (IoT topic rule names) the same parts are
joined with underscores; where AWS wants a path (log groups, KMS aliases) the
name is the path's last segment. Every taggable resource gets ``tags()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from config import PROJECT, PlatformConfig

_PART = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Naming:
    suffix: str
    owner: str
    data_classification: str

    @classmethod
    def from_config(cls, config: PlatformConfig) -> Naming:
        return cls(config.environment_suffix, config.owner, config.data_classification)

    def name(self, type_: str, purpose: str) -> str:
        """``{type}-{purpose}-{suffix}``; purpose may hold hyphens, underscores become hyphens."""
        purpose = purpose.replace("_", "-")
        for part in (type_, purpose):
            if not _PART.match(part):
                raise ValueError(f"naming: {part!r} is not lowercase words joined by hyphens")
        return f"{type_}-{purpose}-{self.suffix}"

    def underscored(self, type_: str, purpose: str) -> str:
        """The same name for resources whose names allow no hyphens (IoT topic rules)."""
        return self.name(type_, purpose).replace("-", "_")

    def log_group(self, service: str, type_: str, purpose: str) -> str:
        """``/aws/<service>/{type}-{purpose}-{suffix}`` (Lambda requires /aws/lambda/<function name>)."""
        return f"/aws/{service}/{self.name(type_, purpose)}"

    def alias(self, service: str) -> str:
        return f"alias/{self.name('kms', service)}"

    def tags(self, name: str | None = None) -> dict[str, str]:
        """The required tags (GOV-03), plus ``Name`` where the resource has no name of its own."""
        tags = {
            "Environment": self.suffix,
            "Project": PROJECT,
            "Owner": self.owner,
            "DataClassification": self.data_classification,
        }
        if name is not None:
            tags["Name"] = name
        return tags

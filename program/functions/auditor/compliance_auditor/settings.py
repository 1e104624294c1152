"""The auditor's settings, read once at cold start from the function's environment.

A missing or invalid variable raises ``ConfigError`` naming it: the function
fails to initialise rather than audit the wrong stack or write nowhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from compliance.audit.scope import SUFFIX_PATTERN


class ConfigError(ValueError):
    """A setting the auditor cannot run with; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    suffix: str  # the stack's environmentSuffix: what the auditor audits
    region: str
    evidence_bucket: str  # where the scheduled audit's reports go (S3 Object Lock)
    report_prefix: str
    service_name: str
    metrics_namespace: str
    log_level: str
    max_attempts: int


def load_settings(environ: Mapping[str, str]) -> Settings:
    def required(name: str) -> str:
        value = environ.get(name, "").strip()
        if not value:
            raise ConfigError(f"{name} is not set: the auditor's component sets it")
        return value

    suffix = required("AUDIT_SUFFIX")
    if not SUFFIX_PATTERN.match(suffix):
        raise ConfigError(f"AUDIT_SUFFIX {suffix!r}: expected the stack's environmentSuffix")
    attempts = environ.get("AUDIT_MAX_ATTEMPTS", "3")
    if not attempts.isdigit() or not 1 <= int(attempts) <= 10:
        raise ConfigError(f"AUDIT_MAX_ATTEMPTS {attempts!r}: expected a whole number from 1 to 10")
    return Settings(
        suffix=suffix,
        region=required("AWS_REGION"),
        evidence_bucket=required("EVIDENCE_BUCKET"),
        report_prefix=environ.get("REPORT_PREFIX", "reports").strip("/") or "reports",
        service_name=environ.get("POWERTOOLS_SERVICE_NAME", "compliance-auditor"),
        metrics_namespace=environ.get("POWERTOOLS_METRICS_NAMESPACE", "IotPlatform/Compliance"),
        log_level=environ.get("LOG_LEVEL", "INFO"),
        max_attempts=int(attempts),
    )

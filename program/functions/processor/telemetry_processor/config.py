"""The processor's settings, read once from environment variables at cold start.

The Pulumi program sets these variables on the function. Anything missing or
malformed raises ConfigError with one line that names the variable, so a
misconfigured deployment fails at init instead of mid-batch.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

METRIC_NAMES = ("temperature_c", "pressure_kpa", "vibration_mm_s", "production_count")


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable and the fix."""


@dataclass(frozen=True, slots=True)
class MetricLimits:
    """Operating limits of one metric: a reading outside [minimum, maximum] is an anomaly."""

    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True, slots=True)
class Settings:
    devices_table: str
    idempotency_table: str
    archive_bucket: str
    archive_kms_key_arn: str
    dlq_url: str
    redis_host: str
    redis_port: int
    redis_auth_secret_arn: str
    redis_tls: bool
    database_host: str
    database_port: int
    database_name: str
    database_user: str
    database_ca_bundle: str | None  # None: Amazon's root CAs (what RDS Proxy presents)
    metric_limits: dict[str, MetricLimits]
    zscore_threshold: float
    baseline_min_samples: int
    baseline_alpha: float
    max_future_skew_seconds: int
    service_name: str
    metrics_namespace: str
    log_level: str


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad variable."""
    env = _Env(environ)
    return Settings(
        devices_table=env.text("DEVICES_TABLE"),
        idempotency_table=env.text("IDEMPOTENCY_TABLE"),
        archive_bucket=env.text("ARCHIVE_BUCKET"),
        archive_kms_key_arn=env.arn("ARCHIVE_KMS_KEY_ARN", service="kms"),
        dlq_url=env.url("DLQ_URL"),
        redis_host=env.text("REDIS_HOST"),
        redis_port=env.integer("REDIS_PORT", minimum=1, maximum=65535),
        redis_auth_secret_arn=env.arn("REDIS_AUTH_SECRET_ARN", service="secretsmanager"),
        redis_tls=env.boolean("REDIS_TLS", default="true"),
        database_host=env.text("DATABASE_HOST"),
        database_port=env.integer("DATABASE_PORT", minimum=1, maximum=65535, default="5432"),
        database_name=env.text("DATABASE_NAME"),
        database_user=env.text("DATABASE_USER"),
        database_ca_bundle=env.optional_file("DATABASE_CA_BUNDLE"),
        metric_limits=env.metric_limits("METRIC_LIMITS"),
        zscore_threshold=env.number("ZSCORE_THRESHOLD", minimum=0.0, exclusive=True),
        baseline_min_samples=env.integer("BASELINE_MIN_SAMPLES", minimum=1),
        baseline_alpha=env.number("BASELINE_ALPHA", minimum=0.0, maximum=1.0, exclusive=True, default="0.1"),
        max_future_skew_seconds=env.integer("MAX_FUTURE_SKEW_SECONDS", minimum=0),
        service_name=env.text("POWERTOOLS_SERVICE_NAME"),
        metrics_namespace=env.text("POWERTOOLS_METRICS_NAMESPACE"),
        log_level=env.log_level("LOG_LEVEL"),
    )


class _Env:
    """Typed accessors over the environment; each raises ConfigError naming its variable."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def text(self, name: str, default: str | None = None) -> str:
        value = self._environ.get(name, default)
        if value is None or not value.strip():
            raise ConfigError(f"{name} is not set: the Pulumi program must set it on the processor function")
        return value.strip()

    def integer(self, name: str, minimum: int, maximum: int | None = None, default: str | None = None) -> int:
        raw = self.text(name, default)
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not an integer") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and <= {maximum}" if maximum is not None else ""
            raise ConfigError(f"{name}={value} is out of range: it must be >= {minimum}{upper}")
        return value

    def number(
        self,
        name: str,
        minimum: float,
        maximum: float | None = None,
        exclusive: bool = False,
        default: str | None = None,
    ) -> float:
        raw = self.text(name, default)
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a number") from None
        below = value <= minimum if exclusive else value < minimum
        above = maximum is not None and (value >= maximum if exclusive else value > maximum)
        if below or above or not math.isfinite(value):
            bound = "between" if maximum is not None else "above"
            limits = f"{minimum} and {maximum}" if maximum is not None else f"{minimum}"
            raise ConfigError(f"{name}={raw!r} is out of range: it must be {bound} {limits}")
        return value

    def boolean(self, name: str, default: str) -> bool:
        raw = self.text(name, default).lower()
        if raw not in ("true", "false"):
            raise ConfigError(f"{name}={raw!r} must be 'true' or 'false'")
        return raw == "true"

    def arn(self, name: str, service: str) -> str:
        value = self.text(name)
        parts = value.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != service or not parts[5]:
            raise ConfigError(f"{name}={value!r} is not an arn:<partition>:{service}:... ARN")
        return value

    def optional_file(self, name: str) -> str | None:
        value = self._environ.get(name, "").strip()
        if value and not os.path.isfile(value):
            raise ConfigError(f"{name}={value!r} is not a readable file: point it at a PEM CA bundle or unset it")
        return value or None

    def url(self, name: str) -> str:
        value = self.text(name)
        if not value.startswith(("https://", "http://")):
            raise ConfigError(f"{name}={value!r} is not a queue URL (https://...)")
        return value

    def log_level(self, name: str) -> str:
        value = self.text(name, "INFO").upper()
        if not isinstance(logging.getLevelName(value), int):
            raise ConfigError(f"{name}={value!r} is not a log level (DEBUG, INFO, WARNING, ERROR)")
        return value

    def metric_limits(self, name: str) -> dict[str, MetricLimits]:
        raw = self.text(name)
        expected = ", ".join(METRIC_NAMES)
        try:
            document = json.loads(raw, parse_float=Decimal, parse_int=Decimal)
        except ValueError as error:
            raise ConfigError(
                f"{name} is not valid JSON ({error}); expected {{metric: {{min, max}}}}"
            ) from None
        if not isinstance(document, dict) or set(document) != set(METRIC_NAMES):
            raise ConfigError(f"{name} must be a JSON object with exactly these metrics: {expected}")
        limits = {}
        for metric, bounds in document.items():
            low = bounds.get("min") if isinstance(bounds, dict) else None
            high = bounds.get("max") if isinstance(bounds, dict) else None
            if not (isinstance(low, Decimal) and isinstance(high, Decimal)):
                raise ConfigError(f"{name}: {metric} needs numeric 'min' and 'max'")
            if not (low.is_finite() and high.is_finite() and low < high):
                raise ConfigError(f"{name}: {metric} needs finite 'min' < 'max' (got {low}, {high})")
            limits[metric] = MetricLimits(minimum=low, maximum=high)
        return limits

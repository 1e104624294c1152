"""Settings: every variable checked at cold start, with one line naming it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from telemetry_processor.config import ConfigError, load_settings

from compliance_tests.processor.servers import PROCESSOR_DIR, processor_environment

REQUIRED = [
    name
    for name in processor_environment()
    if name not in ("REDIS_TLS", "LOG_LEVEL", "DATABASE_PORT")  # these have defaults
]


def test_a_complete_environment_loads_typed_settings():
    settings = load_settings(processor_environment())
    assert settings.redis_port == 6379 and settings.redis_tls is False
    assert settings.metric_limits["pressure_kpa"].maximum == Decimal(400)
    assert settings.zscore_threshold == 4.0 and settings.baseline_min_samples == 20
    assert settings.baseline_alpha == 0.1  # optional, defaulted
    assert (settings.database_host, settings.database_port, settings.database_user) == (
        "localhost", 5432, "telemetry_writer")
    assert settings.database_ca_bundle is None  # Amazon's root CAs, what RDS Proxy presents


def test_the_database_port_defaults_to_postgresql_and_a_ca_bundle_must_exist(tmp_path):
    env = processor_environment()
    del env["DATABASE_PORT"]
    assert load_settings(env).database_port == 5432
    with pytest.raises(ConfigError, match=r"^DATABASE_CA_BUNDLE='/nonexistent.pem' is not a readable file"):
        load_settings({**env, "DATABASE_CA_BUNDLE": "/nonexistent.pem"})
    bundle = tmp_path / "ca.pem"
    bundle.write_text("pem")
    assert load_settings({**env, "DATABASE_CA_BUNDLE": str(bundle)}).database_ca_bundle == str(bundle)


def test_redis_tls_defaults_to_true_as_elasticache_transit_encryption_requires():
    env = processor_environment()
    del env["REDIS_TLS"]
    assert load_settings(env).redis_tls is True


@pytest.mark.parametrize("name", REQUIRED)
def test_each_missing_variable_is_named(name):
    env = processor_environment()
    del env[name]
    with pytest.raises(ConfigError, match=rf"^{name} is not set"):
        load_settings(env)


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("REDIS_PORT", "six", "is not an integer"),
        ("REDIS_PORT", "70000", "out of range"),
        ("DATABASE_PORT", "0", "out of range"),
        ("REDIS_TLS", "yes", "must be 'true' or 'false'"),
        ("ZSCORE_THRESHOLD", "0", "out of range"),
        ("ZSCORE_THRESHOLD", "nan", "out of range"),
        ("BASELINE_MIN_SAMPLES", "0", "out of range"),
        ("BASELINE_ALPHA", "1.5", "out of range"),
        ("MAX_FUTURE_SKEW_SECONDS", "-1", "out of range"),
        ("ARCHIVE_KMS_KEY_ARN", "alias/archive", "is not an arn:<partition>:kms"),
        ("REDIS_AUTH_SECRET_ARN", "arn:aws:kms:us-east-1:1:key/x", "secretsmanager"),
        ("DLQ_URL", "telemetry-dlq", "is not a queue URL"),
        ("LOG_LEVEL", "LOUD", "is not a log level"),
        ("METRIC_LIMITS", "{not json", "is not valid JSON"),
        ("METRIC_LIMITS", json.dumps({"temperature_c": {"min": 0, "max": 1}}), "exactly these metrics"),
        (
            "METRIC_LIMITS",
            json.dumps(
                {
                    m: {"min": 5, "max": 1}
                    for m in ("temperature_c", "pressure_kpa", "vibration_mm_s", "production_count")
                }
            ),
            "'min' < 'max'",
        ),
        (
            "METRIC_LIMITS",
            json.dumps(
                {
                    m: {"min": "0", "max": 1}
                    for m in ("temperature_c", "pressure_kpa", "vibration_mm_s", "production_count")
                }
            ),
            "needs numeric 'min' and 'max'",
        ),
    ],
)
def test_each_invalid_value_is_named_with_the_problem(name, value, complaint):
    env = processor_environment({name: value})
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    message = str(raised.value)
    assert message.startswith(name) and complaint in message and "\n" not in message


def test_cold_start_fails_with_one_clear_line_naming_the_variable():
    """Import the handler as the Lambda runtime does, in a fresh interpreter, with a setting missing."""
    env = {k: v for k, v in processor_environment().items() if k != "METRIC_LIMITS"}
    env.update(PATH=os.environ.get("PATH", ""), AWS_DEFAULT_REGION="us-east-1", PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "-c", "import handler"],
        cwd=PROCESSOR_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("telemetry_processor.config.ConfigError: METRIC_LIMITS is not set")

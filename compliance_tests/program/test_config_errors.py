"""Invalid config fails before any resource is declared, with one line naming the key and what it accepts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from compliance import REPO_ROOT, engine
from compliance.errors import UsageError
from compliance.render import render_graph


def render_error(monitors, overrides=None) -> str:
    with pytest.raises(UsageError) as failure:
        render_graph("dev", overrides)
    [monitor] = monitors
    assert monitor.registrations == [], "a resource was declared before the config was validated"
    message = str(failure.value)
    assert "\n" not in message
    return message


def drop_key(monkeypatch, key):
    original = engine.stack_config

    def stack_config_without(stack, overrides=None):
        config = original(stack, overrides)
        config.pop(key)
        return config

    monkeypatch.setattr(engine, "stack_config", stack_config_without)


def test_missing_suffix_fails_before_any_resource(monitors, monkeypatch):
    drop_key(monkeypatch, "iot-sensor-platform:environmentSuffix")
    message = render_error(monitors)
    assert message.startswith("iot-sensor-platform:environmentSuffix is required")
    assert "2-16 lowercase letters, digits or hyphens" in message


@pytest.mark.parametrize("suffix", ["Dev", "d", "dev_1", "a" * 17, "-dev", "dev-", "de--v"])
def test_bad_suffix_fails_before_any_resource(monitors, suffix):
    message = render_error(monitors, {"environmentSuffix": suffix})
    assert message.startswith(f"iot-sensor-platform:environmentSuffix={suffix!r} is invalid")
    assert "2-16 lowercase letters, digits or hyphens" in message


def test_missing_region_fails_before_any_resource(monitors, monkeypatch):
    drop_key(monkeypatch, "aws:region")
    assert render_error(monitors) == (
        "aws:region is unset: approved regions are sa-east-1, ap-southeast-1 (GOV-02)")


def test_unapproved_region_fails_before_any_resource(monitors):
    assert render_error(monitors, {"aws:region": "us-east-1"}) == (
        "aws:region is 'us-east-1': approved regions are sa-east-1, ap-southeast-1 (GOV-02)")


@pytest.mark.parametrize(("facilities", "names"), [
    ({"id": "plant-1"}, "must be a non-empty list"),
    ([], "must be a non-empty list"),
    ([{"id": "Plant 1", "devices": [{"type": "temperature", "count": 1}]}], "facilities[0].id='Plant 1' is invalid"),
    ([{"id": "plant-1"}], "facilities[0].devices must be a non-empty list"),
    ([{"id": "plant-1", "devices": [{"type": "humidity", "count": 1}]}],
     "facilities[0].devices[0].type='humidity' is invalid: allowed values are temperature, pressure, vibration,"),
    ([{"id": "plant-1", "devices": [{"type": "pressure", "count": 0}]}],
     "facilities[0].devices[0].count=0 is invalid: allowed values are integers 1..500"),
    ([{"id": "plant-1", "devices": [{"type": "pressure", "count": "3"}]}], "devices[0].count='3' is invalid"),
    ([{"id": "plant-1", "devices": [{"type": "pressure"}]}], "must be a mapping with exactly 'type' and 'count'"),
    ([{"id": "plant-1", "devices": [{"type": "pressure", "count": 1}]},
      {"id": "plant-1", "devices": [{"type": "pressure", "count": 1}]}], "facilities[1].id='plant-1' is a duplicate"),
])
def test_malformed_facilities_fail_before_any_resource(monitors, facilities, names):
    message = render_error(monitors, {"facilities": facilities})
    assert message.startswith("iot-sensor-platform:facilities")
    assert names in message


@pytest.mark.parametrize(("overrides", "names"), [
    ({"auroraMinCapacity": 0.25}, "auroraMinCapacity=0.25 is out of range: allowed values are a number in 0.5..128"),
    ({"auroraMaxCapacity": 256}, "auroraMaxCapacity=256 is out of range: allowed values are a number in 0.5..128"),
    ({"auroraMinCapacity": "lots"}, "auroraMinCapacity='lots' is not a number: allowed values are 0.5..128"),
    ({"auroraMinCapacity": 1.3}, "auroraMinCapacity=1.3 is invalid: Aurora capacity moves in steps of 0.5 ACU"),
    ({"auroraMinCapacity": 8, "auroraMaxCapacity": 4},
     "auroraMinCapacity=8 exceeds iot-sensor-platform:auroraMaxCapacity=4: the minimum must be <= the maximum"),
])
def test_bad_capacity_bounds_fail_before_any_resource(monitors, overrides, names):
    assert names in render_error(monitors, overrides)


@pytest.mark.parametrize("hours", [23, 8761, 48.5])
def test_bad_kinesis_retention_fails_before_any_resource(monitors, hours):
    message = render_error(monitors, {"kinesisRetentionHours": hours})
    assert message == (f"iot-sensor-platform:kinesisRetentionHours={hours} is out of range: "
                       "allowed values are an integer in 24..8760")


def test_bad_data_classification_fails_before_any_resource(monitors):
    assert render_error(monitors, {"dataClassification": "secret"}) == (
        "iot-sensor-platform:dataClassification='secret' is invalid: "
        "allowed values are public, internal, confidential, restricted")


def test_the_cli_reports_a_config_error_as_exit_2_on_one_line(tmp_path):
    out = tmp_path / "graph.json"
    result = subprocess.run(
        [sys.executable, "-m", "compliance", "render", "--config", "aws:region=eu-west-1", "--out", str(out)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: aws:region is 'eu-west-1': approved regions are sa-east-1, ap-southeast-1 (GOV-02)"]
    assert not out.exists()


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"complianceAuditor": "yes"}, "iot-sensor-platform:complianceAuditor='yes' is invalid: allowed values are true, "
                                   "false"),
    ({"auditorSchedule": "daily"}, "iot-sensor-platform:auditorSchedule='daily' is invalid: use an EventBridge "
                                   "Scheduler expression such as rate(1 day), rate(12 hours) or cron(0 3 * * ? *)"),
    ({"evidenceRetentionDays": 0}, "iot-sensor-platform:evidenceRetentionDays=0 is out of range: allowed values are "
                                   "an integer in 1..3650"),
    ({"evidenceLockMode": "LEGAL_HOLD"}, "iot-sensor-platform:evidenceLockMode='LEGAL_HOLD' is invalid: allowed "
                                         "values are GOVERNANCE, COMPLIANCE"),
])
def test_bad_auditor_settings_fail_before_any_resource(monitors, overrides, expected):
    assert render_error(monitors, overrides) == expected

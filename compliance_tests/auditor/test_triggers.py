"""The catalog's triggers: every live control names the CloudTrail events that can break it, and the
auditor's EventBridge patterns are generated from exactly their union."""

from __future__ import annotations

import json

import pytest
import yaml

from compliance.catalog import CATALOG_PATH, load_catalog
from compliance.errors import UsageError


def test_every_live_control_has_triggers_or_says_why_only_the_schedule_sees_it():
    catalog = load_catalog()
    for control in catalog.controls.values():
        if "live" in control.layers:
            assert control.triggers or control.schedule_only, control.id
        else:
            assert not control.triggers and not control.schedule_only, control.id
    assert catalog["ENC-01"].triggers == {
        "kinesis.amazonaws.com": ("CreateStream", "StartStreamEncryption", "StopStreamEncryption")}
    assert "AuthorizeSecurityGroupIngress" in catalog["NET-01"].triggers["ec2.amazonaws.com"]
    assert "ModifySecurityGroupRules" in catalog["NET-01"].triggers["ec2.amazonaws.com"]
    assert "DisableKeyRotation" in catalog["KMS-01"].triggers["kms.amazonaws.com"]


def test_iam_controls_rely_on_the_schedule_because_iam_events_reach_eventbridge_only_in_us_east_1():
    catalog = load_catalog()
    assert "us-east-1" in catalog["IAM-01"].schedule_only
    assert not any("iam.amazonaws.com" in c.triggers for c in catalog.controls.values())


def test_the_event_patterns_are_exactly_the_union_of_the_catalogs_triggers():
    catalog = load_catalog()
    union: dict[str, set[str]] = {}
    for control in catalog.controls.values():
        for source, names in control.triggers.items():
            union.setdefault(source, set()).update(names)
    patterns = catalog.event_patterns()
    generated: dict[str, set[str]] = {}
    for service, pattern in patterns.items():
        assert pattern["detail-type"] == ["AWS API Call via CloudTrail"]
        (source,) = pattern["detail"]["eventSource"]
        assert source == f"{service}.amazonaws.com"
        generated.setdefault(source, set()).update(pattern["detail"]["eventName"])
        assert len(json.dumps(pattern, separators=(",", ":"))) <= 2048  # EventBridge's default pattern quota
    assert generated == union


def test_the_controls_an_event_triggers():
    catalog = load_catalog()
    assert [c.id for c in catalog.triggered_by("kinesis.amazonaws.com", "StopStreamEncryption")] == ["ENC-01"]
    assert catalog.triggered_by("kinesis.amazonaws.com", "PutRecord") == []
    assert catalog.triggered_by("s3.amazonaws.com", "StopStreamEncryption") == []


def _control(data, control_id):
    return next(c for c in data["controls"] if c["id"] == control_id)


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: _control(d, "ENC-01").pop("triggers"), r"ENC-01\): a live control lists its triggers"),
    (lambda d: _control(d, "IAM-01").pop("schedule_only"), r"IAM-01\): triggers is empty; add schedule_only"),
    (lambda d: _control(d, "ENC-01").update(triggers={"kinesis": ["StopStreamEncryption"]}), "event sources like"),
    (lambda d: _control(d, "ENC-01").update(triggers={"kinesis.amazonaws.com": []}), "non-empty lists"),
    (lambda d: _control(d, "ENC-01").update(triggers={"kinesis.amazonaws.com": ["stop"]}), "event names like"),
    (lambda d: _control(d, "DES-01").update(triggers={"rds.amazonaws.com": ["ModifyDBCluster"]}),
     r"DES-01\): triggers apply to live controls only"),
])
def test_malformed_triggers_are_a_usage_error_naming_the_control(tmp_path, mutate, expected):
    data = yaml.safe_load(CATALOG_PATH.read_text())
    mutate(data)
    path = tmp_path / "controls.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(UsageError, match=expected):
        load_catalog(path)

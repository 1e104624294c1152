"""report.ocsf.json: OCSF Compliance Findings, re-parsed with py-ocsf-models (the maintained OCSF models).

Every event must validate as an OCSF 1.5.0 Compliance Finding (class 2003) with
the cloud profile; one event per (control, resource, layer); statuses, severity,
frameworks, ARNs, account and region land in the fields docs/evidence.md names.
"""

from __future__ import annotations

import json

import pydantic
import pytest
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding

from compliance.catalog import load_catalog
from compliance.report.ocsf import OCSF_FILE, CloudComplianceFinding
from compliance_tests.report.report_builders import (
    ACCOUNT,
    BUCKET,
    LIVE_KEY_ARN,
    REGION,
    STREAM,
    baseline_findings,
)


def _events(run) -> list[dict]:
    return json.loads(run.text(OCSF_FILE))


def _one(events: list[dict], control: str, layer: str, resource: str) -> dict:
    [event] = [e for e in events if e["compliance"].get("control") == control and e["unmapped"]["layer"] == layer
               and e["resources"][0]["uid"] == resource]
    return event


def test_every_event_is_a_valid_ocsf_compliance_finding(mixed_run):
    events = _events(mixed_run)
    assert events
    for event in events:
        parsed = CloudComplianceFinding.model_validate(event)
        ComplianceFinding.model_validate(event)  # the library's own class, without our cloud profile addition
        assert (parsed.class_uid, parsed.category_uid, parsed.type_uid) == (2003, 2, 200301)
        assert parsed.metadata.version == "1.5.0" and parsed.metadata.profiles == ["cloud"]
    assert len({e["finding_info"]["uid"] for e in events}) == len(events)


def test_the_validation_catches_a_broken_event(mixed_run):
    event = _events(mixed_run)[0]
    event["severity_id"] = 42
    with pytest.raises(pydantic.ValidationError, match="severity_id"):
        CloudComplianceFinding.model_validate(event)
    without_cloud = {k: v for k, v in _events(mixed_run)[0].items() if k != "cloud"}
    with pytest.raises(pydantic.ValidationError, match="cloud"):
        CloudComplianceFinding.model_validate(without_cloud)


def test_one_event_per_control_resource_and_layer(mixed_run):
    report = mixed_run.report
    groups = {(f["check"] if f["control"] == "UNMAPPED" else f["control"], f["layer"], f["resource"]["id"])
              for f in report["findings"]}
    events = [e for e in _events(mixed_run) if e["unmapped"].get("record") != "layer"]
    keys = [(e["compliance"].get("control") or e["compliance"]["checks"][0]["uid"], e["unmapped"]["layer"],
             e["resources"][0]["uid"]) for e in events]
    assert len(keys) == len(set(keys)) == len(groups)
    assert set(keys) == groups
    assert sum(len(e["unmapped"]["findingIds"]) for e in events) == len(report["findings"])


def test_every_catalog_control_appears(mixed_run):
    controls = {e["compliance"].get("control") for e in _events(mixed_run)}
    assert set(load_catalog().controls) <= controls


def test_fail_error_and_waived_map_to_their_ocsf_fields(mixed_run):
    events = _events(mixed_run)
    failed = _one(events, "ENC-01", "preview", STREAM)
    assert failed["compliance"]["status_id"] == 3 and failed["status_id"] == 1  # Fail, New
    assert failed["severity_id"] == 4 and failed["severity"] == "High"
    assert failed["message"] == "encryptionType | NONE"
    assert "NIST SP 800-53 Rev. 5 SC-28" in failed["compliance"]["requirements"]
    assert "NIST SP 800-53 Rev. 5" in failed["compliance"]["standards"]

    errored = _one(events, "KMS-01", "live", LIVE_KEY_ARN)
    assert errored["compliance"]["status_id"] == 2 and errored["compliance"]["checks"][0]["status"] == "Warning"
    assert errored["resources"][0]["region"] == REGION
    assert errored["cloud"] == {"provider": "AWS", "region": REGION,
                                "account": {"uid": ACCOUNT, "name": ACCOUNT, "type_id": 10, "type": "AWS Account"}}
    assert errored["unmapped"]["status"] == "error"

    waived = _one(events, "ENC-05", "preview", BUCKET)
    assert waived["status_id"] == 3 and waived["status"] == "Suppressed"
    assert waived["compliance"]["status_id"] == 3  # the result stays Fail; the waiver suppresses it
    assert "ops@example.com" in waived["status_detail"]
    assert waived["unmapped"]["originalStatus"] == "fail"


def test_evidence_and_unmapped_checks(mixed_run):
    events = _events(mixed_run)
    passed_live = _one(events, "ENC-01", "live", "arn:aws:kinesis:sa-east-1:123456789012:stream/kinesis-telemetry-dev")
    assert passed_live["evidences"][0]["data"]["EncryptionType"] == "KMS"
    assert passed_live["evidences"][0]["data"]["call"] == "kinesis:DescribeStreamSummary"
    [unmapped] = [e for e in events if "control" not in e["compliance"]]
    assert unmapped["compliance"]["checks"][0]["uid"] == "CKV_AWS_144"
    assert unmapped["compliance"]["status_id"] == 3 and unmapped["severity_id"] == 2


def test_a_missing_layer_is_one_not_run_event_per_control(make_run):
    findings = baseline_findings()
    del findings["static"]
    events = _events(make_run(findings))
    cells = [e for e in events if e["unmapped"].get("record") == "layer" and e["unmapped"]["layer"] == "static"]
    static_controls = {c.id for c in load_catalog().with_layer("static")}
    assert {e["compliance"]["control"] for e in cells} == static_controls
    for event in cells:
        assert event["unmapped"]["status"] in ("error", "not_run")
        assert event["compliance"]["status_id"] in (0, 2)  # Unknown or Warning: never Pass
        assert event["resources"][0]["uid"] == "stack:dev"


def test_the_ocsf_file_is_sealed(mixed_run):
    manifest = json.loads(mixed_run.text("manifest.json"))
    assert OCSF_FILE in manifest["files"]


def test_without_a_live_layer_no_account_is_invented(make_run):
    findings = baseline_findings()
    del findings["live"]
    events = _events(make_run(findings))
    assert events and all("account" not in e["cloud"] for e in events)
    assert {e["cloud"]["region"] for e in events} == {REGION}

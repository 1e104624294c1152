"""Findings files: stable ids, sorted output, schema, exit codes, atomic writes."""

import json

import pytest

from compliance.errors import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VIOLATION,
    EvaluationError,
    worst_exit_code,
)
from compliance.findings import Finding, FindingsFile, ResourceRef, exit_code_for

STREAM = ResourceRef(id="urn:pulumi:dev::p::aws:kinesis/stream:Stream::telemetry", type="aws:kinesis/stream:Stream",
                     name="telemetry")
KEY = ResourceRef(id="urn:pulumi:dev::p::aws:kms/key:Key::kinesis", type="aws:kms/key:Key", name="kinesis")


def finding(control="ENC-01", status="pass", resource=STREAM, enforcement="mandatory", check="enc-01-policy"):
    return Finding(control=control, layer="preview", status=status, resource=resource, message="m", check=check,
                   enforcement=enforcement, severity="high")


def test_finding_id_depends_only_on_what_identifies_it():
    assert finding(status="pass").id == finding(status="fail").id
    assert finding().id != finding(resource=KEY).id
    assert finding().id != finding(check="other").id


def test_invalid_status_layer_or_enforcement_is_refused():
    with pytest.raises(ValueError, match="status"):
        finding(status="ok")
    with pytest.raises(ValueError, match="enforcement"):
        finding(enforcement="blocking")


def make_file(findings, complete=True):
    return FindingsFile(layer="preview", tool_name="t", tool_version="1", scope={"stack": "dev"},
                        started_at="2026-01-01T00:00:00+00:00", finished_at="2026-01-01T00:00:01+00:00",
                        complete=complete, findings=findings)


def test_findings_are_written_sorted_and_read_back_identically(tmp_path):
    items = [finding("KMS-01", resource=KEY), finding("ENC-01", status="fail"), finding("ENC-01", resource=KEY)]
    path = tmp_path / "gate.json"
    make_file(items).write(path)
    written = json.loads(path.read_text())["findings"]
    assert [(f["control"], f["resource"]["name"]) for f in written] == [
        ("ENC-01", "telemetry"), ("ENC-01", "kinesis"), ("KMS-01", "kinesis")]  # by control, then URN
    assert sorted(FindingsFile.read(path).findings, key=Finding.sort_key) == sorted(items, key=Finding.sort_key)
    assert [p.name for p in tmp_path.iterdir()] == ["gate.json"]  # no temp file left behind


def test_reading_a_malformed_findings_file_fails_closed(tmp_path):
    path = tmp_path / "audit.json"
    path.write_text('{"schemaVersion": 1}')
    with pytest.raises(EvaluationError, match="not a valid findings file"):
        FindingsFile.read(path)
    with pytest.raises(EvaluationError, match="no such findings file"):
        FindingsFile.read(tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("statuses", "complete", "expected"),
    [
        ([("pass", "mandatory")], True, EXIT_OK),
        ([("fail", "advisory"), ("pass", "mandatory")], True, EXIT_OK),
        ([("fail", "mandatory")], True, EXIT_VIOLATION),
        ([("fail", "mandatory"), ("error", "advisory")], True, EXIT_ERROR),
        ([("pass", "mandatory")], False, EXIT_ERROR),
        ([("waived", "mandatory"), ("not_applicable", "mandatory")], True, EXIT_OK),
    ],
)
def test_exit_code_for_findings(statuses, complete, expected):
    items = [finding(status=s, enforcement=e, check=str(i)) for i, (s, e) in enumerate(statuses)]
    assert exit_code_for(items, complete=complete) == expected


def test_worst_exit_code_ranks_usage_over_error_over_violation():
    assert worst_exit_code(EXIT_OK, EXIT_VIOLATION) == EXIT_VIOLATION
    assert worst_exit_code(EXIT_VIOLATION, EXIT_ERROR) == EXIT_ERROR
    assert worst_exit_code(EXIT_ERROR, EXIT_USAGE, EXIT_OK) == EXIT_USAGE
    assert worst_exit_code() == EXIT_OK

"""Findings files version 2 add the account; version 1 files still read, and one-account ids do not change."""

from __future__ import annotations

import dataclasses
import json

import pytest

from compliance.errors import EvaluationError
from compliance.findings import SCHEMA_VERSION, Finding, FindingsFile, ResourceRef

REF = ResourceRef("arn:aws:kinesis:sa-east-1:111122223333:stream/s", "aws:kinesis/stream:Stream", "s", "sa-east-1")
FINDING = Finding("ENC-01", "live", "pass", REF, "ok", check="enc-01-kinesis-stream-key")


def _file(findings: list[Finding]) -> FindingsFile:
    return FindingsFile("live", "compliance-audit", "1.0.0", {}, "2026-01-01T00:00:00+00:00",
                        "2026-01-01T00:00:01+00:00", True, findings)


def test_a_version_1_file_still_reads_and_keeps_its_ids(tmp_path):
    data = _file([FINDING]).to_dict()
    assert "account" not in data["findings"][0]["resource"]  # one account: no account fields written
    data["schemaVersion"] = 1
    (tmp_path / "audit.json").write_text(json.dumps(data))
    [read] = FindingsFile.read(tmp_path / "audit.json").findings
    assert read == FINDING and read.id == data["findings"][0]["id"]


def test_the_account_is_part_of_the_identity_and_round_trips(tmp_path):
    a = dataclasses.replace(FINDING, resource=dataclasses.replace(REF, account="111122223333", account_name="lyon"))
    b = dataclasses.replace(FINDING, resource=dataclasses.replace(REF, account="444455556666", account_name="porto"))
    assert len({FINDING.id, a.id, b.id}) == 3
    _file([a, b]).write(tmp_path / "audit.json")
    data = json.loads((tmp_path / "audit.json").read_text())
    assert data["schemaVersion"] == SCHEMA_VERSION == 2
    assert FindingsFile.read(tmp_path / "audit.json").findings == sorted([a, b], key=Finding.sort_key)


def test_an_unknown_version_or_a_malformed_account_is_refused(tmp_path):
    data = _file([FINDING]).to_dict()
    data["schemaVersion"] = 3
    (tmp_path / "audit.json").write_text(json.dumps(data))
    with pytest.raises(EvaluationError, match="not a valid findings file"):
        FindingsFile.read(tmp_path / "audit.json")
    data["schemaVersion"] = 2
    data["findings"][0]["resource"]["account"] = "lyon"
    (tmp_path / "audit.json").write_text(json.dumps(data))
    with pytest.raises(EvaluationError, match="not a valid findings file"):
        FindingsFile.read(tmp_path / "audit.json")

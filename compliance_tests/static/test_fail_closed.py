"""Fail closed: nothing scanned, nothing parsed, checkov broken or a check not loaded -> exit 3.

checkov itself runs for real here, on small hand-written plans; a "broken
checkov" is a binary that is missing or does not behave like checkov.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EvaluationError, UsageError
from compliance.static import checkov_run
from compliance.static.scan import check_skips_unclaimed
from compliance_tests.static.graphs import graph_of, resource

STREAM = {"name": "kinesis-telemetry-dev", "encryptionType": "KMS", "kmsKeyId": "arn:aws:kms:sa-east-1:1:key/k"}


def _scan(tmp_path: Path, graph, *extra: str) -> int:
    graph_file = tmp_path / "graph.json"
    graph_file.write_text(json.dumps(graph.data if hasattr(graph, "data") else graph))
    return main(["scan", "--graph", str(graph_file), "--out", str(tmp_path / "out"), "--no-secrets-scan", *extra])


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    return err


def _tiny_plan(tmp_path: Path, **top) -> Path:
    plan = {"format_version": "1.2", **top, "planned_values": {"root_module": {"resources": [
        {"address": "aws_kinesis_stream.t", "mode": "managed", "type": "aws_kinesis_stream", "name": "t",
         "values": {"name": "kinesis-t-dev", "encryption_type": "KMS", "kms_key_id": "arn:k"}}]}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def test_a_graph_with_nothing_to_scan_exits_3(tmp_path, capsys):
    graph = graph_of(resource("iot-sensor-platform:storage:Storage", "storage", custom=False))
    assert _scan(tmp_path, graph) == 3
    assert "no custom resources" in _one_line_error(capsys)
    assert not (tmp_path / "out" / "static.json").exists()


def test_an_unmapped_type_exits_3_naming_it(tmp_path, capsys):
    assert _scan(tmp_path, graph_of(resource("aws:neptune/cluster:Cluster", "graph"))) == 3
    error = _one_line_error(capsys)
    assert "aws:neptune/cluster:Cluster" in error and "bridge_metadata.json" in error


def test_a_graph_without_a_suffix_is_a_usage_error(tmp_path, capsys):
    graph = graph_of(resource("aws:kinesis/stream:Stream", "telemetry", STREAM)).data
    graph["config"].pop("iot-sensor-platform:environmentSuffix")
    assert _scan(tmp_path, graph) == 2
    assert "environmentSuffix" in _one_line_error(capsys)


def test_missing_checkov_exits_3(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(checkov_run.CHECKOV_BIN_ENV, str(tmp_path / "no-checkov"))
    assert _scan(tmp_path, graph_of(resource("aws:kinesis/stream:Stream", "telemetry", STREAM))) == 3
    assert "checkov not found" in _one_line_error(capsys)


def test_a_checkov_that_writes_nothing_exits_3_and_leaves_no_old_result(tmp_path, capsys, monkeypatch):
    stale = tmp_path / "out" / "static.json"
    stale.parent.mkdir()
    stale.write_text("{}")
    monkeypatch.setenv(checkov_run.CHECKOV_BIN_ENV, "/bin/false")
    assert _scan(tmp_path, graph_of(resource("aws:kinesis/stream:Stream", "telemetry", STREAM))) == 3
    assert "no readable JSON" in _one_line_error(capsys)
    assert not stale.exists()


def test_checkov_exiting_2_exits_3(tmp_path, capsys):
    graph = graph_of(resource("aws:kinesis/stream:Stream", "telemetry", STREAM))
    # checkov refuses a check that is both selected and skipped (CKV_AWS_139 is in skips.yaml) with exit 2
    assert _scan(tmp_path, graph, "--checkov-args=--check CKV_AWS_139") == 3
    assert "exited 2" in _one_line_error(capsys)


def test_an_unknown_checkov_option_is_refused_before_checkov_runs(tmp_path, capsys):
    graph = graph_of(resource("aws:kinesis/stream:Stream", "telemetry", STREAM))
    assert _scan(tmp_path, graph, "--checkov-args=--no-such-checkov-option") == 2
    assert "--no-such-checkov-option is not supported by `compliance scan`" in _one_line_error(capsys)
    assert not (tmp_path / "out" / "static-plan.json").exists()


def test_a_plan_without_terraform_version_scans_nothing_and_is_an_error(tmp_path):
    with pytest.raises(EvaluationError, match="scanned 0 of the plan's 1 resources"):
        checkov_run.scan_plan(_tiny_plan(tmp_path), 1, tmp_path, {}, "dev", [])


def test_a_plan_checkov_cannot_parse_is_an_error(tmp_path):
    broken = tmp_path / "plan.json"
    broken.write_text('{"terraform_version": "1.9.8", "planned_values": {')
    with pytest.raises(EvaluationError, match="could not parse|parsing errors"):
        checkov_run.scan_plan(broken, 1, tmp_path, {}, "dev", [])


def test_a_custom_check_that_does_not_load_is_an_error(tmp_path):
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "__init__.py").write_text("")
    (checks / "broken_check.py").write_text("raise RuntimeError('this check is broken')\n")
    plan = _tiny_plan(tmp_path, terraform_version="1.9.8")
    with pytest.raises(EvaluationError, match="did not load"):
        checkov_run.scan_plan(plan, 1, tmp_path, {}, "dev", [], checks_dir=checks)


def test_a_skip_claimed_by_a_control_is_refused():
    with pytest.raises(UsageError, match="CKV_AWS_7.*KMS-01"):
        check_skips_unclaimed({"CKV_AWS_7": "rotation is not for us"}, load_catalog())


def test_a_skip_without_a_reason_is_refused(tmp_path):
    skips = tmp_path / "skips.yaml"
    skips.write_text("skips:\n  CKV_AWS_139: ''\n")
    with pytest.raises(UsageError, match="written reason"):
        checkov_run.load_skips(skips)

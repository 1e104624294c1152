"""report.json: the join of findings and catalog, its schema, statuses and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from compliance.catalog import CATALOG_PATH
from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION
from compliance.report.schema import REPORT_SCHEMA, validate_report
from compliance.report.status import worst
from compliance_tests.report.report_builders import (
    BUCKET,
    KEY,
    LIVE_KEY_ARN,
    STREAM,
    baseline_findings,
    declared,
    live,
    write_findings,
)


def test_compliant_run_exits_0_and_report_json_validates_against_its_schema(make_run):
    run = make_run()
    assert run.exit_code == EXIT_OK
    report = validate_report(run.report)
    assert report["schemaVersion"] == REPORT_SCHEMA["properties"]["schemaVersion"]["const"]
    assert report["exitCode"] == EXIT_OK
    assert {c["id"] for c in report["controls"]} >= {"ENC-01", "KMS-01", "DES-02"}
    enc01 = next(c for c in report["controls"] if c["id"] == "ENC-01")
    assert enc01["status"] == "pass"
    assert {layer: cell["status"] for layer, cell in enc01["layers"].items()} == {
        "preview": "pass", "static": "pass", "live": "pass"}


def test_schema_rejects_a_report_missing_a_field(make_run):
    report = make_run().report
    del report["summary"]["controls"]["fail"]
    with pytest.raises(Exception, match="summary/controls"):
        validate_report(report)


def test_same_inputs_give_the_same_report_apart_from_the_header_timestamp(make_run):
    first = make_run(name="20250101T000000Z").report
    second = make_run(name="20250102T000000Z").report
    assert first["generatedAt"] and second["generatedAt"]
    first.pop("generatedAt")
    second.pop("generatedAt")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


@pytest.mark.parametrize(("statuses", "expected"), [
    (["pass", "fail", "error", "waived"], "error"),
    (["pass", "waived", "fail"], "fail"),
    (["pass", "waived", "not_applicable"], "waived"),
    (["not_applicable", "pass"], "pass"),
    ([], "not_applicable"),
])
def test_layer_status_rule_error_then_fail_then_waived_then_pass(statuses, expected):
    assert worst(statuses) == expected


def test_overall_status_is_the_worst_layer_and_an_error_exits_3(make_run):
    findings = baseline_findings()
    findings["live"].append(live("ENC-01", "error", "arn:aws:kinesis:sa-east-1:1:stream/other", "other",
                                 "AWS::Kinesis::Stream", message="AccessDenied on DescribeStreamSummary"))
    run = make_run(findings)
    assert run.exit_code == EXIT_ERROR
    enc01 = next(c for c in run.report["controls"] if c["id"] == "ENC-01")
    assert enc01["layers"]["live"]["status"] == "error"
    assert enc01["layers"]["preview"]["status"] == "pass"
    assert enc01["status"] == "error"
    assert "ENC-01" in run.report["exitReason"]


def test_mandatory_failure_exits_1_naming_the_control(make_run):
    findings = baseline_findings()
    findings["preview"][0] = declared("ENC-01", "preview", "fail", STREAM, message="encryptionType is NONE")
    run = make_run(findings)
    assert run.exit_code == EXIT_VIOLATION
    assert run.report["exitReason"] == "mandatory controls failed: ENC-01"
    assert run.report["summary"]["controls"]["fail"] == 1


def test_advisory_failure_is_reported_but_exits_0(make_run):
    findings = baseline_findings()
    findings["preview"][4] = declared("KMS-02", "preview", "fail",
                                      "urn:pulumi:dev::iot-sensor-platform::pulumi:pulumi:Stack::x",
                                      enforcement="advisory", message="key shared by two services")
    run = make_run(findings)
    assert run.exit_code == EXIT_OK
    kms02 = next(c for c in run.report["controls"] if c["id"] == "KMS-02")
    assert kms02["status"] == "fail"


def test_a_layer_not_expected_is_not_run_and_the_others_still_report(make_run, tmp_path):
    findings = baseline_findings()
    del findings["static"]
    run = make_run(findings, extra_args=["--expect", "preview,live"])
    report = run.report
    assert run.exit_code == EXIT_OK
    assert report["summary"]["byLayer"]["static"]["present"] is False
    assert report["summary"]["byLayer"]["static"]["expected"] is False
    enc01 = next(c for c in report["controls"] if c["id"] == "ENC-01")
    assert enc01["layers"]["static"]["status"] == "not_run"
    assert enc01["status"] == "pass"


def test_no_findings_file_at_all_exits_3(tmp_path, capsys):
    empty = tmp_path / "reports" / "empty"
    empty.mkdir(parents=True)
    assert main(["report", "--in", str(empty)]) == EXIT_ERROR
    assert "no findings file" in capsys.readouterr().err
    assert not (empty / "report.json").exists()


def test_findings_file_under_the_wrong_layer_name_exits_3(tmp_path, capsys):
    run_dir = tmp_path / "reports" / "run"
    path = write_findings(run_dir, "live", [])
    shutil.move(path, run_dir / "gate.json")
    assert main(["report", "--in", str(run_dir)]) == EXIT_ERROR
    assert "preview layer" in capsys.readouterr().err


def test_unknown_control_in_findings_exits_3_naming_it(tmp_path, capsys):
    run_dir = tmp_path / "reports" / "run"
    write_findings(run_dir, "preview", [declared("ZZZ-99", "preview", "pass", KEY)])
    assert main(["report", "--in", str(run_dir)]) == EXIT_ERROR
    assert "ZZZ-99" in capsys.readouterr().err


def test_unmapped_static_checks_stay_out_of_the_controls(make_run):
    run = make_run()
    report = run.report
    unmapped = [f for f in report["findings"] if f["control"] == "UNMAPPED"]
    assert [f["check"] for f in unmapped] == ["CKV_AWS_144"]
    assert all(c["id"] != "UNMAPPED" for c in report["controls"])
    assert report["summary"]["unmapped"] == {**dict.fromkeys(report["summary"]["unmapped"], 0), "fail": 1, "total": 1}
    html = run.text("index.html")
    section = html[html.index('id="unmapped"'):]
    assert "CKV_AWS_144" in section and "cross-region replication" in section


def test_framework_view_lists_each_requirement_with_the_worst_status_of_its_controls(make_run):
    findings = baseline_findings()
    findings["live"][1] = live("KMS-01", "fail", LIVE_KEY_ARN, "k", "AWS::KMS::Key")
    report = make_run(findings).report
    catalog = yaml.safe_load(CATALOG_PATH.read_text())
    kms01_refs = next(c for c in catalog["controls"] if c["id"] == "KMS-01")["frameworks"]
    for framework, refs in kms01_refs.items():
        view = next(v for v in report["frameworks"] if v["id"] == framework)
        for ref in refs:
            requirement = next(r for r in view["requirements"] if r["ref"] == ref)
            assert "KMS-01" in requirement["controls"]
            assert requirement["status"] == "fail"


def test_empty_framework_references_render_an_explicit_gap(make_run, tmp_path):
    catalog = yaml.safe_load(CATALOG_PATH.read_text())
    for control in catalog["controls"]:
        control["frameworks"] = {}
    empty_catalog = tmp_path / "controls.yaml"
    empty_catalog.write_text(yaml.safe_dump(catalog))
    run = make_run(extra_args=["--catalog", str(empty_catalog)])
    assert run.exit_code == EXIT_OK
    assert all(view["requirements"] == [] for view in run.report["frameworks"])
    assert run.text("index.html").count("The catalog maps no control to") == 4


def test_scope_comes_from_the_findings_files_and_the_graph(make_run):
    report = make_run().report
    assert report["scope"] == {"account": "123456789012", "endpoint": "", "regions": ["sa-east-1"], "stack": "dev",
                               "suffix": "dev"}
    assert [i["layer"] for i in report["inputs"]] == ["preview", "static", "live"]
    assert report["catalog"]["file"] == "policies/controls.yaml"
    assert report["graph"]["resources"] == 5


def test_preview_and_static_findings_carry_the_program_line_of_their_resource(make_run):
    report = make_run().report
    bucket = next(f for f in report["findings"] if f["layer"] == "preview" and f["resource"]["id"] == BUCKET)
    assert bucket["source"] == {"file": "program/components/fixture.py", "line": 30}


def test_every_output_format_is_written_beside_report_json(make_run):
    run = make_run()
    for name in ("report.json", "index.html", "summary.md", "findings.csv", "junit.xml", "report.sarif",
                 "manifest.json", "gate.json", "static.json", "audit.json", "graph.json"):
        assert (run.dir / name).is_file(), name
    assert (run.dir.parent / "index.html").is_file()  # the history page


def test_report_out_elsewhere_copies_the_inputs_so_the_manifest_covers_them(tmp_path):
    from compliance_tests.report.report_builders import write_inputs

    inputs = write_inputs(tmp_path / "stage-output")
    out = tmp_path / "reports" / "20250101T000000Z"
    assert main(["report", "--in", str(inputs), "--out", str(out), "--quiet"]) == EXIT_OK
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"gate.json", "static.json", "audit.json", "graph.json", "report.json"} <= set(manifest["files"])


def test_missing_explicit_graph_is_a_usage_error(make_run, tmp_path):
    run = make_run(extra_args=["--graph", str(Path(tmp_path) / "nope.json")])
    assert run.exit_code == 2

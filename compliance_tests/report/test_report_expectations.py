"""The report knows what ran: a layer that was expected and did not deliver is red, in every format, saying why."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from compliance.report.csvfile import read_csv
from compliance_tests.report.report_builders import (
    LIVE_KEY_ARN,
    STACK,
    baseline_findings,
    declared,
    live,
    write_findings,
    write_inputs,
)


def _control(report: dict, control_id: str) -> dict:
    return next(c for c in report["controls"] if c["id"] == control_id)


def _headlines(run) -> tuple[str, str, str]:
    """The verdict as each reader sees it: report.json, summary.md, index.html."""
    md = next(line for line in run.text("summary.md").splitlines() if line.startswith("**Exit"))
    html = run.text("index.html")
    verdict = html[html.index('id="verdict">'):].split("</span>", 1)[0]
    return run.report["exitReason"], md, verdict


def test_a_failed_scan_that_wrote_no_static_json_makes_the_report_red_saying_why(make_run):
    findings = baseline_findings()
    del findings["static"]  # `scan` exited 3 (checkov missing, crashed) and wrote nothing
    run = make_run(findings)
    assert run.exit_code == EXIT_ERROR
    why = "the static layer was expected but static.json is missing: `scan` did not run or failed"
    reason, md, html = _headlines(run)
    assert reason.startswith(why)
    assert md.startswith("**Exit 3**") and why in md
    assert "exit 3:" in html and why in html
    enc01 = _control(run.report, "ENC-01")
    assert enc01["layers"]["static"] == {"status": "error", "findings": 0, "reason": why}
    assert enc01["layers"]["preview"]["status"] == "pass" and enc01["status"] == "error"
    assert run.report["summary"]["byLayer"]["static"] == {**run.report["summary"]["byLayer"]["static"],
                                                          "present": False, "expected": True, "reason": why}
    assert run.report["summary"]["passRate"] < 1


def test_an_empty_findings_file_is_red_for_every_control_its_layer_claims(make_run):
    findings = baseline_findings()
    findings["preview"] = []
    run = make_run(findings)
    assert run.exit_code == EXIT_ERROR
    assert "gate.json holds no findings: `gate` evaluated nothing" in run.report["exitReason"]
    for control in run.report["controls"]:
        if "preview" in control["catalogLayers"]:
            assert control["layers"]["preview"]["status"] == "error", control["id"]


def test_an_incomplete_findings_file_is_red_even_for_controls_it_passed(tmp_path):
    run_dir = tmp_path / "reports" / "run"
    write_findings(run_dir, "live", [live("KMS-01", "pass", LIVE_KEY_ARN, "k", "AWS::KMS::Key")], complete=False)
    assert main(["report", "--in", str(run_dir), "--quiet", "--expect", "live"]) == EXIT_ERROR
    report = json.loads((run_dir / "report.json").read_text())
    why = "audit.json is incomplete: `audit` was interrupted, so its findings may be partial"
    assert report["exitReason"].startswith(why)
    kms01 = _control(report, "KMS-01")
    assert kms01["layers"]["live"] == {"status": "error", "findings": 1, "reason": why}  # one key seen, others maybe not
    assert next(f for f in report["findings"] if f["control"] == "KMS-01")["status"] == "pass"  # the finding stands


def test_a_claimed_control_the_stage_recorded_nothing_for_is_an_error_naming_it(make_run):
    findings = baseline_findings()
    findings["live"] = [f for f in findings["live"] if f.control != "RET-04"]  # the audit's logs check crashed silently
    run = make_run(findings)
    assert run.exit_code == EXIT_ERROR
    ret04 = _control(run.report, "RET-04")
    assert ret04["layers"]["live"] == {
        "status": "error", "findings": 0,
        "reason": "`audit` recorded nothing for RET-04 in audit.json: it was deselected, skipped or crashed"}
    assert run.report["exitReason"] == "could not evaluate: RET-04"


def test_a_live_only_audit_expects_only_the_live_layer_and_says_so(tmp_path):
    run_dir = tmp_path / "reports" / "run"
    write_inputs(run_dir, {"live": baseline_findings()["live"]})
    assert main(["report", "--in", str(run_dir), "--quiet", "--expect", "live"]) == EXIT_OK
    report = json.loads((run_dir / "report.json").read_text())
    assert report["expected"] == {"layers": ["live"], "by": "report --expect live"}
    enc01 = _control(report, "ENC-01")
    assert enc01["layers"]["preview"] == {"status": "not_run", "findings": 0,
                                          "reason": "the preview layer was not expected in this run"}
    assert enc01["status"] == "pass"
    assert "Expected layers live (report --expect live) · ran live" in (run_dir / "summary.md").read_text()
    assert "static (not expected)" in (run_dir / "summary.md").read_text()


def test_an_unexpected_layer_that_is_present_is_still_judged(tmp_path):
    run_dir = tmp_path / "reports" / "run"
    findings = baseline_findings()
    write_inputs(run_dir, {"live": findings["live"]})
    write_findings(run_dir, "preview", findings["preview"], complete=False)  # the drift side was interrupted
    assert main(["report", "--in", str(run_dir), "--quiet", "--expect", "live"]) == EXIT_ERROR
    report = json.loads((run_dir / "report.json").read_text())
    assert report["exitReason"].startswith("gate.json is incomplete")


def test_a_stage_recorded_waiver_is_refused_only_waivers_waive(make_run):
    findings = baseline_findings()
    stream = findings["preview"][0]
    findings["preview"][0] = declared("ENC-01", "preview", "waived", stream.resource.id,
                                      message="waived: enc-01-kinesis-customer-managed-key disabled by the config")
    run = make_run(findings)
    assert run.exit_code == EXIT_ERROR
    enc01 = next(f for f in run.report["findings"] if f["control"] == "ENC-01" and f["layer"] == "preview")
    assert enc01["status"] == "error" and enc01["resource"]["name"] == "telemetry"
    assert enc01["message"].startswith("recorded as waived by the preview stage, but only a waiver in --waivers waives")
    assert run.report["summary"]["controls"]["waived"] == 0


@pytest.mark.parametrize("expect", ["", "runtime", "preview,runtime"])
def test_an_unknown_expected_layer_is_a_usage_error(make_run, capsys, expect):
    run = make_run(extra_args=["--expect", expect])
    assert run.exit_code == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --expect") and "preview, static, live" in err and "\n" not in err


def test_every_format_carries_the_missing_layer(make_run):
    findings = baseline_findings()
    del findings["static"]
    run = make_run(findings)
    junit = ET.fromstring(run.text("junit.xml"))
    static = next(s for s in junit.findall("testsuite") if s.get("name") == "compliance.static")
    enc01 = next(c for c in static.findall("testcase") if c.get("name") == "ENC-01 (no finding)")
    assert "static.json is missing" in enc01.find("error").get("message")
    rows = [r for r in read_csv(run.text("findings.csv")) if r["record"] == "layer" and r["control"] == "ENC-01"]
    assert [(r["layer"], r["status"]) for r in rows] == [("static", "error")]
    sarif = json.loads(run.text("report.sarif"))["runs"][0]
    assert sarif["invocations"][0]["executionSuccessful"] is False
    assert any(n["message"]["text"].startswith("ENC-01 not evaluated in the static layer: the static layer was "
                                               "expected") for n in sarif["invocations"][0]["toolExecutionNotifications"])
    assert sarif["properties"]["layers"]["static"]["expected"] is True
    assert STACK in run.text("index.html")

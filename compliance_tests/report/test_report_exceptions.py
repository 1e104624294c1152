"""Only waivers waive: a pack config or --checkov-args that silences findings is an exception, refused without a waiver.

The preview side runs the real gate (the pack over gRPC) on the hand-written
compliant platform graph with a ``--policy-pack-config``; the static side uses the
scan's own exception records on the report fixtures.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION
from compliance.report.csvfile import read_csv
from compliance.static.scan import deselected_findings, deselection_exceptions
from compliance_tests.policies.platform import platform_graph
from compliance_tests.report.conftest import Run
from compliance_tests.report.report_builders import STACK, baseline_findings, write_findings, write_inputs

TODAY = "2025-06-01"
RET01 = "ret-01-aurora-backup-retention"
CLUSTER_WAIVER = """\
version: 2
waivers:
  - control: RET-01
    resource: "*rds/cluster:Cluster::aurora"
    reason: Backups move to AWS Backup in Q3; the policy is off until then (SEC-77).
    owner: dba-team@example.com
    expires: 2025-08-31
"""


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "graph.json"
    platform_graph().write(path)
    return path


def _gated_run(tmp_path: Path, graph_file: Path, config: dict, *waivers: str) -> Run:
    """`gate --policy-pack-config` into a run, then `report --expect preview` (with waivers, if any)."""
    run_dir = tmp_path / "reports" / "20250601T000000Z"
    config_file = tmp_path / "policy-config.json"
    config_file.write_text(json.dumps(config))
    main(["gate", "--graph", str(graph_file), "--policy-pack-config", str(config_file), "--out", str(run_dir)])
    extra = []
    if waivers:
        (tmp_path / "waivers.yaml").write_text(waivers[0])
        extra = ["--waivers", str(tmp_path / "waivers.yaml")]
    code = main(["report", "--in", str(run_dir), "--quiet", "--expect", "preview", "--today", TODAY, *extra])
    return Run(run_dir, code)


def _cluster_finding(report: dict) -> dict:
    return next(f for f in report["findings"] if f["control"] == "RET-01" and f["resource"]["name"] == "aurora")


def test_a_disabled_policy_is_an_exception_with_no_owner_and_fails_the_run(tmp_path, graph_file):
    run = _gated_run(tmp_path, graph_file, {RET01: "disabled"})
    report = run.report
    assert run.exit_code == EXIT_ERROR
    [exception] = report["exceptions"]["entries"]
    assert (exception["kind"], exception["control"], exception["subject"], exception["state"]) == (
        "disabled", "RET-01", RET01, "refused")
    assert exception["waivers"] == []  # no owner, no reason, no expiry
    cluster = _cluster_finding(report)
    assert cluster["status"] == "error" and exception["findings"] == [cluster["id"]]
    assert report["summary"]["controls"]["waived"] == 0  # never counted as waived in the pass rate
    assert report["exitReason"].startswith(f"exceptions refused (no waiver covers them): {RET01} (RET-01, disabled)")
    html = run.text("index.html")
    section = html[html.index('id="exceptions"'):html.index('id="not-observable"')]
    assert RET01 in section and "no owner: no waiver covers it" in section
    assert f"| refused | RET-01 | preview | disabled | `{RET01}`" in run.text("summary.md")


def test_a_disabled_policy_covered_by_a_waiver_is_waived_naming_who_and_until_when(tmp_path, graph_file):
    run = _gated_run(tmp_path, graph_file, {RET01: "disabled"}, CLUSTER_WAIVER)
    report = run.report
    assert run.exit_code == EXIT_OK
    cluster = _cluster_finding(report)
    assert (cluster["status"], cluster["originalStatus"]) == ("waived", "error")
    [exception] = report["exceptions"]["entries"]
    assert exception["state"] == "waived"
    assert [(w["owner"], w["expires"], w["resource"]) for w in exception["waivers"]] == [
        ("dba-team@example.com", "2025-08-31", "*rds/cluster:Cluster::aurora")]
    sarif = json.loads(run.text("report.sarif"))["runs"][0]
    [result] = [r for r in sarif["results"] if r["ruleId"] == "RET-01"]
    assert result["suppressions"][0]["justification"].startswith("an exception, Backups move to AWS Backup")


def test_a_weakened_threshold_is_an_exception_naming_the_setting(tmp_path, graph_file):
    run = _gated_run(tmp_path, graph_file, {RET01: {"minDays": 7}})
    assert run.exit_code == EXIT_ERROR
    [exception] = run.report["exceptions"]["entries"]
    assert (exception["kind"], exception["detail"], exception["state"]) == (
        "weakened", "minDays: 7 is below the catalog's 30", "refused")
    cluster = _cluster_finding(run.report)
    assert cluster["status"] == "error" and "passed only under a weakened setting" in cluster["message"]


def test_a_stricter_threshold_is_no_exception(tmp_path, graph_file):
    run = _gated_run(tmp_path, graph_file, {RET01: {"minDays": 35}})
    assert run.exit_code == EXIT_VIOLATION
    assert run.report["exceptions"]["entries"] == []
    assert _cluster_finding(run.report)["status"] == "fail"


def test_a_setting_that_silenced_nothing_is_listed_unused_and_harmless(tmp_path, graph_file):
    run = _gated_run(tmp_path, graph_file, {"enc-01-kinesis-customer-managed-key": "advisory"})
    assert run.exit_code == EXIT_OK
    [exception] = run.report["exceptions"]["entries"]
    assert (exception["kind"], exception["state"], exception["findings"]) == ("advisory", "unused", [])


def _deselected_static(checkov_args: tuple[str, ...]) -> list:
    catalog = load_catalog()
    exceptions = deselection_exceptions(checkov_args, catalog)
    findings = baseline_findings()
    findings["static"] = [f for f in findings["static"] if f.control not in {e.control for e in exceptions}]
    findings["static"] += deselected_findings(exceptions, catalog, STACK)
    return findings, [e.to_dict() for e in exceptions]


def test_a_deselected_deciding_check_is_refused_then_waived_by_a_waiver(tmp_path):
    findings, exceptions = _deselected_static(("--skip-check", "CKV_IOT_21"))
    run_dir = write_inputs(tmp_path / "reports" / "run", findings)
    write_findings(run_dir, "static", findings["static"],
                   scope={"stack": STACK, "suffix": "dev", "exceptions": exceptions})
    assert main(["report", "--in", str(run_dir), "--quiet", "--today", TODAY]) == EXIT_ERROR
    report = json.loads((run_dir / "report.json").read_text())
    [exception] = report["exceptions"]["entries"]
    assert (exception["control"], exception["subject"], exception["state"]) == ("ENC-01", "CKV_IOT_21", "refused")
    assert exception["source"] == "--checkov-args '--skip-check CKV_IOT_21'"
    enc01 = next(c for c in report["controls"] if c["id"] == "ENC-01")
    assert enc01["layers"]["static"]["status"] == "error"
    rows = [r for r in read_csv((run_dir / "findings.csv").read_text()) if r["exceptions"]]
    assert [(r["control"], r["status"]) for r in rows] == [("ENC-01", "error")]
    assert "deselected: CKV_IOT_21" in rows[0]["exceptions"]

    waiver = tmp_path / "waivers.yaml"
    waiver.write_text("version: 2\nwaivers:\n  - control: ENC-01\n    resource: stack:dev\n    check: CKV_IOT_21\n"
                      "    reason: CKV_IOT_21 is being rewritten (SEC-9); ENC-01 is judged in preview and live.\n"
                      "    owner: sec-team@example.com\n    expires: 2025-07-01\n")
    out = tmp_path / "reports" / "run-waived"
    assert main(["report", "--in", str(run_dir), "--out", str(out), "--quiet", "--today", TODAY,
                 "--waivers", str(waiver)]) == EXIT_OK
    report = json.loads((out / "report.json").read_text())
    assert report["exceptions"]["entries"][0]["state"] == "waived"
    junit = ET.fromstring((out / "junit.xml").read_text())
    case = next(c for c in junit.iter("testcase") if c.get("classname") == "static.ENC-01")
    assert "waived by sec-team@example.com until 2025-07-01" in case.find("skipped").get("message")


def test_a_malformed_exception_record_is_a_one_line_error(tmp_path, capsys):
    findings = baseline_findings()
    run_dir = write_inputs(tmp_path / "reports" / "run", findings)
    write_findings(run_dir, "static", findings["static"],
                   scope={"stack": STACK, "exceptions": [{"kind": "ignored-it", "control": "ENC-01"}]})
    assert main(["report", "--in", str(run_dir), "--quiet"]) == EXIT_ERROR
    err = capsys.readouterr().err.strip()
    assert "static.json: scope.exceptions is malformed" in err and "\n" not in err


def test_the_documented_pack_config_example_renders_every_format_and_is_red(tmp_path, graph_file, capsys):
    """docs/gate.md's example once crashed `report` (junit.py, sarif.py) after summary.md said Exit 0."""
    example = {"all": "mandatory",
               "ret-01-aurora-backup-retention": {"enforcementLevel": "mandatory", "minDays": 35},
               "gov-03-required-tags": "disabled"}
    run = _gated_run(tmp_path, graph_file, example)
    assert run.exit_code == EXIT_ERROR
    assert "error: unexpected" not in capsys.readouterr().err
    for name in ("report.json", "index.html", "summary.md", "findings.csv", "junit.xml", "report.sarif"):
        assert (run.dir / name).is_file(), name
    assert _cluster_finding(run.report)["status"] == "fail"  # 30 days against 35: a real failure
    refused = [(e["control"], e["kind"]) for e in run.report["exceptions"]["entries"] if e["state"] == "refused"]
    assert refused == [("GOV-03", "disabled")]
    assert run.text("summary.md").count("**Exit 3**") == 1


GAP = "moto does not implement it (HTTP 500): the resource's tags were sent at create but cannot be read back"


def _gap_run(tmp_path: Path, endpoint: str, *extra: str) -> Run:
    from compliance_tests.report.report_builders import ACCOUNT, REGION, live

    findings = baseline_findings()
    findings["live"].append(live("GOV-03", "not_applicable", "arn:aws:iot:sa-east-1:123456789012:policy/device-dev",
                                 "device-dev", "AWS::IoT::Policy", message=f"tags not observable here: {GAP}",
                                 evidence={"api": "iot:ListTagsForResource", "knownGap": GAP}))
    run_dir = write_inputs(tmp_path / "reports" / "run", findings)
    write_findings(run_dir, "live", findings["live"], scope={"stack": STACK, "suffix": "dev", "regions": [REGION],
                                                             "account": ACCOUNT, "endpoint": endpoint})
    code = main(["report", "--in", str(run_dir), "--quiet", "--today", TODAY, *extra])
    return Run(run_dir, code)


def test_emulator_gaps_are_listed_apart_and_never_counted_as_waived(tmp_path):
    waiver = tmp_path / "waivers.yaml"
    waiver.write_text("version: 2\nwaivers:\n  - control: GOV-03\n    resource: '*device-dev'\n"
                      "    reason: Tags of IoT policies are set by the provisioning job.\n"
                      "    owner: iot-team@example.com\n    expires: 2025-07-01\n")
    run = _gap_run(tmp_path, "http://127.0.0.1:4566", "--waivers", str(waiver))
    assert run.exit_code == EXIT_OK
    [entry] = run.report["notObservable"]["entries"]
    assert (entry["control"], entry["resource"]["name"], entry["api"], entry["gap"]) == (
        "GOV-03", "device-dev", "iot:ListTagsForResource", GAP)
    finding = next(f for f in run.report["findings"] if f["id"] == entry["findingId"])
    assert finding["status"] == "not_applicable" and finding["waiver"] is None
    assert run.report["summary"]["controls"]["waived"] == 0 and run.report["exceptions"]["entries"] == []
    assert run.report["waivers"]["entries"][0]["state"] == "unused"
    html = run.text("index.html")
    assert "device-dev" in html[html.index('id="not-observable"'):html.index('id="waivers"')]
    assert "### Not observable in the sandbox" in run.text("summary.md")


@pytest.mark.parametrize("endpoint", ["", "https://kinesis.sa-east-1.amazonaws.com", "http://10.0.0.5:4566"])
def test_an_emulator_gap_claimed_off_the_loopback_sandbox_is_an_error(tmp_path, endpoint):
    run = _gap_run(tmp_path, endpoint)
    assert run.exit_code == EXIT_ERROR
    finding = next(f for f in run.report["findings"] if f["resource"]["name"] == "device-dev")
    assert finding["status"] == "error" and finding["message"].startswith("an emulator gap claimed by an audit of")
    assert run.report["notObservable"]["entries"] == []
    assert run.report["exitReason"] == "could not evaluate: GOV-03"

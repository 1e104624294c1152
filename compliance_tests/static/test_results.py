"""checkov results -> findings: mapping through the catalog, unmapped checks, coverage, duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.catalog import load_catalog
from compliance.errors import EvaluationError
from compliance.static.checkov_run import CheckovReport
from compliance.static.convert import graph_to_plan
from compliance.static.results import coverage_findings, plan_findings, secrets_findings
from compliance_tests.static.graphs import graph_of, resource


def _result(check: str, address: str, details: list[str] | None = None) -> dict:
    return {"check_id": check, "check_name": f"{check} name", "resource": address, "resource_address": address,
            "details": details or []}


@pytest.fixture
def plan(bridge):
    return graph_to_plan(graph_of(resource("aws:kinesis/stream:Stream", "telemetry",
                                           source={"file": "program/components/ingestion.py", "line": 39})), bridge)


def test_mapped_unmapped_and_unknown_resources(plan):
    """Our check decides ENC-01; the built-ins the catalog lists ride along, a disagreeing one marked."""
    report = CheckovReport(
        passed=[_result("CKV_AWS_43", "aws_kinesis_stream.telemetry"), _result("CKV_AWS_999", "aws_kinesis_stream.telemetry")],
        failed=[_result("CKV_IOT_21", "aws_kinesis_stream.telemetry", ["kmsKeyId is 'alias/aws/kinesis'"]),
                _result("CKV_AWS_185", "aws_kinesis_stream.telemetry", ["uses alias/aws/kinesis"]),
                _result("CKV_AWS_998", "aws_kinesis_stream.telemetry")],
    )
    mapped = plan_findings(report, plan, load_catalog(), "static-plan.json")
    by_check = {f.check: f for f in mapped.findings}
    assert set(by_check) == {"CKV_IOT_21", "CKV_AWS_998"}
    failed = by_check["CKV_IOT_21"]
    assert (failed.control, failed.status, failed.enforcement) == ("ENC-01", "fail", "mandatory")
    assert failed.message.startswith("CKV_IOT_21 name: kmsKeyId is 'alias/aws/kinesis'")
    assert failed.evidence["checkovAlso"] == [{"check": "CKV_AWS_185", "status": "fail"},
                                              {"check": "CKV_AWS_43", "status": "pass"}]
    assert failed.evidence["builtinDisagrees"] == ["CKV_AWS_43"]
    assert failed.evidence["file"] == "program/components/ingestion.py:39"
    assert (by_check["CKV_AWS_998"].control, by_check["CKV_AWS_998"].enforcement) == ("UNMAPPED", "advisory")
    assert (mapped.unmapped_passed, mapped.unmapped_failed) == (1, 1)
    with pytest.raises(EvaluationError, match="not in the plan"):
        plan_findings(CheckovReport(passed=[_result("CKV_AWS_43", "aws_kinesis_stream.other")]), plan,
                      load_catalog(), "static-plan.json")


def test_controls_without_results_are_not_applicable(plan):
    catalog = load_catalog()
    mapped = plan_findings(CheckovReport(passed=[_result("CKV_IOT_21", "aws_kinesis_stream.telemetry")]), plan,
                           catalog, "static-plan.json")
    extra = {f.control: f.status for f in coverage_findings(mapped.findings, catalog, "dev")}
    assert "ENC-01" not in extra
    assert extra["RET-01"] == "not_applicable"
    assert set(extra) == {c.id for c in catalog.with_layer("static")} - {"ENC-01"}


def test_two_secrets_on_one_line_give_one_finding():
    hit = {"check_id": "CKV_SECRET_2", "check_name": "AWS Access Key", "file_path": "/program/x.py",
           "file_line_range": [3, 4]}
    findings = secrets_findings(CheckovReport(failed=[hit, dict(hit)]), load_catalog(), Path("repo"), "dev")
    assert [(f.control, f.status, f.resource.id) for f in findings] == [("IAM-04", "fail", "file:program/x.py:3")]

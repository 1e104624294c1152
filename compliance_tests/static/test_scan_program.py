"""The real program, scanned: every resource scanned, no mapped check failing, every skip reasoned.

Acceptance: ``compliance scan`` on the program exits 0 and scans every resource.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from compliance.catalog import load_catalog
from compliance.static.checkov_run import load_skips
from compliance.static.convert import is_converted


def test_exits_0_and_scans_every_resource(clean_scan, program_graph):
    assert clean_scan.exit_code == 0, clean_scan.output
    expected = sum(1 for r in program_graph.resources if is_converted(r))
    assert clean_scan.result.scope["resources"] == expected
    checkov_summary = json.loads((clean_scan.out_dir / "checkov-plan.json").read_text())["summary"]
    assert checkov_summary["resource_count"] == expected


def test_no_mapped_check_fails(clean_scan):
    failing = [(f.control, f.check, f.resource.name, f.message) for f in clean_scan.result.findings
               if f.control != "UNMAPPED" and f.status != "pass" and f.status != "not_applicable"]
    assert failing == []


def test_unmapped_failures_are_advisory_and_name_their_resource(clean_scan):
    unmapped = clean_scan.findings(control="UNMAPPED")
    assert all(f.status == "fail" and f.enforcement == "advisory" for f in unmapped)
    from_plan = [f for f in unmapped if f.evidence.get("framework") != "secrets"]
    assert all(f.resource.id.startswith("urn:pulumi:") and f.evidence["terraformAddress"] for f in from_plan)
    assert clean_scan.result.scope["checkov"]["unmappedFailed"] == len(from_plan)


def test_no_checkov_failure_on_the_program_is_left_unmapped(clean_scan):
    """Every failure checkov reports on the program is a control's or a reasoned skip (policies/checkov/skips.yaml)."""
    unmapped = [(f.check, f.resource.name) for f in clean_scan.findings(control="UNMAPPED")
                if f.evidence.get("framework") != "secrets"]
    assert unmapped == []
    assert clean_scan.result.scope["checkov"]["unmappedFailed"] == 0


def test_every_static_control_has_findings(clean_scan):
    static = {c.id for c in load_catalog().with_layer("static")}
    evaluated = {f.control for f in clean_scan.result.findings if f.status == "pass"}
    assert static - evaluated == set()


def test_findings_name_the_pulumi_resource_and_the_evidence(clean_scan, program_graph):
    urns = {r["urn"]: r for r in program_graph.resources}
    stream = [f for f in clean_scan.findings(control="ENC-01") if f.check == "CKV_IOT_21"]
    assert len(stream) == 1
    finding = stream[0]
    assert urns[finding.resource.id]["type"] == finding.resource.type == "aws:kinesis/stream:Stream"
    assert finding.resource.name == "telemetry"
    assert finding.evidence["terraformAddress"] == "aws_kinesis_stream.telemetry"
    assert finding.evidence["file"].startswith("program/")


def test_skips_are_reasoned_and_listed(clean_scan):
    skips = load_skips()
    assert skips, "the skips file lists nothing"
    assert clean_scan.result.scope["checkov"]["skipped"] == skips
    ran = {f.check for f in clean_scan.result.findings}
    assert ran.isdisjoint(skips)


def test_secrets_scan_ran_and_found_no_credentials(clean_scan):
    """No credential detector fires; the high-entropy heuristics (unmapped) may, as advisories."""
    secrets = [f for f in clean_scan.result.findings if f.evidence.get("framework") == "secrets"]
    assert [(f.control, f.status) for f in secrets if f.control != "UNMAPPED"] == [("IAM-04", "pass")]
    assert all(f.enforcement == "advisory" for f in secrets if f.control == "UNMAPPED")
    assert json.loads((clean_scan.out_dir / "checkov-secrets.json").read_text())


def test_checkov_sarif_and_junit_are_kept(clean_scan):
    """checkov's SARIF lists its failures (here: the advisory unmapped ones), its JUnit every check.

    A skipped check (our not_applicable, e.g. IAM-05 on a group judged on its secret) is a SARIF result
    with a suppression, not a failure.
    """
    sarif = json.loads((clean_scan.out_dir / "checkov-plan.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    sarif_failures = {(r["ruleId"]) for run in sarif["runs"] for r in run["results"] if not r.get("suppressions")}
    assert sarif_failures == {f.check for f in clean_scan.findings(control="UNMAPPED")
                              if f.evidence.get("framework") != "secrets"}
    testcases = [t for t in ET.parse(clean_scan.out_dir / "checkov-plan.xml").getroot().iter("testcase")
                 if t.find("skipped") is None]
    scope = clean_scan.result.scope["checkov"]
    evaluated = [t for t in testcases if t.find("skipped") is None]  # a skipped one: a not_applicable of ours
    assert len(evaluated) == scope["passed"] + scope["failed"]


def test_the_plan_file_is_kept_and_secrets_stay_redacted(clean_scan):
    plan = (clean_scan.out_dir / "static-plan.json").read_text()
    assert json.loads(plan)["terraform_version"]
    assert "[secret]" in plan  # the Redis AUTH token, as render redacted it


def test_finding_ids_are_unique(clean_scan):
    ids = [f.id for f in clean_scan.result.findings]
    assert len(ids) == len(set(ids))

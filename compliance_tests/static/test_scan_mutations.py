"""One graph with every mutation, scanned once: each is caught, naming its resource and control.

Acceptance: a graph with the Aurora retention set to 7 exits 1 naming RET-01.
"""

from __future__ import annotations

import json

import pytest

from compliance_tests.static.mutations import Mutation


def _matching(run, mutation: Mutation):
    return [f for f in run.result.findings
            if f.control == mutation.control and f.check == mutation.check
            and f.resource.name == mutation.name and f.resource.type.endswith(mutation.type)]


def test_exits_1_naming_the_aurora_retention_and_ret_01(mutated_scan):
    assert mutated_scan.exit_code == 1, mutated_scan.output
    lines = [line for line in mutated_scan.output.splitlines() if line.startswith("FAIL RET-01 CKV_IOT_7 aurora")]
    assert lines and "backupRetentionPeriod is 7, below 30" in lines[0]


def test_every_mutation_is_caught_on_its_resource(mutated_scan, mutations):
    missed = []
    for mutation in mutations[1]:
        found = _matching(mutated_scan, mutation)
        if not found or any(f.status != "fail" for f in found):
            missed.append(mutation.what)
    assert missed == []


def test_the_same_checks_pass_on_the_clean_program(clean_scan, mutations):
    """Each catching check evaluated the unmutated resource and passed it: the tests can fail."""
    not_passing = []
    for mutation in mutations[1]:
        if mutation.added:
            continue
        found = _matching(clean_scan, mutation)
        if not found or any(f.status != "pass" for f in found):
            not_passing.append(mutation.what)
    assert not_passing == []


def test_failures_stay_on_the_mutated_resources(mutated_scan, mutations):
    mutated = {m.name for m in mutations[1]}
    elsewhere = sorted({(f.control, f.check, f.resource.name) for f in mutated_scan.result.findings
                        if f.status == "fail" and f.control != "UNMAPPED" and f.resource.name not in mutated})
    assert elsewhere == []


@pytest.mark.parametrize("control", ["ENC-01", "RET-01", "NET-01", "RET-02", "RET-04", "GOV-01", "IAM-02"])
def test_issue_mutations_are_mandatory_failures(mutated_scan, control):
    failures = [f for f in mutated_scan.findings(control=control) if f.status == "fail"]
    assert failures and all(f.enforcement == "mandatory" for f in failures)


def _checkov_results(run, check: str) -> dict[str, str]:
    """Terraform address -> PASSED/FAILED for one check, from checkov's own JSON."""
    results = json.loads((run.out_dir / "checkov-plan.json").read_text())["results"]
    return {r["resource_address"]: r["check_result"]["result"]
            for r in results["passed_checks"] + results["failed_checks"] if r["check_id"] == check}


def test_cross_resource_checks_find_their_edges(clean_scan, mutated_scan):
    """Edges exist only through configuration references built from propertyDependencies."""
    for check in ("CKV_AWS_21", "CKV_AWS_145", "CKV2_AWS_6"):  # versioning, SSE-KMS, public access block
        assert _checkov_results(clean_scan, check) == {
            "aws_s3_bucket.raw_archive": "PASSED", "aws_s3_bucket.trail_logs": "PASSED",
            "aws_s3_bucket.evidence": "PASSED"}, check
    assert _checkov_results(clean_scan, "CKV2_AWS_10") == {"aws_cloudtrail.audit": "PASSED"}
    assert _checkov_results(mutated_scan, "CKV2_AWS_57") == {"aws_secretsmanager_secret.redis_auth": "PASSED"}

"""LOG-03 and IAM-05 in the static scan of the program (the session's clean scan; no extra checkov run).

The two findings checkov used to report unmapped on the program, VPC flow logs
(CKV2_AWS_11) and the rotation of the Redis AUTH secret (CKV2_AWS_57), now
pass: the flow log and the rotation are in the plan with the edges checkov's
graph checks follow. The checks and the catalog entries that will claim them
belong to the controls' owners; this only proves the program meets them.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def checkov(clean_scan) -> dict[tuple[str, str], str]:
    """(check ID, Terraform address) -> PASSED or FAILED, from checkov's own JSON report."""
    results = json.loads((clean_scan.out_dir / "checkov-plan.json").read_text())["results"]
    return {(c["check_id"], c["resource"]): c["check_result"]["result"]
            for kind in ("passed_checks", "failed_checks") for c in results[kind]}


def test_the_vpc_has_flow_logs(checkov):
    assert checkov[("CKV2_AWS_11", "aws_vpc.network_main")] == "PASSED"


def test_the_redis_auth_secret_rotates(checkov):
    assert checkov[("CKV2_AWS_57", "aws_secretsmanager_secret.redis_auth")] == "PASSED"


def test_neither_is_reported_unmapped_any_more(clean_scan):
    unmapped = {f.check for f in clean_scan.findings(control="UNMAPPED")}
    assert not unmapped & {"CKV2_AWS_11", "CKV2_AWS_57"}


def test_the_new_resources_are_in_the_scanned_plan(clean_scan):
    plan = json.loads((clean_scan.out_dir / "static-plan.json").read_text())
    addresses = {r["address"] for r in plan["planned_values"]["root_module"]["resources"]}
    assert {"aws_flow_log.network_main", "aws_lambda_permission.redis_auth_rotation",
            "aws_secretsmanager_secret_rotation.redis_auth", "aws_lambda_function.redis_auth_rotation",
            "aws_vpc_endpoint.network_elasticache"} <= addresses

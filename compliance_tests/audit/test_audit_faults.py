"""Faults: access denied, throttling past retries, an endpoint that goes away, Ctrl-C.

Each fault is a real HTTP answer (or a real missing one) from a proxy on
127.0.0.1 in front of the sandbox, parsed by botocore as it parses AWS. Each
must make what it touches ``error`` (never pass), keep every other check
reported, and end the run with exit 3.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from compliance import REPO_ROOT
from compliance.catalog import load_catalog
from compliance.errors import EXIT_ERROR
from compliance_tests.audit.audit_runs import run_audit_cli, sandbox_args
from compliance_tests.audit.conftest import sandbox_defects
from compliance_tests.audit.fault_proxy import Fault, FaultProxy

LIVE = {c.id for c in load_catalog().with_layer("live")}
KEY_CONTROLS = {"ENC-01", "ENC-02", "ENC-03", "ENC-04", "ENC-05", "ENC-06", "ENC-07", "ENC-08", "ENC-09",
                "KMS-01", "KMS-02", "KMS-03", "LOG-03"}  # LOG-03: the flow log group's key
EVERY_RESOURCE = {"GOV-01", "GOV-02", "GOV-03"}  # their listings span every type


@pytest.fixture
def proxy(deployed_dev):
    with FaultProxy(deployed_dev.endpoint) as proxy:
        yield proxy


def audit_through(proxy, stack, tmp_path, *extra: str):
    return run_audit_cli(tmp_path, *sandbox_args(stack, *extra, endpoint=proxy.endpoint))


UNOBSERVABLE = {"IAM-05"}  # the sandbox cannot show it at all (moto cannot run a rotation function: a known gap)


def assert_green_elsewhere(run, touched: set[str], stack) -> None:
    """Every control the fault cannot touch is still decided, and green (known sandbox defects aside)."""
    defects = sandbox_defects(stack)
    for control in LIVE - touched:
        findings = [f for f in run.of(control) if (f.control, f.resource.name) not in defects]
        statuses = {f.status for f in findings}
        gapped = control in UNOBSERVABLE and all(f.evidence.get("knownGap") for f in findings)
        assert statuses and statuses <= {"pass", "not_applicable"} and ("pass" in statuses or gapped), \
            (control, statuses)


def test_access_denied_for_one_operation(proxy, deployed_dev, tmp_path):
    proxy.state.faults.append(Fault("kms", "AccessDeniedException", 400, operation="GetKeyRotationStatus"))
    run = audit_through(proxy, deployed_dev, tmp_path)
    assert run.exit_code == EXIT_ERROR
    errors = run.with_status("error")
    assert {f.control for f in errors} == {"KMS-01"}
    # every key, the asymmetric evidence signing key too: the audit reads its rotation status like any key's
    assert {f.resource.name for f in errors} == {f"kms-{s}-dev" for s in [*deployed_dev.outputs["kmsKeyArns"],
                                                                          "evidence-signing"]}
    for finding in errors:
        assert "grant kms:GetKeyRotationStatus to the auditor role" in finding.message
        assert finding.evidence["errorKind"] == "access_denied"
    assert_green_elsewhere(run, {"KMS-01"}, deployed_dev)


def test_access_denied_for_a_whole_service(proxy, deployed_dev, tmp_path):
    proxy.state.faults.append(Fault("kms", "AccessDeniedException", 400))
    run = audit_through(proxy, deployed_dev, tmp_path)
    assert run.exit_code == EXIT_ERROR
    errors = run.with_status("error")
    assert {f.control for f in errors} <= KEY_CONTROLS | EVERY_RESOURCE
    assert {f.control for f in errors} >= KEY_CONTROLS
    assert all(f.evidence["api"].startswith("kms:") and "grant kms:" in f.message for f in errors)
    assert not [f for f in run.findings if f.control in KEY_CONTROLS and f.status == "pass"]
    assert_green_elsewhere(run, KEY_CONTROLS | EVERY_RESOURCE, deployed_dev)


def test_throttling_past_retries(proxy, deployed_dev, tmp_path):
    proxy.state.faults.append(Fault("dynamodb", "ThrottlingException", 400))
    run = audit_through(proxy, deployed_dev, tmp_path)
    assert run.exit_code == EXIT_ERROR
    # ListTables tried twice (--max-attempts 2); its failure is shared by every check that lists tables
    assert proxy.state.injected == ["dynamodb:ListTables"] * 2, proxy.state.injected
    touched = {"ENC-06", "RET-02", "DES-02", "LOG-01", "KMS-02"} | EVERY_RESOURCE
    errors = run.with_status("error")
    assert {f.control for f in errors} == touched
    assert all(f.evidence["errorKind"] == "throttled" and "throttled" in f.message for f in errors)
    assert_green_elsewhere(run, touched, deployed_dev)


def test_a_page_without_its_result_key_is_an_error(proxy, deployed_dev, tmp_path):
    """ListTables answered 200 with ``{}``: nothing was listed, which is an error naming the call, not "no table"."""
    proxy.state.faults.append(Fault("dynamodb", "", 200, operation="ListTables", body="{}"))
    run = audit_through(proxy, deployed_dev, tmp_path)
    assert run.exit_code == EXIT_ERROR
    assert proxy.state.injected == ["dynamodb:ListTables"], proxy.state.injected
    touched = {"ENC-06", "RET-02", "DES-02", "LOG-01", "KMS-02"} | EVERY_RESOURCE
    errors = run.with_status("error")
    assert {f.control for f in errors} == touched
    for finding in errors:
        assert "dynamodb:ListTables answered a page without TableNames" in finding.message, finding
        assert finding.evidence["errorCode"] == "MissingResultKey"
    assert not [f for f in run.findings if f.resource.type == "aws:dynamodb/table:Table" and f.status != "error"]
    assert_green_elsewhere(run, touched, deployed_dev)


def test_endpoint_going_away_mid_run(proxy, deployed_dev, tmp_path):
    proxy.state.down_after = 60
    run = audit_through(proxy, deployed_dev, tmp_path)
    assert run.exit_code == EXIT_ERROR
    assert proxy.state.went_down.is_set()
    errors = run.with_status("error")
    assert errors and all(f.evidence["errorKind"] == "unreachable" for f in errors)
    assert all(f"could not reach {proxy.endpoint}" in f.message for f in errors)
    assert run.with_status("pass")  # what was read before it went away is still reported
    assert {f.control for f in run.findings} == LIVE


def test_unreachable_from_the_start_is_an_error(deployed_dev, tmp_path):
    with FaultProxy(deployed_dev.endpoint) as closed:
        endpoint = closed.endpoint
    run = run_audit_cli(tmp_path, *sandbox_args(deployed_dev, endpoint=endpoint))
    assert run.exit_code == EXIT_ERROR
    assert not run.file.complete and not run.findings
    assert "cannot identify the account" in run.output and "could not reach" in run.output


def test_ctrl_c_leaves_an_incomplete_audit(proxy, deployed_dev, tmp_path):
    proxy.state.delay_seconds = 0.3
    out = tmp_path / "interrupted"
    child = subprocess.Popen(
        [sys.executable, "-m", "compliance", "audit", "--max-attempts", "2", "--out", str(out),
         *sandbox_args(deployed_dev, endpoint=proxy.endpoint)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while proxy.state.forwarded < 20 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert child.poll() is None, "the audit ended before it could be interrupted"
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == EXIT_ERROR, stderr
    assert "interrupted" in stderr
    written = json.loads((out / "audit.json").read_text())
    assert written["complete"] is False
    assert len(written["findings"]) < 200  # stopped well before a full audit (about 250 findings)

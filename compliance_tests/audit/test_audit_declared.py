"""The live audit proves it read what it should: every exported resource found, every declared region read.

A resource the stack's outputs name but the account lacks fails each live check
that judges its type, naming it, and the report built from that run shows it
as drift; the wrong ``--region`` is an error, never complete-and-green; an
empty region the stack does not use is fine. The table of output keys
(``compliance.audit.declared.OUTPUTS``) follows the program's exports.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest

from compliance.audit.declared import NOT_RESOURCES, OUTPUTS
from compliance.audit.registry import all_checks
from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION
from compliance.findings import FindingsFile
from compliance.render import render_graph
from compliance_tests.audit.audit_runs import MOTO_READ_GAPS, run_audit_cli, sandbox_args
from compliance_tests.audit.conftest import stack_client

GONE_SUFFIX = "auditgone"
STREAM = "aws:kinesis/stream:Stream"
REGIONAL_CONTROLS = {c.control for c in all_checks() if c.scope == "regional"}


def test_every_output_key_of_the_program_is_in_the_table():
    """program/__main__.py's exports and the audit's table of what they name cannot drift apart."""
    exported = set(render_graph("dev").data["outputs"])
    assert exported - set(OUTPUTS) - set(NOT_RESOURCES) == set(), "add the new output keys to OUTPUTS"
    assert (set(OUTPUTS) | set(NOT_RESOURCES)) - exported == set(), "drop the keys the program no longer exports"
    assert not set(OUTPUTS) & set(NOT_RESOURCES)
    assert all(OUTPUTS[row.same_as].type == row.type for row in OUTPUTS.values() if row.same_as)


def other_region_args(stack, *regions: str, outputs: bool = False) -> list[str]:
    args = ["--endpoint-url", stack.endpoint, "--suffix", stack.suffix, "--known-gaps", str(stack.gaps_path),
            "--known-gaps", str(MOTO_READ_GAPS)]
    args += [arg for region in regions for arg in ("--region", region)]
    return args + (["--outputs", str(stack.outputs_path)] if outputs else [])


def test_the_wrong_region_is_an_error(deployed_dev, tmp_path):
    """dev lives in sa-east-1: audited in us-east-1 only global IAM roles are read, which is no green audit."""
    run = run_audit_cli(tmp_path, *other_region_args(deployed_dev, "us-east-1"))
    assert run.exit_code == EXIT_ERROR, run.output
    assert run.file.complete
    assert run.file.scope["emptyRegions"] == ["us-east-1"] and run.file.scope["regionsRead"] == {"us-east-1": 0}
    errors = run.with_status("error")
    assert {f.control for f in errors} == REGIONAL_CONTROLS
    assert all(f.message.startswith("no in-scope regional resource in us-east-1 (no audited region holds one; "
                                    "only global resources were read)") for f in errors)
    assert not [f for f in run.findings if f.resource.region == "us-east-1" and f.status != "error"]


def test_the_wrong_region_with_outputs_names_the_stacks_region(deployed_dev, tmp_path):
    run = run_audit_cli(tmp_path, *other_region_args(deployed_dev, "us-east-1", outputs=True))
    assert run.exit_code == EXIT_ERROR, run.output
    not_read = [f for f in run.with_status("error") if f.resource.region == deployed_dev.region]
    assert {f.control for f in not_read} == REGIONAL_CONTROLS
    assert all("a region this audit did not read: add --region sa-east-1" in f.message for f in not_read)
    [stream] = [f for f in not_read if f.control == "ENC-01"]
    assert stream.resource.type == STREAM and "(streamName, streamArn)" in stream.message
    declared = run.file.scope["outputs"]
    assert declared["regionsNotRead"] == {deployed_dev.region: declared["declared"]} and declared["absent"] == []


def test_an_empty_region_the_stack_does_not_use_is_fine(deployed_dev, tmp_path):
    run = run_audit_cli(tmp_path, *other_region_args(deployed_dev, deployed_dev.region, "us-east-1", outputs=True))
    assert run.exit_code == EXIT_OK, run.output
    assert run.file.scope["regionsRead"]["us-east-1"] == 0 and "emptyRegions" not in run.file.scope
    assert not run.with_status("error", "fail")
    assert {f.status for f in run.findings if f.resource.region == "us-east-1"} == {"not_applicable"}


@pytest.fixture(scope="module")
def gone_stack(sandbox_stack_factory):
    """A stack of its own whose exported stream is deleted after deploy (never restored: no other test reads it)."""
    stack = sandbox_stack_factory(GONE_SUFFIX)
    kinesis = stack_client(stack, "kinesis")
    kinesis.delete_stream(StreamName=stack.outputs["streamName"], EnforceConsumerDeletion=True)
    assert stack.outputs["streamName"] not in kinesis.list_streams()["StreamNames"]
    return stack


def quietly(*argv: str) -> int:
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        return main(list(argv))


def test_a_deleted_exported_stream_fails_naming_it_and_the_report_shows_drift(gone_stack, tmp_path):
    outputs = gone_stack.outputs
    run_dir = tmp_path / "run"
    assert quietly("render", "--stack", "dev", "--config", f"environmentSuffix={GONE_SUFFIX}",
                   "--out", str(run_dir / "graph.json")) == EXIT_OK
    quietly("gate", "--graph", str(run_dir / "graph.json"), "--out", str(run_dir))
    assert (run_dir / "gate.json").is_file()
    code = quietly("audit", "--max-attempts", "2", "--out", str(run_dir),
                   *sandbox_args(gone_stack, "--outputs", str(gone_stack.outputs_path)))
    audit = FindingsFile.read(run_dir / "audit.json")
    assert code == EXIT_VIOLATION and audit.complete
    gone = [f for f in audit.findings if f.resource.id == outputs["streamArn"]]
    assert {f.control for f in gone} == {"ENC-01", "GOV-01", "GOV-02", "GOV-03"}
    for finding in gone:
        assert finding.status == "fail" and finding.resource.type == STREAM
        assert finding.message == (f"{outputs['streamName']}: declared by the stack's outputs (streamName, "
                                   "streamArn) but absent from the account")
    assert audit.scope["outputs"]["absent"] == [outputs["streamArn"]]
    others = {(f.control, f.resource.name) for f in audit.findings
              if f.status in ("fail", "error") and f.resource.type != STREAM}
    assert others <= {("KMS-02", f"kms-kinesis-{GONE_SUFFIX}")}, others  # its key now serves nothing

    assert quietly("report", "--in", str(run_dir), "--outputs", str(gone_stack.outputs_path), "--quiet") != EXIT_OK
    report = json.loads((run_dir / "report.json").read_text())
    drift = [d for d in report["drift"]["items"] if d["control"] == "ENC-01"]
    assert len(drift) == 1, report["drift"]
    [item] = drift
    assert item["resource"]["type"] == STREAM and item["declared"]["status"] == "pass"
    assert item["live"]["status"] == "fail" and item["live"]["resourceId"] == outputs["streamArn"]
    assert "absent from the account" in item["live"]["message"]

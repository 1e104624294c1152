"""Organization audit against a moto server over HTTP: three accounts x two regions, one report.

Each test names what it proves; every one can fail (a finding in the wrong account, an error counted as pass,
a run that stops at the first bad account, a merge that differs from the organization run, a tampered run joined).
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.errors import EXIT_ERROR
from compliance.findings import FindingsFile
from compliance_tests.organization.conftest import PLANTED, REGIONS, WITH_ROLE

ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):")


def audit(org, out: Path, names: set[str], *extra: str) -> tuple[int, FindingsFile]:
    accounts = org.accounts_file(out.parent / f"{out.name}-accounts.yaml", names)
    code = main(["audit", "--accounts", str(accounts), "--endpoint-url", org.endpoint, "--max-attempts", "4",
                 "--workers", "3", *org.gaps_args(), "--out", str(out), *extra])
    return code, FindingsFile.read(out / "audit.json")


@pytest.fixture(scope="module")
def org_run(org, tmp_path_factory):
    out = tmp_path_factory.mktemp("orgrun") / "20260101T000000Z"
    return (*audit(org, out, WITH_ROLE), out)


def by_account(findings_file: FindingsFile) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for f in findings_file.findings:
        grouped.setdefault(f.resource.account_name, []).append(f)
    return grouped


def test_three_accounts_two_regions_each_read_in_its_own_account(org, org_run):
    code, result, _ = org_run
    accounts = {a["name"]: a for a in result.scope["accounts"]}
    assert set(accounts) == WITH_ROLE
    grouped = by_account(result)
    for name in WITH_ROLE:
        member = org.member(name)
        assert accounts[name]["status"] in ("complete", "error"), accounts[name]
        assert accounts[name]["regions"] == list(REGIONS)
        assert accounts[name]["resourcesAudited"] > 20, accounts[name]
        mine = grouped[name]
        assert {f.resource.account for f in mine} == {member.account_id}
        # isolation: every ARN a finding names is of the account it is filed under
        arn_accounts = {m.group(1) for f in mine if (m := ARN_ACCOUNT.match(f.resource.id))}
        assert arn_accounts == {member.account_id}, (name, arn_accounts)
        # the stack was found in its own region, and only there
        stack_regions = {f.resource.region for f in mine if f.status in ("pass", "fail") and f.resource.region}
        assert stack_regions == {member.region}, (name, stack_regions)
        assert not [f for f in mine if f.status == "error"], [f.message for f in mine if f.status == "error"][:3]
    assert result.complete


def test_violation_planted_in_one_account_is_reported_on_that_account_only(org, org_run):
    _, result, _ = org_run
    failed = [f for f in result.findings if f.status == "fail"]
    assert failed, "the planted unencrypted stream was not caught"
    assert {(f.resource.account_name, f.resource.name) for f in failed} == {("plant-b", PLANTED)}
    enc = [f for f in failed if f.control == "ENC-01"]
    assert enc and enc[0].resource.account == org.member("plant-b").account_id
    assert enc[0].resource.region == "ap-southeast-1"
    assert org_run[0] == 1  # a mandatory failure, nothing errored


def test_role_missing_in_one_account_is_that_accounts_error_and_exit_3(org, tmp_path):
    code, result = audit(org, tmp_path / "20260101T000001Z", {"plant-a", "plant-norole"})
    assert code == EXIT_ERROR
    accounts = {a["name"]: a for a in result.scope["accounts"]}
    assert accounts["plant-norole"]["status"] == "error"
    assert "AssumeRole denied" in accounts["plant-norole"]["reason"]
    norole = by_account(result)["plant-norole"]
    assert norole and {f.status for f in norole} == {"error"}
    assert {f.resource.region for f in norole} == {*REGIONS, ""}  # every region, and the global checks
    a = by_account(result)["plant-a"]
    assert accounts["plant-a"]["status"] == "complete"
    assert Counter(f.status for f in a)["pass"] > 50 and not [f for f in a if f.status == "error"]


def test_throttled_account_does_not_stop_the_others(org, tmp_path):
    b = org.member("plant-b").account_id
    org.gate.throttled.add(b)
    before = org.gate.throttles[b]
    try:
        code, result = audit(org, tmp_path / "20260101T000002Z", WITH_ROLE, "--retry-mode", "adaptive")
    finally:
        org.gate.throttled.discard(b)
    assert org.gate.throttles[b] > before + 20  # the throttling reached the audit
    accounts = {a["name"]: a for a in result.scope["accounts"]}
    for name in ("plant-a", "plant-c"):
        assert accounts[name]["status"] == "complete", accounts[name]
        assert accounts[name]["errors"] == 0
    throttled = by_account(result)["plant-b"]
    assert Counter(f.status for f in throttled)["pass"] > 50  # retries got through for most calls
    # whatever did not get through is an error naming the throttling, never a pass
    assert all("throttled" in f.message for f in throttled if f.status == "error")
    assert not [f for f in result.findings if f.status == "pass" and f.resource.account == ""]


def _report(run: Path) -> dict:
    assert main(["report", "--in", str(run), "--expect", "live", "--quiet"]) in (0, 1, 3)
    return json.loads((run / "report.json").read_text())


def _comparable(report: dict) -> dict:
    findings = sorted((f["id"], f["status"], f["control"], f["message"], json.dumps(f["resource"], sort_keys=True))
                      for f in report["findings"])
    return {"findings": findings, "controls": report["summary"]["controls"], "exitCode": report["exitCode"]}


@pytest.fixture(scope="module")
def per_account_runs(org, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    runs = []
    for n, name in enumerate(sorted(WITH_ROLE), start=1):
        run = root / f"20260101T00000{n}Z"
        audit(org, run, {name})
        _report(run)
        runs.append(run)
    return root, runs


def test_merge_of_per_account_reports_equals_the_organization_run(org, org_run, per_account_runs, tmp_path):
    root, runs = per_account_runs
    org_dir = tmp_path / "20260101T000000Z"
    shutil.copytree(org_run[2], org_dir)
    org_report = _report(org_dir)
    merged = root / "20260101T000009Z"
    code = main(["report", "--quiet", "merge", *map(str, runs), "--into", str(merged)])
    merged_report = json.loads((merged / "report.json").read_text())
    assert code == org_report["exitCode"] == 1
    assert _comparable(merged_report) == _comparable(org_report)
    assert {a["name"] for a in merged_report["inputs"][0]["scope"]["accounts"]} == WITH_ROLE
    assert main(["report", "verify", str(merged)]) == 0


def test_merge_refuses_a_run_that_no_longer_matches_its_manifest(per_account_runs, tmp_path, capsys):
    root, runs = per_account_runs
    tampered = tmp_path / runs[1].name
    shutil.copytree(runs[1], tampered)
    data = json.loads((tampered / "audit.json").read_text())
    data["findings"] = [f for f in data["findings"] if f["status"] != "fail"]
    (tampered / "audit.json").write_text(json.dumps(data))
    capsys.readouterr()
    code = main(["report", "merge", str(runs[0]), str(tampered), "--into", str(tmp_path / "20260101T000010Z")])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert f"refusing {tampered}" in err and "audit.json: changed" in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert not (tmp_path / "20260101T000010Z" / "report.json").exists()


def test_every_report_format_names_account_and_region_of_the_planted_violation(org, org_run, tmp_path):
    from compliance.report.csvfile import read_csv

    run = tmp_path / "20260101T000011Z"
    shutil.copytree(org_run[2], run)
    report = _report(run)
    b = org.member("plant-b")
    enc = next(f for f in report["findings"] if f["control"] == "ENC-01" and f["status"] == "fail")
    assert (enc["resource"]["account"], enc["resource"]["account_name"], enc["resource"]["region"]) == (
        b.account_id, "plant-b", "ap-southeast-1")
    html = (run / "index.html").read_text()
    assert 'id="filter-account"' in html and f'<option value="{b.account_id}">plant-b ({b.account_id})</option>' in html
    assert f'id="account-{b.account_id}"' in html and html.count('class="account-row"') == 3
    rows = [r for r in read_csv((run / "findings.csv").read_text()) if r["control"] == "ENC-01" and r["status"] == "fail"]
    assert [(r["account"], r["account_name"], r["region"]) for r in rows] == [(b.account_id, "plant-b", "ap-southeast-1")]
    sarif = json.loads((run / "report.sarif").read_text())
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "ENC-01")
    assert result["properties"]["account"] == b.account_id and result["properties"]["region"] == "ap-southeast-1"
    junit = (run / "junit.xml").read_text()
    assert f"ENC-01 {PLANTED} [plant-b {b.account_id} ap-southeast-1]" in junit
    assert f"plant-b `{b.account_id}`" in (run / "summary.md").read_text()

"""`compliance run --org-sandbox N` and `run --live --accounts FILE`: the plan, and the organization run end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from compliance import REPO_ROOT
from compliance.pipeline.stages import MOTO_READ_GAPS, Options, plan


def _options(tmp_path: Path, **kw) -> Options:
    defaults = {"run_dir": tmp_path / "reports" / "20250101T000000Z", "stack": "dev", "suffix": "dev",
                "regions": ("sa-east-1",), "live": False, "port": 45998}
    return Options(**{**defaults, **kw})


def test_org_sandbox_plan_builds_the_organization_and_audits_every_member(tmp_path):
    stages = {s.name: s for s in plan(_options(tmp_path, org_sandbox=3))}
    # no sign stage: the members' evidence keys are not the management account's
    assert list(stages) == ["render", "gate", "scan", "sandbox-up", "audit", "report", "sandbox-down"]
    org = tmp_path / "reports" / "20250101T000000Z" / "org"
    up = stages["sandbox-up"].argv
    assert up[up.index("--org-members") + 1] == "3" and up[up.index("--org-dir") + 1] == str(org)
    audit = stages["audit"].argv
    assert audit[audit.index("--accounts") + 1] == str(org / "accounts.yaml")
    assert audit[audit.index("--regions") + 1] == "sa-east-1,ap-southeast-1"
    gaps = [audit[i + 1] for i, arg in enumerate(audit) if arg == "--known-gaps"]
    assert gaps == [str(org / f"plant-{i}" / "gaps.json") for i in (1, 2, 3)] + [str(MOTO_READ_GAPS)]
    assert stages["audit"].env["AWS_ACCESS_KEY_ID"] == "sandbox" and "AWS_PROFILE" in stages["audit"].unset


def test_live_plan_with_an_accounts_file_audits_its_accounts(tmp_path):
    accounts = tmp_path / "accounts.yaml"
    audit = next(s for s in plan(_options(tmp_path, live=True, accounts=accounts)) if s.name == "audit").argv
    assert audit[audit.index("--accounts") + 1] == str(accounts) and "--endpoint-url" not in audit


def test_run_org_sandbox_audits_every_member_into_one_report(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run([sys.executable, "-m", "compliance", "run", "--org-sandbox", "2", "--reports",
                           str(tmp_path / "reports"), "--state-dir", str(tmp_path / ".sandbox")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "reports" / "latest" / "report.json").read_text())
    live = next(i for i in report["inputs"] if i["layer"] == "live")
    assert [(a["name"], a["status"]) for a in live["scope"]["accounts"]] == [("plant-1", "complete"),
                                                                             ("plant-2", "complete")]
    accounts = {f["resource"].get("account_name") for f in report["findings"] if f["layer"] == "live"}
    assert accounts == {"plant-1", "plant-2"}
    regions = {f["resource"]["region"] for f in report["findings"]
               if f["layer"] == "live" and f["status"] == "pass" and f["resource"].get("account_name") == "plant-2"
               and f["resource"]["region"]}
    assert regions == {"ap-southeast-1"}  # plant-2 is the member deployed in ap-southeast-1

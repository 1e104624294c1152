"""checkov's secrets scan finds a hard-coded credential and the finding names the file and IAM-04."""

from __future__ import annotations

from compliance.catalog import load_catalog
from compliance.static.checkov_run import scan_secrets
from compliance.static.results import secrets_findings


def test_a_hard_coded_access_key_fails_iam_04(tmp_path):
    repo = tmp_path / "repo"
    (repo / "program").mkdir(parents=True)
    # Assembled at run time, so that this test file holds no credential-shaped string.
    key_id = "AKIA" + "Q3ZJ7X2P5K8M4R6T"
    (repo / "program" / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{key_id}"\n')
    (repo / "program" / "clean.py").write_text('REGION = "sa-east-1"\n')
    report = scan_secrets(repo, tmp_path / "out")
    findings = secrets_findings(report, load_catalog(), repo, "dev")
    failed = [f for f in findings if f.status == "fail"]
    assert [(f.control, f.check, f.resource.name) for f in failed] == [("IAM-04", "CKV_SECRET_2", "program/settings.py")]
    assert failed[0].enforcement == "mandatory"
    assert key_id not in str(failed[0].to_dict())
    for name in report.files.values():  # checkov's own reports mask what they found
        assert key_id not in (tmp_path / "out" / name).read_text()

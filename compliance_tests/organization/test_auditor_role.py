"""The auditor role as code (program/auditor_role): exactly auditor-policy.json, trust to the security account with
an external id, nothing else; the policy pack and the static scan check it like any other resource."""

from __future__ import annotations

import json

from compliance.audit.permissions import POLICY_PATH
from compliance.cli import main
from compliance.errors import EXIT_OK
from compliance.findings import FindingsFile
from compliance.graph import load_graph

SECURITY_ACCOUNT = "111122223333"
CONFIG = ["--config", f"trustedAccountId={SECURITY_ACCOUNT}", "--config", "externalId=plant-audit",
          "--config", "environmentSuffix=audit"]


def _render(tmp_path, *config: str) -> int:
    return main(["render", "--program", "auditor-role", *config, "--out", str(tmp_path / "graph.json")])


def test_the_role_grants_exactly_the_auditor_policy_to_the_security_account_with_external_id(tmp_path):
    assert _render(tmp_path, *CONFIG) == EXIT_OK
    graph = load_graph(tmp_path / "graph.json")
    custom = graph.custom_resources()
    assert sorted(r["type"] for r in custom) == ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]
    role = next(r for r in custom if r["type"] == "aws:iam/role:Role")
    policy = next(r for r in custom if r["type"] == "aws:iam/rolePolicy:RolePolicy")
    assert role["inputs"]["name"] == "role-auditor-audit"
    assert json.loads(policy["inputs"]["policy"]) == json.loads(POLICY_PATH.read_text())
    trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert trust == [{"Sid": "TrustSecurityAccountWithExternalId", "Effect": "Allow", "Action": "sts:AssumeRole",
                      "Principal": {"AWS": f"arn:aws:iam::{SECURITY_ACCOUNT}:root"},
                      "Condition": {"StringEquals": {"sts:ExternalId": "plant-audit"}}}]
    assert not role["inputs"].get("managedPolicyArns") and role["inputs"]["maxSessionDuration"] == 3600


def test_the_pack_and_the_static_scan_judge_the_role(tmp_path):
    assert _render(tmp_path, *CONFIG) == EXIT_OK
    graph = str(tmp_path / "graph.json")
    assert main(["gate", "--graph", graph, "--out", str(tmp_path)]) == EXIT_OK
    main(["scan", "--graph", graph, "--out", str(tmp_path)])
    for name in ("gate.json", "static.json"):
        findings = FindingsFile.read(tmp_path / name).findings
        ours = [f for f in findings if f.resource.name in ("auditor", "auditor-read-only")]
        judged = {(f.control, f.resource.name) for f in ours if f.status == "pass"}
        assert {("IAM-01", "auditor"), ("IAM-01", "auditor-read-only"), ("GOV-01", "auditor"),
                ("GOV-03", "auditor")} <= judged, (name, sorted(judged))
        assert not [f for f in ours if f.status in ("fail", "error")], name


def test_the_role_needs_the_security_account_and_external_id(tmp_path, capsys):
    assert _render(tmp_path, "--config", f"trustedAccountId={SECURITY_ACCOUNT}") != EXIT_OK
    assert "externalId" in capsys.readouterr().err
    assert _render(tmp_path, "--config", "trustedAccountId=12", "--config", "externalId=x1") != EXIT_OK

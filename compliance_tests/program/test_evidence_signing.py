"""The evidence signing key and its signer role (KMS-01/02/03, IAM-01) on the rendered dev graph."""

from __future__ import annotations

import json
from pathlib import Path

from compliance_tests.program.graph_helpers import as_list, of_type, one, policy, statements

KEY = "aws:kms/key:Key"
ROLE = ":123456789012:role/role-evidence-signer-dev"  # the role's ARN ends so (the mocks' ARNs carry a region)
ROOT = "arn:aws:iam::123456789012:root"
AUDITOR_POLICY = Path(__file__).resolve().parents[2] / "compliance" / "audit" / "auditor-policy.json"


def _signing_key(graph) -> dict:
    [key] = [k for k in of_type(graph, KEY) if k["name"] == "evidence-signing"]
    return key


def test_the_signing_key_is_ecc_p256_for_signing_with_its_alias(dev_graph):
    key = _signing_key(dev_graph)
    assert key["inputs"]["customerMasterKeySpec"] == "ECC_NIST_P256"
    assert key["inputs"]["keyUsage"] == "SIGN_VERIFY"
    assert key["inputs"]["deletionWindowInDays"] == 7
    alias = one(dev_graph, "aws:kms/alias:Alias", "evidence-signing")
    assert alias["inputs"]["name"] == "alias/kms-evidence-signing-dev"  # what `compliance run` signs with


def test_only_the_signer_role_may_sign(dev_graph):
    by_principal: dict[str, set[str]] = {}
    for stmt in statements(policy(_signing_key(dev_graph))):
        for principal in as_list(stmt["Principal"]["AWS"]):
            by_principal.setdefault(principal, set()).update(as_list(stmt["Action"]))
    [role] = [p for p in by_principal if p.endswith(ROLE)]
    assert set(by_principal) == {ROOT, role}
    assert by_principal[role] == {"kms:Sign", "kms:GetPublicKey"}
    assert not [a for a in by_principal[ROOT]  # the account cannot sign, so no IAM policy can grant it
                if a in ("*", "kms:*", "kms:Sign") or (a.endswith("*") and "kms:Sign".startswith(a[:-1]))]


def test_the_signer_roles_one_permission_is_signing_with_that_key(dev_graph):
    role = one(dev_graph, "aws:iam/role:Role", "evidence-signer")
    assert role["inputs"]["name"] == "role-evidence-signer-dev"
    role_policy = one(dev_graph, "aws:iam/rolePolicy:RolePolicy", "evidence-signer")
    [stmt] = statements(policy(role_policy))
    assert set(as_list(stmt["Action"])) == {"kms:Sign", "kms:GetPublicKey"}
    assert as_list(stmt["Resource"]) == ["arn:aws:kms:sa-east-1:123456789012:key/evidence-signing"]


def test_the_read_only_auditor_cannot_sign():
    actions = {a for s in json.loads(AUDITOR_POLICY.read_text())["Statement"] if s["Effect"] == "Allow"
               for a in as_list(s["Action"])}
    assert actions
    assert not [a for a in actions if a.lower() in ("*", "kms:*", "kms:sign") or
                (a.endswith("*") and "kms:sign".startswith(a[:-1].lower()))]

"""The evidence signing key (KMS-01/02/03) on the rendered dev graph; the signer's and the auditor's policies."""

from __future__ import annotations

import json

from compliance import REPO_ROOT
from compliance_tests.program.graph_helpers import as_list, of_type, one, policy, statements

KEY = "aws:kms/key:Key"
ROOT = "arn:aws:iam::123456789012:root"
SIGNER_POLICY = REPO_ROOT / "compliance" / "report" / "signer-policy.json"
AUDITOR_POLICY = REPO_ROOT / "compliance" / "audit" / "auditor-policy.json"


def _signing_key(graph) -> dict:
    [key] = [k for k in of_type(graph, KEY) if k["name"] == "evidence-signing"]
    return key


def _grants(document: dict, action: str) -> list[dict]:
    """The Allow statements whose actions cover ``action`` (exactly or by a wildcard)."""
    def covers(pattern: str) -> bool:
        pattern = pattern.lower()
        return pattern in ("*", action.lower()) or (pattern.endswith("*") and action.lower().startswith(pattern[:-1]))
    return [s for s in statements(document) if s["Effect"] == "Allow" and any(map(covers, as_list(s["Action"])))]


def test_the_signing_key_is_ecc_p256_for_signing_with_its_alias(dev_graph):
    key = _signing_key(dev_graph)
    assert key["inputs"]["customerMasterKeySpec"] == "ECC_NIST_P256"
    assert key["inputs"]["keyUsage"] == "SIGN_VERIFY"
    assert key["inputs"]["deletionWindowInDays"] == 7 and key["inputs"]["enableKeyRotation"] is False
    alias = one(dev_graph, "aws:kms/alias:Alias", "evidence-signing")
    assert alias["inputs"]["name"] == "alias/kms-evidence-signing-dev"  # what `compliance run` signs with


def test_the_key_policy_lets_iam_grant_raw_ecdsa_signing_only(dev_graph):
    document = policy(_signing_key(dev_graph))
    [sign] = _grants(document, "kms:Sign")
    assert sign["Principal"] == {"AWS": ROOT} and as_list(sign["Action"]) == ["kms:Sign"]
    assert sign["Condition"] == {"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256", "kms:MessageType": "RAW"}}
    assert not _grants(document, "kms:Encrypt") and not _grants(document, "kms:Decrypt")


def test_no_role_of_the_program_can_sign(dev_graph):
    """Signing is the evidence signer's, a role outside the program (as the auditor's is)."""
    iam_types = {r["type"] for r in dev_graph.custom_resources() if r["type"].startswith("aws:iam/")}
    assert iam_types == {"aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"}  # a new kind: check it here too
    for resource in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy"):
        assert not _grants(policy(resource), "kms:Sign"), resource["name"]


def test_the_signers_one_permission_is_signing_with_the_evidence_key():
    document = json.loads(SIGNER_POLICY.read_text())
    [sign] = _grants(document, "kms:Sign")
    assert as_list(sign["Action"]) == ["kms:Sign"]
    assert sign["Condition"]["ForAnyValue:StringLike"] == {"kms:ResourceAliases": "alias/kms-evidence-signing-*"}
    assert sign["Condition"]["StringEquals"] == {"kms:SigningAlgorithm": "ECDSA_SHA_256", "kms:MessageType": "RAW"}
    actions = {a for s in statements(document) for a in as_list(s["Action"])}
    assert actions == {"kms:Sign", "kms:GetPublicKey"}  # GetPublicKey: the public key, which verifiers hold anyway


def test_the_read_only_auditor_cannot_sign():
    document = json.loads(AUDITOR_POLICY.read_text())
    assert statements(document)
    assert _grants(document, "kms:Sign") == []

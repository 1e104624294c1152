"""The evidence signing key and the one role that may sign with it (KMS-01/02/03).

The compliance run signs each sealed run's manifest (``report --sign-key``): an
asymmetric ``ECC_NIST_P256`` ``SIGN_VERIFY`` key, used with ``ECDSA_SHA_256``.
Asymmetric keys cannot rotate automatically, so KMS-01 judges this key
not applicable (its decision module says why); KMS-02 holds (the key serves
signing only) and KMS-03 applies as to every key: the account root administers
it and delegates to IAM, with a 7-day deletion window.

Signing is granted to one role, ``role-evidence-signer-<suffix>``, whose one
permission on that key is ``kms:Sign`` (with ``kms:GetPublicKey``, which reveals
only the public key the verifiers hold anyway), in its IAM policy and by name in
the key policy. The account statement leaves ``kms:Sign`` out, so no other IAM
policy (an administrator's ``kms:*``, the read-only auditor's) can sign: evidence
the auditor could sign would prove nothing.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from components.keys import DELETION_WINDOW_DAYS
from naming import Naming
from policy_documents import document, statement

KEY_SPEC = "ECC_NIST_P256"
SIGNER_ACTIONS = ["kms:Sign", "kms:GetPublicKey"]
# The account administers the key; it does not sign (only the signer role, named in the key policy, does).
ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
    "kms:Disable*", "kms:GetKeyPolicy", "kms:GetPublicKey", "kms:Delete*", "kms:TagResource",
    "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
]


class EvidenceSigning(pulumi.ComponentResource):
    """``key`` (its alias ``alias/kms-evidence-signing-<suffix>``) and ``signer_role``."""

    def __init__(self, name: str, naming: Naming, ctx: AwsContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:evidence:EvidenceSigning", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        root = ctx.arn("iam", "root", region="")
        self.signer_role = aws.iam.Role(
            "evidence-signer",
            name=naming.name("role", "evidence-signer"),
            description="Signs the compliance runs' manifests with the evidence signing key: kms:Sign, nothing else",
            assume_role_policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "TrustThisAccountsPipeline", "Effect": "Allow", "Principal": {"AWS": root},
                "Action": "sts:AssumeRole"}]}),
            tags=naming.tags(),
            opts=child,
        )
        self.key = aws.kms.Key(
            "evidence-signing",
            description=f"Signs the compliance runs' manifests (DSSE, ECDSA P-256) ({naming.suffix})",
            customer_master_key_spec=KEY_SPEC,
            key_usage="SIGN_VERIFY",
            enable_key_rotation=False,  # AWS refuses rotation on asymmetric keys (KMS-01: not applicable)
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=document(
                statement("AccountAdministersAndDelegatesToIam", ADMIN_ACTIONS, "*", principal={"AWS": root}),
                statement("OnlyTheEvidenceSignerSigns", SIGNER_ACTIONS, "*",
                          principal={"AWS": self.signer_role.arn}),
            ),
            tags=naming.tags(naming.name("kms", "evidence-signing")),
            opts=child,
        )
        self.alias = aws.kms.Alias("evidence-signing", name=naming.alias("evidence-signing"),
                                   target_key_id=self.key.key_id, opts=child)
        self.signer_policy = aws.iam.RolePolicy(
            "evidence-signer",
            name=naming.name("policy", "evidence-signer"),
            role=self.signer_role.id,
            policy=document(statement("SignWithTheEvidenceKey", SIGNER_ACTIONS, self.key.arn)),
            opts=child,
        )
        self.register_outputs({"keyArn": self.key.arn, "signerRoleArn": self.signer_role.arn})

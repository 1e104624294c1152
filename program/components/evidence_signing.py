"""The evidence signing key (KMS-01/02/03): it signs the compliance runs' manifests.

The compliance run signs each sealed run's manifest (``report --sign-key``) with
an asymmetric ``ECC_NIST_P256`` ``SIGN_VERIFY`` key, using ``ECDSA_SHA_256`` on
RAW messages. Asymmetric keys cannot rotate automatically, so KMS-01 judges this
key not applicable (its decision module says why); KMS-02 holds (the key serves
signing only) and KMS-03 applies as to every key: the account root administers
it and delegates to IAM, with a 7-day deletion window.

Who signs is an IAM role outside the program, like the auditor role the CI jobs
assume over OIDC (a trust policy naming the account root would let any principal
of the account assume it; checkov's CKV_AWS_61 says so): the evidence signer,
whose one permission is ``kms:Sign`` on this key, in
``compliance/report/signer-policy.json``. The key policy lets IAM grant signing
only as RAW ``ECDSA_SHA_256`` messages, the way our signer sends them.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from aws_context import AwsContext
from components.keys import DELETION_WINDOW_DAYS
from naming import Naming
from policy_documents import document, statement

KEY_SPEC = "ECC_NIST_P256"
SIGNING_ALGORITHM = "ECDSA_SHA_256"
# The account administers the key (and reads its public key); IAM policies may grant signing.
ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
    "kms:Disable*", "kms:GetKeyPolicy", "kms:GetPublicKey", "kms:Delete*", "kms:TagResource",
    "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
]


class EvidenceSigning(pulumi.ComponentResource):
    """``key`` and its alias ``alias/kms-evidence-signing-<suffix>``."""

    def __init__(self, name: str, naming: Naming, ctx: AwsContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:evidence:EvidenceSigning", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        root = ctx.arn("iam", "root", region="")
        self.key = aws.kms.Key(
            "evidence-signing",
            description=f"Signs the compliance runs' manifests (DSSE, ECDSA P-256) ({naming.suffix})",
            customer_master_key_spec=KEY_SPEC,
            key_usage="SIGN_VERIFY",
            enable_key_rotation=False,  # AWS refuses rotation on asymmetric keys (KMS-01: not applicable)
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=document(
                statement("AccountAdministersAndDelegatesToIam", ADMIN_ACTIONS, "*", principal={"AWS": root}),
                statement("IamMaySignRawEcdsaOnly", ["kms:Sign"], "*", principal={"AWS": root},
                          condition={"StringEquals": {"kms:SigningAlgorithm": SIGNING_ALGORITHM,
                                                      "kms:MessageType": "RAW"}}),
            ),
            tags=naming.tags(naming.name("kms", "evidence-signing")),
            opts=child,
        )
        self.alias = aws.kms.Alias("evidence-signing", name=naming.alias("evidence-signing"),
                                   target_key_id=self.key.key_id, opts=child)
        self.register_outputs({"keyArn": self.key.arn})

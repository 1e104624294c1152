"""The compliance auditor's role in a member account (``compliance audit --accounts/--organization``).

Exactly the read-only actions of ``compliance/audit/auditor-policy.json`` (read
from that file, never copied: one list to keep exact), assumable only by the
security account's principals that present the external id (the confused-deputy
guard AWS documents for third-party access), for one hour at a time. Nothing
else: no managed policy, no path, no permissions boundary to widen it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
from naming import Naming
from policy_documents import VERSION

POLICY_PATH = Path(__file__).resolve().parents[2] / "compliance" / "audit" / "auditor-policy.json"
SESSION_SECONDS = 3600


def trust_policy(trusted_account_id: str, external_id: str) -> str:
    """Only the security account, only with the external id."""
    return json.dumps({"Version": VERSION, "Statement": [{
        "Sid": "TrustSecurityAccountWithExternalId", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{trusted_account_id}:root"},
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    }]})


class AuditorRole(pulumi.ComponentResource):
    def __init__(self, name: str, *, naming: Naming, trusted_account_id: str, external_id: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iot-sensor-platform:audit:AuditorRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            "auditor",
            name=naming.name("role", "auditor"),
            description="Read-only compliance audit from the security account (compliance/audit/auditor-policy.json)",
            assume_role_policy=trust_policy(trusted_account_id, external_id),
            max_session_duration=SESSION_SECONDS,
            tags=naming.tags(),
            opts=child,
        )
        self.policy = aws.iam.RolePolicy(
            "auditor-read-only",
            name=naming.name("policy", "auditor-read-only"),
            role=self.role.id,
            policy=POLICY_PATH.read_text(),
            opts=child,
        )
        self.register_outputs({"roleArn": self.role.arn})

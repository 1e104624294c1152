"""API operation -> IAM action, for error messages and the auditor's policy.

For almost every service the IAM action is ``<service>:<Operation>``; the
exceptions below are the ones the audit calls (S3 names several read
permissions differently from their operations). ``auditor-policy.json`` beside
this file lists exactly the actions the audit calls; a test records every call
of an audit and proves the two agree.
"""

from __future__ import annotations

import json
from pathlib import Path

POLICY_PATH = Path(__file__).with_name("auditor-policy.json")

_RENAMED = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("resourcegroupstaggingapi", "GetResources"): "tag:GetResources",
}


def iam_action(service: str, operation: str) -> str:
    return _RENAMED.get((service, operation), f"{service}:{operation}")


def policy_actions(path: Path = POLICY_PATH) -> set[str]:
    """Every action the auditor policy allows (it is allow-only, read-only, on resource *)."""
    document = json.loads(Path(path).read_text())
    actions: set[str] = set()
    for statement in document["Statement"]:
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions

"""ENC-02: Aurora cluster storage is encrypted with a customer-managed KMS key.

``storageEncrypted`` must be true: absent or false leaves the storage unencrypted
(or, for clusters AWS encrypts by default, on an AWS-owned key). Only an encrypted
cluster has a key (AWS reports ``KmsKeyId`` only then), so the key is judged only
then: it must be customer-managed (``controls.keys``); absent means the account's
``aws/rds`` key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.keys import KeyRef, judge_key
from controls.values import UNKNOWN, describe, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "ENC-02"
KEY = "the ARN of the Aurora key"


@dataclass(frozen=True)
class Cluster:
    """``storage_encrypted`` as written or reported (bool, "true", ``MISSING``, ``UNKNOWN``)."""

    storage_encrypted: Any
    key: KeyRef


def decide(cluster: Cluster) -> Verdict:
    judgement = Judgement()
    if cluster.storage_encrypted is UNKNOWN:
        judgement.unknown("storageEncrypted")
    elif not truthy(cluster.storage_encrypted):
        judgement.fail(f"storageEncrypted is {describe(cluster.storage_encrypted)}: set storageEncrypted to true "
                       f"with kmsKeyId {KEY}.", "storageEncrypted")
        return judgement.verdict("")
    judge_key(judgement, cluster.key, "kmsKeyId", KEY)
    return judgement.verdict("storage encrypted with a customer-managed key")

"""ENC-04: Secrets Manager secrets encrypt with a customer-managed KMS key.

Two subjects: every secret (its ``kmsKeyId``; absent means the account's
``aws/secretsmanager`` key), and the master-password secret RDS manages for a
cluster or instance, judged on the database through ``masterUserSecretKmsKeyId``
(the secret is not declared in the program). A database whose master password RDS
does not manage has no such secret: nothing of it is stored under a key, so it
passes this control (IAM-04 is the control that requires the managed secret).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.keys import KeyRef, judge_key
from controls.values import UNKNOWN, truthy
from controls.verdict import PASS, Judgement, Verdict

CONTROL = "ENC-04"
KEY = "the ARN of the Secrets Manager key"


@dataclass(frozen=True)
class Secret:
    key: KeyRef


@dataclass(frozen=True)
class ManagedMasterSecret:
    """A database's ``manageMasterUserPassword`` and the key of the secret RDS keeps it in."""

    managed: Any
    key: KeyRef


def decide(facts: Secret | ManagedMasterSecret) -> Verdict:
    judgement = Judgement()
    if isinstance(facts, Secret):
        judge_key(judgement, facts.key, "kmsKeyId", KEY)
        return judgement.verdict("encrypted with a customer-managed key")
    if facts.managed is UNKNOWN:
        judgement.unknown("manageMasterUserPassword")
        return judgement.verdict("")
    if not truthy(facts.managed):
        return Verdict(PASS, "RDS does not manage the master password in Secrets Manager, so no secret of it is "
                             "stored under a key (IAM-04 requires the managed secret)")
    judge_key(judgement, facts.key, "masterUserSecretKmsKeyId", KEY)
    return judgement.verdict("the secret RDS manages for the master password is encrypted with a customer-managed key")

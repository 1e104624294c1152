"""ENC-01: Kinesis streams encrypt with a customer-managed KMS key.

A stream is encrypted only with ``encryptionType`` ``KMS`` (``NONE``, absent or
anything else leaves records in plain text at rest), and the key it names must be
a customer-managed key (``controls.keys``: an ``alias/aws/kinesis`` in any spelling
or a key AWS manages fails, as does a literal key the stack does not declare).
Without KMS encryption the key is not judged: there is no key to judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.keys import KeyRef, judge_key
from controls.values import UNKNOWN, describe
from controls.verdict import Judgement, Verdict

CONTROL = "ENC-01"
KEY = "the ARN of the stream's customer-managed key"


@dataclass(frozen=True)
class Stream:
    """``encryption_type`` as written (``KMS``, ``NONE``, ``MISSING``, ``UNKNOWN``); ``key`` the key it names."""

    encryption_type: Any
    key: KeyRef


def decide(stream: Stream) -> Verdict:
    judgement = Judgement()
    if stream.encryption_type is UNKNOWN:
        judgement.unknown("encryptionType")
    elif str(stream.encryption_type).upper() != "KMS":
        judgement.fail(f"encryptionType is {describe(stream.encryption_type)}: set encryptionType to \"KMS\" with "
                       f"kmsKeyId {KEY}.", "encryptionType")
        return judgement.verdict("")
    judge_key(judgement, stream.key, "kmsKeyId", KEY)
    return judgement.verdict("KMS encryption with a customer-managed key")

"""KMS-01: customer-managed KMS keys rotate their key material automatically.

AWS rotates only symmetric encryption keys whose material KMS generated: an
asymmetric (RSA, ECC, SM2) or HMAC key, a key in a custom key store (CloudHSM or
external) and a key with imported material cannot rotate automatically, so the
control does not apply to them (``not_applicable`` with the reason, in every
layer). Every other key must have automatic rotation on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, truthy
from controls.verdict import Judgement, Verdict, not_applicable

CONTROL = "KMS-01"
SYMMETRIC = "SYMMETRIC_DEFAULT"
KMS_ORIGIN = "AWS_KMS"


@dataclass(frozen=True)
class Key:
    """What decides whether a key can rotate, and whether it does.

    ``spec``: KeySpec / customerMasterKeySpec (MISSING: symmetric, the default);
    ``origin``: where the material comes from (MISSING: AWS_KMS);
    ``custom_key_store``: the id of a custom key store, if any (MISSING: none);
    ``rotation``: automatic rotation on (``enableKeyRotation``, KeyRotationEnabled).
    """

    spec: Any
    rotation: Any
    origin: Any = MISSING
    custom_key_store: Any = MISSING


def decide(key: Key) -> Verdict:
    judgement = Judgement()
    for value, path in ((key.spec, "customerMasterKeySpec"), (key.origin, "origin"),
                        (key.custom_key_store, "customKeyStoreId")):
        if value is UNKNOWN:
            judgement.unknown(path)
    if judgement.undecided:
        return judgement.verdict("")
    if key.spec not in (MISSING, SYMMETRIC):
        return not_applicable(f"{key.spec} keys cannot rotate automatically; only symmetric encryption keys can")
    if key.custom_key_store not in (MISSING, None, ""):
        return not_applicable("a key in a custom key store cannot rotate automatically")
    if key.origin not in (MISSING, KMS_ORIGIN):
        return not_applicable(f"a key with {key.origin} key material cannot rotate automatically; only material "
                              "that KMS generates can")
    if key.rotation is UNKNOWN:
        judgement.unknown("enableKeyRotation")
    elif not truthy(key.rotation):
        judgement.fail(f"enableKeyRotation is {describe(key.rotation)}: set enableKeyRotation to true.",
                       "enableKeyRotation")
    return judgement.verdict("automatic key rotation is on")

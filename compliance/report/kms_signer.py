"""A securesystemslib ``Signer`` that signs with an asymmetric KMS key, sending the message RAW.

Why not securesystemslib's own ``AWSSigner``: it hashes the payload itself and
sends ``MessageType=DIGEST``. AWS signs a DIGEST as given, but moto (the sandbox)
hashes it again, so every envelope signed in the sandbox would fail verification.
Sending the payload RAW (``MessageType=RAW``: KMS hashes it once, on both) gives
the same signature on AWS and moto; the price is KMS's limit on RAW messages,
4,096 bytes, which is why the signed payload is a small in-toto Statement over
the manifest, never the manifest itself.

The key must be ``ECC_NIST_P256`` with ``SIGN_VERIFY`` usage (``ECDSA_SHA_256``:
securesystemslib's ``ecdsa-sha2-nistp256`` scheme). Signing needs ``kms:Sign``
on that key and ``kms:GetPublicKey`` to know which key signs: the signer role's
permissions, never the read-only auditor's.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.hazmat.primitives import serialization
from securesystemslib.signer import Key, Signature, Signer, SSlibKey

from compliance.errors import EvaluationError

KEY_SPEC = "ECC_NIST_P256"
SIGNING_ALGORITHM = "ECDSA_SHA_256"
SCHEME = "ecdsa-sha2-nistp256"
MAX_RAW_MESSAGE = 4096  # KMS Sign: a RAW message is at most 4,096 bytes


class KmsRawSigner(Signer):
    """Signs a payload with ``kms:Sign`` (RAW, ECDSA_SHA_256) on ``key_id``; ``public_key`` from ``kms:GetPublicKey``."""

    def __init__(self, client: Any, key_id: str) -> None:
        self._client = client
        self.key_id = key_id
        try:
            answer = client.get_public_key(KeyId=key_id)
        except (ClientError, BotoCoreError) as exc:
            raise EvaluationError(f"--sign-key {key_id}: kms:GetPublicKey failed ({exc}); the signer needs "
                                  "kms:GetPublicKey and kms:Sign on the evidence signing key") from exc
        spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")
        if spec != KEY_SPEC or answer.get("KeyUsage") != "SIGN_VERIFY" \
                or SIGNING_ALGORITHM not in answer.get("SigningAlgorithms", []):
            raise EvaluationError(f"--sign-key {key_id}: a {spec} {answer.get('KeyUsage')} key; sign with an "
                                  f"{KEY_SPEC} SIGN_VERIFY key ({SIGNING_ALGORITHM})")
        self.key_arn = answer.get("KeyId", key_id)  # the ARN on AWS; moto answers the bare key id
        self.public_pem = serialization.load_der_public_key(answer["PublicKey"]).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        self._public_key = public_key_from_pem(self.public_pem)

    @property
    def public_key(self) -> Key:
        return self._public_key

    @classmethod
    def from_priv_key_uri(cls, priv_key_uri: str, public_key: Key, secrets_handler: Any = None) -> Signer:
        raise NotImplementedError("build KmsRawSigner from a boto3 KMS client and a key id")

    def sign(self, payload: bytes) -> Signature:
        if len(payload) > MAX_RAW_MESSAGE:
            raise EvaluationError(f"the payload to sign is {len(payload)} bytes; KMS signs RAW messages of at most "
                                  f"{MAX_RAW_MESSAGE}: keep the in-toto Statement small")
        try:
            answer = self._client.sign(KeyId=self.key_id, Message=payload, MessageType="RAW",
                                       SigningAlgorithm=SIGNING_ALGORITHM)
        except (ClientError, BotoCoreError) as exc:
            raise EvaluationError(f"--sign-key {self.key_id}: kms:Sign failed ({exc}); the signer role needs "
                                  "kms:Sign on this key") from exc
        return Signature(keyid=self._public_key.keyid, sig=answer["Signature"].hex())


def public_key_from_pem(pem: bytes) -> SSlibKey:
    """An ECDSA P-256 public key (PEM, SubjectPublicKeyInfo) as securesystemslib's key; keyid from its content."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise EvaluationError(f"not a PEM public key ({exc})") from exc
    return SSlibKey.from_crypto(key, scheme=SCHEME)

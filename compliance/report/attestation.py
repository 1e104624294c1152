"""Signed runs: the manifest as the subject of an in-toto Statement v1, in a DSSE envelope.

The manifest hash chain proves order and integrity, but whoever can rewrite the
files can rewrite the chain. A signature by a key only the pipeline's signer role
can use (``kms:Sign``) proves the run came from the pipeline. The format is the
supply-chain standard, not ours: an in-toto Statement v1
(https://in-toto.io/Statement/v1) whose one subject is ``manifest.json`` with its
SHA-256 (the manifest lists the SHA-256 of every sealed file), and whose
predicate states the run's result; the Statement is the payload of a DSSE
envelope (``application/vnd.in-toto+json``) built and verified with
securesystemslib's ``dsse.Envelope``, one JSON line in ``manifest.intoto.jsonl``
(in-toto's attestation bundle format). KMS signs RAW messages of at most 4 KB,
so the predicate holds counts, never findings.

``verify`` trusts only the public key the verifier passes (a PEM file they hold):
the copy the run stores (``signing-key.pem``) is for reference, so a run re-signed
with another key fails.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import Signer, SSlibKey

from compliance.errors import EvaluationError
from compliance.report.kms_signer import public_key_from_pem
from compliance.report.manifest import ENVELOPE, PUBLIC_KEY, sha256_of
from compliance.report.writer import write_bytes_atomic, write_text_atomic
from compliance.rundir import MANIFEST

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://github.com/iot-sensor-platform/compliance/run/v1"


def statement(run_dir: Path, report: dict[str, Any]) -> dict[str, Any]:
    """The in-toto Statement over a sealed run: subject its manifest, predicate its result."""
    manifest = json.loads((run_dir / MANIFEST).read_text())
    counts = {k: v for k, v in report["summary"]["controls"].items() if k != "total"}
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": MANIFEST, "digest": {"sha256": sha256_of(run_dir / MANIFEST)}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "run": run_dir.name,
            "generatedAt": report["generatedAt"],
            "exitCode": report["exitCode"],
            "controls": counts,
            "expectedLayers": report["expected"]["layers"],
            "catalog": {"version": report["catalog"]["version"], "sha256": report["catalog"]["sha256"]},
            "commit": report["git"]["commit"], "dirty": report["git"]["dirty"],
            "stack": report["scope"]["stack"], "account": report["scope"]["account"],
            "previous": manifest["previous"],
        },
    }


def sign_run(run_dir: Path, report: dict[str, Any], signer: Signer, public_pem: bytes) -> Envelope:
    """Write the run's envelope and the signer's public key beside its (already sealed) manifest."""
    payload = json.dumps(statement(run_dir, report), sort_keys=True, separators=(",", ":")).encode()
    envelope = Envelope(payload=payload, payload_type=PAYLOAD_TYPE, signatures={})
    envelope.sign(signer)
    write_bytes_atomic(run_dir / PUBLIC_KEY, public_pem)
    write_text_atomic(run_dir / ENVELOPE, json.dumps(envelope.to_dict(), sort_keys=True) + "\n")
    return envelope


def read_trusted_key(path: Path) -> SSlibKey:
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise EvaluationError(f"--public-key {path}: cannot read it ({exc.strerror})") from exc
    try:
        return public_key_from_pem(pem)
    except EvaluationError as exc:
        raise EvaluationError(f"--public-key {path}: {exc}; pass the signer's public key as PEM") from exc


def _read_envelope(run_dir: Path) -> Envelope:
    path = run_dir / ENVELOPE
    if not path.is_file():
        raise VerificationError(f"{run_dir.name}: not signed (no {ENVELOPE}); sign runs with `report --sign-key`")
    try:
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        if len(lines) != 1:
            raise ValueError(f"{len(lines)} lines, expected one envelope")
        return Envelope.from_dict(json.loads(lines[0]))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise VerificationError(f"{run_dir.name}/{ENVELOPE}: not a DSSE envelope ({exc})") from exc


def verify_signature(run_dir: Path, trusted: SSlibKey) -> str | None:
    """None when the run's envelope is signed by ``trusted`` and names its manifest unchanged; else the reason."""
    try:
        envelope = _read_envelope(run_dir)
    except VerificationError as exc:
        return str(exc)
    if envelope.payload_type != PAYLOAD_TYPE:
        return f"{run_dir.name}/{ENVELOPE}: payload type {envelope.payload_type!r}, not an in-toto Statement"
    keyids = sorted(envelope.signatures)
    if trusted.keyid not in keyids:
        return (f"{run_dir.name}/{ENVELOPE}: signed by key {', '.join(k[:16] for k in keyids) or 'none'}…, not by "
                f"the trusted key {trusted.keyid[:16]}…")
    try:
        envelope.verify([trusted], 1)
    except VerificationError:
        return f"{run_dir.name}/{ENVELOPE}: the signature does not verify with the trusted key: the envelope changed"
    try:
        signed = json.loads(envelope.payload)
        [subject] = signed["subject"]
        digest, name = subject["digest"]["sha256"], subject["name"]
    except (ValueError, KeyError, TypeError):
        return f"{run_dir.name}/{ENVELOPE}: the signed payload is not an in-toto Statement with one subject"
    if signed.get("_type") != STATEMENT_TYPE or name != MANIFEST:
        return f"{run_dir.name}/{ENVELOPE}: the signed Statement does not name {MANIFEST} as its subject"
    if sha256_of(run_dir / MANIFEST) != digest:
        return f"{run_dir.name}/{MANIFEST}: changed since it was signed (signed sha256 {digest[:12]}…)"
    return None

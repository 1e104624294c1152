"""Signed runs: `report --sign-key` against a real moto server's KMS, `report verify --public-key` offline.

The envelope is checked three ways: by our verify (the trusted key only), by
securesystemslib's DSSE verification, and by in-toto's own metadata API (the
standard tooling a third party would use). Every tampering (a sealed file, the
manifest, the envelope) and a run signed by another key fail with one line.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from in_toto.models.metadata import Envelope as InTotoEnvelope
from in_toto.models.metadata import Metadata, SignatureVerificationError
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError

from compliance.cli import main
from compliance.errors import EXIT_ERROR
from compliance.report.attestation import PAYLOAD_TYPE, STATEMENT_TYPE, sign_run
from compliance.report.inputs import sha256_of
from compliance.report.kms_signer import KmsRawSigner, public_key_from_pem
from compliance.report.manifest import ENVELOPE, PUBLIC_KEY
from compliance_tests.report.report_builders import REGION, write_inputs

SANDBOX_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture
def kms(sandbox_server, monkeypatch):
    for name, value in SANDBOX_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return boto3.client("kms", region_name=REGION, endpoint_url=sandbox_server.endpoint)


def _signing_key(kms) -> str:
    return kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY",
                          Description="evidence signing (test)")["KeyMetadata"]["Arn"]


@pytest.fixture
def signed_run(kms, sandbox_server, tmp_path):
    key = _signing_key(kms)
    run_dir = write_inputs(tmp_path / "reports" / "20250101T000000Z")
    code = main(["report", "--in", str(run_dir), "--quiet", "--today", "2025-06-01", "--sign-key", key,
                 "--kms-endpoint-url", sandbox_server.endpoint])
    assert code == 0
    pem = tmp_path / "trusted.pem"
    pem.write_bytes((run_dir / PUBLIC_KEY).read_bytes())  # what a verifier keeps, away from the run
    return run_dir, pem


def _verify(run_dir: Path, pem: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["report", "verify", str(run_dir), "--public-key", str(pem)])
    return code, capsys.readouterr().err


def test_a_signed_run_verifies_offline_with_the_trusted_key(signed_run, capsys, monkeypatch):
    run_dir, pem = signed_run
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: verify must not call AWS
    code, err = _verify(run_dir, pem, capsys)
    assert code == 0, err
    assert "signed" in err and "intact: 1 run(s)" in err


def test_the_envelope_is_an_in_toto_statement_over_the_manifest(signed_run):
    run_dir, _ = signed_run
    [line] = (run_dir / ENVELOPE).read_text().splitlines()
    envelope = json.loads(line)
    assert envelope["payloadType"] == PAYLOAD_TYPE
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["_type"] == STATEMENT_TYPE
    assert statement["subject"] == [{"name": "manifest.json", "digest": {
        "sha256": hashlib.sha256((run_dir / "manifest.json").read_bytes()).hexdigest()}}]
    predicate = statement["predicate"]
    assert predicate["exitCode"] == 0 and predicate["catalog"]["version"] == "1.0.0"
    assert predicate["controls"]["pass"] > 0 and len(predicate["commit"]) == 40
    assert len(base64.b64decode(envelope["payload"])) < 4096
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert ENVELOPE not in manifest["files"] and "report.ocsf.json" in manifest["files"]


def test_standard_in_toto_tooling_verifies_the_same_envelope(signed_run):
    run_dir, pem = signed_run
    envelope = Metadata.load(str(run_dir / ENVELOPE))
    assert isinstance(envelope, InTotoEnvelope)
    trusted = public_key_from_pem(pem.read_bytes())
    envelope.verify_signature({"keyid": trusted.keyid, **trusted.to_dict()})  # in-toto takes the key as a dict
    other = public_key_from_pem(_other_pem())
    with pytest.raises(SignatureVerificationError):
        envelope.verify_signature({"keyid": other.keyid, **other.to_dict()})


def _other_pem() -> bytes:

    return ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_a_run_signed_by_another_key_fails(signed_run, tmp_path, capsys):
    run_dir, _ = signed_run
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(_other_pem())
    code, err = _verify(run_dir, stranger, capsys)
    assert code == 1
    [line] = [x for x in err.splitlines() if "tampered" in x]
    assert "not by the trusted key" in line


def test_the_copy_of_the_key_in_the_run_is_not_trusted(signed_run, kms, tmp_path, capsys):
    """Re-signing with another KMS key and replacing signing-key.pem does not fool a verifier holding the real key."""
    run_dir, pem = signed_run
    forger = KmsRawSigner(kms, _signing_key(kms))
    sign_run(run_dir, json.loads((run_dir / "report.json").read_text()), forger, forger.public_pem)
    code, err = _verify(run_dir, pem, capsys)
    assert code == 1 and "not by the trusted key" in err
    code, _ = _verify(run_dir, run_dir / PUBLIC_KEY, capsys)
    assert code == 0  # with the key it ships, the forged run looks fine: that is why verify takes your key


@pytest.mark.parametrize("name", ["report.json", "report.ocsf.json", "index.html", "gate.json", "findings.csv"])
def test_flipping_one_byte_of_a_sealed_file_fails(signed_run, capsys, name):
    run_dir, pem = signed_run
    _flip(run_dir / name)
    code, err = _verify(run_dir, pem, capsys)
    assert code == 1 and f"{name}: changed" in err


def test_a_changed_manifest_fails_its_signature(signed_run, capsys):
    """A forger who rewrites a file AND re-seals the manifest (the chain alone would pass) is caught."""
    run_dir, pem = signed_run
    (run_dir / "summary.md").write_text("all green\n")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["files"]["summary.md"] = sha256_of(run_dir / "summary.md")
    (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    assert main(["report", "verify", str(run_dir)]) == 0  # the chain alone is fooled
    code, err = _verify(run_dir, pem, capsys)
    assert code == 1
    [line] = [x for x in err.splitlines() if "tampered" in x]
    assert "manifest.json: changed since it was signed" in line


def test_a_manifest_made_unreadable_after_signing_is_tampered_not_a_crash(signed_run, capsys):
    """A digest in the manifest edited into a non-digest: unsigned, that cannot be judged (exit 3); signed, the
    signature proves the manifest changed, so verify says tampered (exit 1) and names both."""
    run_dir, pem = signed_run
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["files"]["summary.md"] = "not-a-digest"
    (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    assert main(["report", "verify", str(run_dir)]) == 3
    assert "malformed manifest" in capsys.readouterr().err
    code, err = _verify(run_dir, pem, capsys)
    assert code == 1
    tampered = [x for x in err.splitlines() if "tampered" in x]
    assert any("malformed manifest" in x for x in tampered)
    assert any("manifest.json: changed since it was signed" in x for x in tampered)


def test_a_changed_envelope_fails(signed_run, capsys):
    run_dir, pem = signed_run
    envelope = json.loads((run_dir / ENVELOPE).read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["exitCode"] = 1
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    (run_dir / ENVELOPE).write_text(json.dumps(envelope) + "\n")
    code, err = _verify(run_dir, pem, capsys)
    assert code == 1 and "the signature does not verify with the trusted key" in err
    _flip(run_dir / ENVELOPE)
    code, err = _verify(run_dir, pem, capsys)
    assert code == 1 and ENVELOPE in err


def test_an_unsigned_run_fails_verify_with_a_key(make_run, tmp_path, capsys):
    run = make_run()
    pem = tmp_path / "k.pem"
    pem.write_bytes(_other_pem())
    code, err = _verify(run.dir, pem, capsys)
    assert code == 1 and "not signed" in err


def test_a_key_that_cannot_sign_stops_before_anything_is_written(kms, sandbox_server, tmp_path, capsys):
    symmetric = kms.create_key()["KeyMetadata"]["Arn"]
    run_dir = write_inputs(tmp_path / "reports" / "20250101T000000Z")
    code = main(["report", "--in", str(run_dir), "--quiet", "--sign-key", symmetric,
                 "--kms-endpoint-url", sandbox_server.endpoint])
    assert code == EXIT_ERROR
    assert "SYMMETRIC_DEFAULT" in capsys.readouterr().err
    assert not (run_dir / "manifest.json").exists() and not (run_dir / "report.json").exists()


def test_the_signer_sends_raw_messages_as_aws_expects():
    """AWS signs a DIGEST as given; moto hashes it again. Our signer sends RAW, which both hash once (Stubber: AWS's API)."""
    client = boto3.client("kms", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    pem = _other_pem()
    der = serialization.load_pem_public_key(pem).public_bytes(serialization.Encoding.DER,
                                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    with Stubber(client) as stub:
        stub.add_response("get_public_key", {"KeyId": "arn:aws:kms:sa-east-1:1:key/k", "PublicKey": der,
                                             "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY",
                                             "SigningAlgorithms": ["ECDSA_SHA_256"]}, {"KeyId": "alias/x"})
        stub.add_response("sign", {"Signature": b"\x30\x00", "SigningAlgorithm": "ECDSA_SHA_256"},
                          {"KeyId": "alias/x", "Message": b"payload", "MessageType": "RAW",
                           "SigningAlgorithm": "ECDSA_SHA_256"})
        signer = KmsRawSigner(client, "alias/x")
        assert signer.sign(b"payload").signature == "3000"
        with pytest.raises(Exception, match="at most 4096"):
            signer.sign(b"x" * 4097)


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_verification_error_is_the_librarys(signed_run):
    """Our verify leans on securesystemslib: a signature over other bytes fails there too."""
    run_dir, pem = signed_run
    envelope = Envelope.from_dict(json.loads((run_dir / ENVELOPE).read_text()))
    envelope.payload = envelope.payload + b" "
    with pytest.raises(VerificationError):
        envelope.verify([public_key_from_pem(pem.read_bytes())], 1)


def test_report_sign_signs_a_run_sealed_earlier_and_only_an_intact_one(make_run, kms, sandbox_server, tmp_path,
                                                                        capsys):
    key = _signing_key(kms)
    sign = ["report", "sign", "--sign-key", key, "--kms-endpoint-url", sandbox_server.endpoint]
    tampered = make_run(name="20250101T000000Z")
    _flip(tampered.dir / "summary.md")
    assert main([*sign, str(tampered.dir)]) == EXIT_ERROR
    assert "refusing to sign a run changed since it was sealed" in capsys.readouterr().err
    assert not (tampered.dir / ENVELOPE).exists()

    run = make_run(name="20250102T000000Z")
    assert main([*sign, str(run.dir)]) == 0
    pem = tmp_path / "trusted.pem"
    pem.write_bytes((run.dir / PUBLIC_KEY).read_bytes())
    assert main(["report", "verify", str(run.dir), "--public-key", str(pem)]) == 1  # the earlier run was tampered
    assert "20250101T000000Z/summary.md: changed" in capsys.readouterr().err
    _flip(tampered.dir / "summary.md")  # flipped back: the chain is intact again
    assert main(["report", "verify", str(run.dir), "--public-key", str(pem)]) == 0
    assert main([*sign, str(run.dir)]) == 2  # a run is signed once


def test_the_deployed_programs_key_signs_an_envelope_that_verifies(deployed_dev):
    """The sandbox's evidence signing key, as the program declares it, by the alias `compliance run` signs with."""
    kms = deployed_dev.client("kms")
    signer = KmsRawSigner(kms, "alias/kms-evidence-signing-dev")
    # GetPublicKey's KeyId: AWS answers the key ARN, moto the bare key id (a sandbox gap; only printed)
    assert deployed_dev.outputs["evidenceSigningKeyArn"].endswith(signer.key_arn)
    envelope = Envelope(payload=b'{"_type":"https://in-toto.io/Statement/v1"}', payload_type=PAYLOAD_TYPE,
                        signatures={})
    envelope.sign(signer)
    envelope.verify([public_key_from_pem(signer.public_pem)], 1)
    assert kms.describe_key(KeyId=signer.key_arn)["KeyMetadata"]["KeySpec"] == "ECC_NIST_P256"


def test_sandbox_gap_moto_hashes_a_digest_again(deployed_dev):
    """Why the signer sends RAW: moto signs sha256(digest) where AWS signs the digest given (documented behaviour)."""
    kms = deployed_dev.client("kms")
    key = deployed_dev.outputs["evidenceSigningKeyArn"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    digest = hashlib.sha256(b"payload").digest()
    signature = kms.sign(KeyId=key, Message=digest, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    with pytest.raises(InvalidSignature):  # on AWS this verifies; on moto it does not
        public.verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
    public.verify(signature, digest, ec.ECDSA(hashes.SHA256()))  # moto signed sha256(digest)

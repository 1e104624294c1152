"""KMS-01 cases: rotation on, off or absent, and the keys AWS cannot rotate."""

from controls.cases import case, resource

KEY = "aws:kms/key:Key"


def key(**inputs):
    return resource("key", KEY, description="KMS-01 case", deletionWindowInDays=7,
                    tags={"Environment": "{suffix}", "Name": "kms-kms01-{id}-{suffix}"}, **inputs)


CASES = [
    case("kms-01-rotation-on", "KMS-01", "pass", "key", key(enableKeyRotation=True)),
    case("kms-01-rotation-on-symmetric-spelled-out", "KMS-01", "pass", "key",
         key(customerMasterKeySpec="SYMMETRIC_DEFAULT", keyUsage="ENCRYPT_DECRYPT", enableKeyRotation=True)),
    case("kms-01-rotation-on-shortest-period", "KMS-01", "pass", "key",
         key(enableKeyRotation=True, rotationPeriodInDays=90), why="90 days is the shortest period AWS accepts"),
    case("kms-01-rotation-off", "KMS-01", "fail", "key", key(enableKeyRotation=False)),
    case("kms-01-rotation-absent", "KMS-01", "fail", "key", key(), why="AWS creates keys with rotation off"),
    case("kms-01-asymmetric-signing-key", "KMS-01", "not_applicable", "key",
         key(customerMasterKeySpec="ECC_NIST_P256", keyUsage="SIGN_VERIFY"),
         why="asymmetric keys cannot rotate automatically"),
    case("kms-01-evidence-signing-key", "KMS-01", "not_applicable", "key",
         key(customerMasterKeySpec="ECC_NIST_P256", keyUsage="SIGN_VERIFY", enableKeyRotation=False),
         why="the program's evidence signing key, rotation off as AWS requires: the exception, not a failure"),
    case("kms-01-asymmetric-encryption-key", "KMS-01", "not_applicable", "key",
         key(customerMasterKeySpec="RSA_2048", keyUsage="ENCRYPT_DECRYPT")),
    case("kms-01-hmac-key", "KMS-01", "not_applicable", "key",
         key(customerMasterKeySpec="HMAC_256", keyUsage="GENERATE_VERIFY_MAC"),
         why="HMAC keys cannot rotate automatically"),
]

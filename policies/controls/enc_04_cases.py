"""ENC-04 cases: secrets, and the master secret RDS manages for an Aurora cluster, in every key spelling.

Secrets Manager and RDS (``MasterUserSecretKmsKeyId``) accept a key's ID or ARN
and an alias's name or ARN.
"""

from controls.cases import case, resource
from controls.enc_01_cases import TAGS, aws_alias_arn, key_cases
from controls.enc_02_cases import CLUSTER

SECRET = "aws:secretsmanager/secret:Secret"


def secret(key=None):
    return resource("secret", SECRET, name="secret-{id}-{suffix}", recoveryWindowInDays=0, tags=TAGS,
                    **({"kmsKeyId": key} if key is not None else {}))


def cluster(key=None, **inputs):
    settings = {"manageMasterUserPassword": True, "tags": TAGS,
                **({"masterUserSecretKmsKeyId": key} if key is not None else {}), **inputs}
    return resource("cluster", CLUSTER, clusterIdentifier="aurora-{id}-{suffix}", engine="aurora-postgresql",
                    masterUsername="iotadmin", skipFinalSnapshot=True, **settings)


CASES = [
    *key_cases("ENC-04", "enc-04-secret", "secrets", "secret", lambda key: (secret(key),)),
    case("enc-04-secret-aws-managed-alias", "ENC-04", "fail", "secret", secret("alias/aws/secretsmanager")),
    case("enc-04-secret-aws-managed-alias-arn", "ENC-04", "fail", "secret", secret(aws_alias_arn("secretsmanager"))),
    case("enc-04-secret-without-key", "ENC-04", "fail", "secret", secret(),
         why="without kmsKeyId Secrets Manager uses the account's aws/secretsmanager key"),
    *key_cases("ENC-04", "enc-04-rds-managed-secret", "secrets", "cluster", lambda key: (cluster(key),)),
    case("enc-04-rds-managed-secret-aws-managed-alias", "ENC-04", "fail", "cluster",
         cluster("alias/aws/secretsmanager")),
    case("enc-04-rds-managed-secret-without-key", "ENC-04", "fail", "cluster", cluster(),
         why="without masterUserSecretKmsKeyId RDS keeps the secret under the account's aws/secretsmanager key"),
    case("enc-04-rds-password-not-managed", "ENC-04", "pass", "cluster",
         cluster(manageMasterUserPassword=False, masterPassword="case-password-not-a-secret"),
         why="no managed secret exists, so nothing of the cluster is kept in Secrets Manager (IAM-04 fails it)"),
]

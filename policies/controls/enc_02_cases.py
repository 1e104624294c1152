"""ENC-02 cases: Aurora storage encryption and the key in every spelling RDS accepts."""

from controls.cases import case, resource
from controls.enc_01_cases import TAGS, aws_alias_arn, key_cases

CLUSTER = "aws:rds/cluster:Cluster"
MOTO_DEFAULT_KEY = ("moto reports KmsKeyId 'default_kms_key_id', which names no key, for a cluster encrypted with "
                    "the account's default key (AWS reports the ARN of the aws/rds key), so DescribeKey cannot "
                    "resolve it")


def cluster(key=None, **inputs):
    settings = {"storageEncrypted": True, "tags": TAGS, **({"kmsKeyId": key} if key is not None else {}), **inputs}
    return resource("cluster", CLUSTER, clusterIdentifier="aurora-{id}-{suffix}", engine="aurora-postgresql",
                    masterUsername="iotadmin", manageMasterUserPassword=True, skipFinalSnapshot=True, **settings)


CASES = [
    *key_cases("ENC-02", "enc-02", "rds", "cluster", lambda key: (cluster(key),)),
    case("enc-02-aws-managed-alias", "ENC-02", "fail", "cluster", cluster("alias/aws/rds")),
    case("enc-02-aws-managed-alias-arn", "ENC-02", "fail", "cluster", cluster(aws_alias_arn("rds"))),
    case("enc-02-encrypted-without-key", "ENC-02", "fail", "cluster", cluster(),
         why="without kmsKeyId RDS uses the account's aws/rds key", gaps={"live": MOTO_DEFAULT_KEY}),
    case("enc-02-storage-not-encrypted", "ENC-02", "fail", "cluster", cluster(storageEncrypted=False)),
    case("enc-02-storage-encrypted-absent", "ENC-02", "fail", "cluster",
         resource("cluster", CLUSTER, clusterIdentifier="aurora-{id}-{suffix}", engine="aurora-postgresql",
                  masterUsername="iotadmin", manageMasterUserPassword=True, skipFinalSnapshot=True, tags=TAGS),
         why="absent, the storage is unencrypted (or, on clusters AWS now encrypts by default, on an AWS-owned key)"),
]

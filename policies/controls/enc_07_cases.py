"""ENC-07 cases: CloudWatch log groups and their key.

CloudWatch Logs takes the key's ARN only (an alias or a key ID is refused at
CreateLogGroup/AssociateKmsKey) and has no AWS-managed key of its own (without a
key it encrypts with a service-owned one).
"""

from controls.cases import case, resource
from controls.enc_01_cases import TAGS, key_cases

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def log_group(key=None):
    return resource("group", LOG_GROUP, name="/aws/enc/loggroup-{id}-{suffix}", retentionInDays=30, tags=TAGS,
                    **({"kmsKeyId": key} if key is not None else {}))


CASES = [
    *key_cases("ENC-07", "enc-07", "logs", "group", lambda key: (log_group(key),), spellings=("key-arn",)),
    case("enc-07-without-key", "ENC-07", "fail", "group", log_group(),
         why="without kmsKeyId CloudWatch Logs uses a key it owns"),
    case("enc-07-aws-managed-alias", "ENC-07", "fail", "group", log_group("alias/aws/logs"),
         not_live="CloudWatch Logs takes a key ARN only and has no AWS-managed key; AWS refuses the alias"),
]

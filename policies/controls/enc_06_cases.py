"""ENC-06 cases: DynamoDB server-side encryption and the key in every spelling DynamoDB accepts."""

from controls.cases import case, resource
from controls.enc_01_cases import TAGS, aws_alias_arn, key_cases

TABLE = "aws:dynamodb/table:Table"


def table(sse=None):
    return resource("table", TABLE, name="dynamodb-{id}-{suffix}", billingMode="PAY_PER_REQUEST", hashKey="id",
                    attributes=[{"name": "id", "type": "S"}], tags=TAGS,
                    **({"serverSideEncryption": sse} if sse is not None else {}))


CASES = [
    *key_cases("ENC-06", "enc-06", "dynamodb", "table",
               lambda key: (table({"enabled": True, "kmsKeyArn": key}),)),
    case("enc-06-aws-managed-alias", "ENC-06", "fail", "table",
         table({"enabled": True, "kmsKeyArn": "alias/aws/dynamodb"})),
    case("enc-06-aws-managed-alias-arn", "ENC-06", "fail", "table",
         table({"enabled": True, "kmsKeyArn": aws_alias_arn("dynamodb")})),
    case("enc-06-enabled-without-key", "ENC-06", "fail", "table", table({"enabled": True}),
         why="enabled without kmsKeyArn uses the account's aws/dynamodb key"),
    case("enc-06-disabled", "ENC-06", "fail", "table", table({"enabled": False}),
         why="disabled means DynamoDB's AWS-owned key"),
    case("enc-06-no-encryption-settings", "ENC-06", "fail", "table", table(),
         why="absent means DynamoDB's AWS-owned key"),
]

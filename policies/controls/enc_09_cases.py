"""ENC-09 cases: Lambda environment variables and SQS queues.

Lambda takes the key's ARN only (an alias or a key ID is refused: "Key Aliases are
not supported for this operation"), so its AWS-managed key can be named only by a
key ARN this case program cannot know; SQS accepts every spelling. A function
without environment variables passes whatever its key: nothing of it is stored
under the key.

The key ID of an AWS-managed key differs per account and the case program cannot
look it up, so "a queue keyed by the ID of an AWS-managed key" is a preview/static
case here (a literal ID the stack does not declare, which the declaring layers fail
because they cannot verify it); its live verdict is tested against the sandbox in
``compliance_tests/controls/test_enc_09.py`` with a queue created with that ID.
"""

from controls.cases import case, ref, resource
from controls.enc_01_cases import TAGS, aws_alias_arn, key_cases, key_of

FUNCTION = "aws:lambda/function:Function"
QUEUE = "aws:sqs/queue:Queue"
IMAGE = "123456789012.dkr.ecr.sa-east-1.amazonaws.com/enc-cases:latest"  # no code to zip: a container image
VARIABLES = {"variables": {"STAGE": "case"}}


def function(key=None, environment=VARIABLES):
    return resource("function", FUNCTION, name="lambda-{id}-{suffix}", role=ref("@enc-role-lambda", "arn"),
                    packageType="Image", imageUri=IMAGE, tags=TAGS,
                    **({"environment": environment} if environment is not None else {}),
                    **({"kmsKeyArn": key} if key is not None else {}))


def queue(key=None, **inputs):
    return resource("queue", QUEUE, name="sqs-{id}-{suffix}", tags=TAGS,
                    **({"kmsMasterKeyId": key} if key is not None else {}), **inputs)


CASES = [
    *key_cases("ENC-09", "enc-09-lambda", "lambda", "function", lambda key: (function(key),), spellings=("key-arn",)),
    case("enc-09-lambda-without-key", "ENC-09", "fail", "function", function(),
         why="without kmsKeyArn Lambda uses the account's aws/lambda key"),
    case("enc-09-lambda-without-variables", "ENC-09", "pass", "function", function(environment=None),
         why="no environment variables: nothing of the function is stored under a key"),
    case("enc-09-lambda-empty-variables", "ENC-09", "pass", "function", function(environment={"variables": {}})),
    case("enc-09-lambda-aws-managed-alias", "ENC-09", "fail", "function", function(aws_alias_arn("lambda")),
         not_live="Lambda takes a key ARN only and refuses an alias ARN (Key Aliases are not supported)"),
    *key_cases("ENC-09", "enc-09-sqs", "lambda", "queue", lambda key: (queue(key),)),
    case("enc-09-sqs-aws-managed-alias", "ENC-09", "fail", "queue", queue("alias/aws/sqs")),
    case("enc-09-sqs-aws-managed-alias-arn", "ENC-09", "fail", "queue", queue(aws_alias_arn("sqs")),
         why="issue 12: the ARN of alias/aws/sqs passed the static scan"),
    case("enc-09-sqs-aws-managed-key-id", "ENC-09", "fail", "queue", queue("0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
         why="issue 12: a literal key ID passed preview and static; the stack does not declare it",
         not_live="the ID of an AWS-managed key differs per account; the live verdict is tested in "
                  "compliance_tests/controls/test_enc_09.py against the sandbox"),
    case("enc-09-sqs-without-key", "ENC-09", "fail", "queue", queue(),
         why="without kmsMasterKeyId the queue is unencrypted or uses SQS-owned keys"),
    case("enc-09-sqs-managed-sse", "ENC-09", "fail", "queue", queue(sqsManagedSseEnabled=True),
         why="issue 12: SQS-managed encryption passed the static scan"),
    case("enc-09-sqs-managed-sse-off", "ENC-09", "fail", "queue", queue(sqsManagedSseEnabled=False)),
    case("enc-09-sqs-key-with-managed-sse-off", "ENC-09", "pass", "queue",
         queue(key_of("lambda", "key-arn"), sqsManagedSseEnabled=False)),
]

"""IAM-05 cases: where a replication group's AUTH token comes from, and how the secret that holds it rotates.

Each case has its own replication group (``redis-<case>-<suffix>``) and, where the
token is kept in a secret, the secret (tagged ``AuthTokenFor`` with the group's id),
its version (the group's ``authToken`` is that version's ``secretString``) and its
rotation. ``FIXTURES`` offers the rotation function and its role. The token is a
fixed, readable value of a test, not a credential.

moto cannot run a rotation function: the sandbox sets the schedule without it and
records the gap (``secretsmanager:RotateSecret`` on the secret), so every case whose
secret rotates through a function is ``not_applicable`` live, whatever AWS would say.
A rotation without a function is refused by AWS for a secret that has none yet (only
secrets managed by another service rotate without one): preview/static only.
"""

import json

from controls.cases import case, ref, resource

ACCOUNT, REGION = "123456789012", "sa-east-1"  # the sandbox's account and the case runner's region
TAGS = {"Environment": "{suffix}"}
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SECRET = "aws:secretsmanager/secret:Secret"
TOKEN = "{id}-case-auth-token-not-a-secret"  # AUTH needs 16+ characters; a fixed value of a test, not a credential
GROUP_ID = "redis-{id}-{suffix}"
_SIG = "4dabf18193072939515e22adb298388d"
CODE = {_SIG: "0def7320c3a5731c473e5ecbe6d01bc7",
        "assets": {"index.py": {_SIG: "c44067f5952c0a294b673a41bacd8c17",
                                "text": "def handler(event, context):\n    return None\n"}}}
FUNCTION_NAME = "lambda-iam05-rotation-{suffix}"
NO_ROTATION_FUNCTION = (
    "moto cannot run a rotation function (RotateSecret with a RotationLambdaARN invokes Lambda through Docker, absent "
    "here): the sandbox sets the schedule without the function and records the gap (secretsmanager:RotateSecret)")

FIXTURES = [
    resource("iam05-role", "aws:iam/role:Role", name="role-iam05-rotation-{suffix}", tags=TAGS,
             assumeRolePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
    resource("iam05-function", "aws:lambda/function:Function", name=FUNCTION_NAME, runtime="python3.11",
             handler="index.handler", code=CODE, role=ref("@iam05-role", "arn"), tags=TAGS),
]


def group(token=None):
    """The case's replication group; its token is the case's version's value unless given."""
    return resource("redis", GROUP, replicationGroupId=GROUP_ID, description="IAM-05 case", engine="redis",
                    nodeType="cache.t4g.small", numCacheClusters=1, transitEncryptionEnabled=True,
                    atRestEncryptionEnabled=True, authToken=ref("version", "secretString") if token is None else token,
                    tags=TAGS)


def secret(tag=GROUP_ID):
    tags = {**TAGS, "AuthTokenFor": tag} if tag is not None else TAGS
    return resource("secret", SECRET, name="secret-{id}-{suffix}", description="IAM-05 case: an AUTH token",
                    recoveryWindowInDays=0, tags=tags)


def version():
    return resource("version", "aws:secretsmanager/secretVersion:SecretVersion", secretId=ref("secret", "id"),
                    secretString=TOKEN)


def rotation(function=None, **rules):
    """The secret's rotation through the fixture function (or ``function``), every ``rules`` (30 days by default)."""
    settings = {"rotationRules": rules or {"automaticallyAfterDays": 30},
                "rotationLambdaArn": ref("@iam05-function", "arn") if function is None else function}
    return resource("rotation", "aws:secretsmanager/secretRotation:SecretRotation", secretId=ref("secret", "id"),
                    **{k: v for k, v in settings.items() if v != ""})


def invoke_permission():
    """Secrets Manager may invoke the function for this secret (AWS's RotateSecret needs it)."""
    return resource("permission", "aws:lambda/permission:Permission", action="lambda:InvokeFunction",
                    function=ref("@iam05-function", "name"), principal="secretsmanager.amazonaws.com",
                    sourceArn=ref("secret", "arn"), statementId="SecretsManagerRotates-{id}")


def rotated(**rotation_inputs):
    """A group whose token is kept in a tagged secret that rotates through the fixture function."""
    return group(), secret(), version(), invoke_permission(), rotation(**rotation_inputs)


ROTATES = {"gaps": {"live": NO_ROTATION_FUNCTION}}

CASES = [
    case("iam-05-rotated-by-function-every-30-days", "IAM-05", "pass", "secret", *rotated(), **ROTATES,
         why="the program's shape: token from the tagged secret's version, rotated through a function every 30 days"),
    case("iam-05-rotated-at-rate-30-days", "IAM-05", "pass", "secret",
         *rotated(scheduleExpression="rate(30 days)"), **ROTATES),
    case("iam-05-rotated-every-12-hours", "IAM-05", "pass", "secret",
         *rotated(scheduleExpression="rate(12 hours)"), **ROTATES),
    case("iam-05-function-as-literal-arn", "IAM-05", "pass", "secret",
         *rotated(function=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_NAME}"), **ROTATES,
         why="a function named by its ARN is a rotation function, wherever it is declared"),
    case("iam-05-rotated-every-31-days", "IAM-05", "fail", "secret", *rotated(automaticallyAfterDays=31), **ROTATES),
    case("iam-05-rotated-every-90-days", "IAM-05", "fail", "secret", *rotated(automaticallyAfterDays=90), **ROTATES),
    case("iam-05-rotated-by-cron", "IAM-05", "fail", "secret",
         *rotated(scheduleExpression="cron(0 4 1 * ? *)"), **ROTATES,
         why="a cron schedule gives no interval that can be checked against 30 days"),
    case("iam-05-rotation-without-function", "IAM-05", "fail", "secret", group(), secret(), version(),
         rotation(function=""),
         not_live="AWS refuses RotateSecret without a function for a secret that has no rotation function yet"),
    case("iam-05-secret-never-rotates", "IAM-05", "fail", "secret", group(), secret(), version(),
         why="the token never changes"),
    case("iam-05-tagged-secret-never-rotates", "IAM-05", "fail", "secret", secret(), version(),
         why="a secret tagged as holding a group's token is judged whatever reads it"),
    case("iam-05-literal-token", "IAM-05", "fail", "redis", group(token=TOKEN),
         why="a token written into the program is read from no secret: nothing can rotate it"),
    case("iam-05-token-secret-not-tagged", "IAM-05", "fail", "redis", group(), secret(tag=None), version(),
         invoke_permission(), rotation(),
         why="the audit finds the secret of a group's token by its AuthTokenFor tag only"),
    case("iam-05-token-secret-tagged-for-another-group", "IAM-05", "fail", "redis", group(),
         secret(tag="redis-other-{suffix}"), version(), invoke_permission(), rotation()),
]

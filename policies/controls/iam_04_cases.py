"""IAM-04 cases: master credentials managed by RDS, or read from a secret that rotates at least every 30 days; an RDS
Proxy reaching its database with IAM end to end, or with secrets that rotate as often."""

from controls.cases import case, ref, resource
from controls.net_02_cases import TAGS, cluster, proxy

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"

HANDLER_MISSING = ("the sandbox has no SecretRotation handler on this branch (moto runs a rotation function through "
                   "Docker)")
NO_ROTATION_HANDLER = HANDLER_MISSING + "; the live audit judges the rotation on the secret (live_subject)"
UNLINKABLE = ("RDS does not record where an unmanaged master password came from, so the audit cannot tie the "
              "cluster to the secret (it fails such a cluster: not verifiable); " + HANDLER_MISSING)


def secret_rotation(key: str = "rotation", **rules):
    return [resource("secret", SECRET, name="secret-dbmaster-{id}-{suffix}", tags=TAGS),
            resource("version", VERSION, secretId=ref("secret"), secretString="example-only-not-a-secret"),
            resource(key, ROTATION, secretId=ref("secret"), rotationRules=rules,
                     rotationLambdaArn="arn:aws:lambda:sa-east-1:123456789012:function:lambda-rotate-{suffix}")]


NO_DEFAULT_AUTH_SCHEME = ("moto does not keep a proxy's DefaultAuthScheme, so end-to-end IAM authentication cannot be "
                          "read back (the sandbox records the gap)")


def proxy_with_secret(*rotation, scheme="NONE"):
    """A proxy reaching its database with the secret ``secret`` (clients with IAM), the secret rotated as given."""
    secret = [resource("secret", SECRET, name="secret-proxyauth-{id}-{suffix}", tags=TAGS),
              resource("version", VERSION, secretId=ref("secret"), secretString="example-only-not-a-secret")]
    auth = {"authScheme": "SECRETS", "iamAuth": "REQUIRED", "secretArn": ref("secret", "arn")}
    return (*secret, *rotation, proxy(defaultAuthScheme=scheme, auths=[auth]))


def rotated(**rules):
    return resource("rotation", ROTATION, secretId=ref("secret"), rotationRules=rules,
                    rotationLambdaArn="arn:aws:lambda:sa-east-1:123456789012:function:lambda-rotate-{suffix}")


def from_secret(**rules):
    return (*secret_rotation(**rules),
            cluster(subnets_key="@netiam-db-subnets", manageMasterUserPassword=False,
                    masterPassword=ref("version", "secretString")))


CASES = [
    case("iam-04-password-managed-by-rds", "IAM-04", "pass", "db", cluster(subnets_key="@netiam-db-subnets"),
         why="RDS keeps the password in Secrets Manager and rotates it (every 7 days by default)"),
    case("iam-04-static-password", "IAM-04", "fail", "db",
         cluster(subnets_key="@netiam-db-subnets", manageMasterUserPassword=False,
                 masterPassword="example-only-not-a-secret")),
    case("iam-04-no-password-source", "IAM-04", "fail", "db",
         cluster(subnets_key="@netiam-db-subnets", manageMasterUserPassword=False),
         not_live="AWS refuses a cluster with neither a master password nor a managed one"),
    case("iam-04-password-from-secret-rotated-monthly", "IAM-04", "pass", "db", *from_secret(automaticallyAfterDays=30),
         not_live=UNLINKABLE),
    case("iam-04-password-from-secret-rotated-quarterly", "IAM-04", "fail", "db",
         *from_secret(automaticallyAfterDays=90), not_live=UNLINKABLE),
    case("iam-04-rotation-30-days", "IAM-04", "pass", "rotation", *secret_rotation(automaticallyAfterDays=30),
         live_subject="secret", not_live=NO_ROTATION_HANDLER),
    case("iam-04-rotation-31-days", "IAM-04", "fail", "rotation", *secret_rotation(automaticallyAfterDays=31),
         live_subject="secret", not_live=NO_ROTATION_HANDLER),
    case("iam-04-rotation-rate-days", "IAM-04", "pass", "rotation", *secret_rotation(scheduleExpression="rate(30 days)"),
         live_subject="secret", not_live=NO_ROTATION_HANDLER),
    case("iam-04-rotation-rate-hours", "IAM-04", "pass", "rotation", *secret_rotation(scheduleExpression="rate(4 hours)"),
         live_subject="secret", not_live=NO_ROTATION_HANDLER),
    case("iam-04-rotation-rate-too-slow", "IAM-04", "fail", "rotation",
         *secret_rotation(scheduleExpression="rate(45 days)"), live_subject="secret", not_live=NO_ROTATION_HANDLER),
    case("iam-04-rotation-cron", "IAM-04", "fail", "rotation",
         *secret_rotation(scheduleExpression="cron(0 4 1 * ? *)"), live_subject="secret", not_live=NO_ROTATION_HANDLER,
         why="a cron schedule gives no interval that can be checked (monthly may be 31 days)"),
    case("iam-04-rds-proxy-iam-end-to-end", "IAM-04", "pass", "proxy", proxy(),
         gaps={"live": NO_DEFAULT_AUTH_SCHEME},
         why="defaultAuthScheme IAM_AUTH: the proxy reaches the database with its role, no password exists"),
    case("iam-04-rds-proxy-secret-rotated-monthly", "IAM-04", "pass", "proxy",
         *proxy_with_secret(rotated(automaticallyAfterDays=30))),
    case("iam-04-rds-proxy-secret-rotated-quarterly", "IAM-04", "fail", "proxy",
         *proxy_with_secret(rotated(automaticallyAfterDays=90))),
    case("iam-04-rds-proxy-secret-never-rotated", "IAM-04", "fail", "proxy", *proxy_with_secret(),
         why="a static database password held by the proxy"),
    case("iam-04-rds-proxy-iam-and-an-unrotated-secret", "IAM-04", "fail", "proxy",
         *proxy_with_secret(scheme="IAM_AUTH"),
         why="IAM end to end does not excuse a static secret the proxy still holds",
         gaps={"live": "moto does not keep the proxy's DefaultAuthScheme, so the audit reports every verdict read "
                       "beside it not observable in the sandbox"}),
    case("iam-04-rds-proxy-secret-outside-the-stack", "IAM-04", "fail", "proxy",
         proxy(defaultAuthScheme="NONE", auths=[{
             "authScheme": "SECRETS", "iamAuth": "REQUIRED",
             "secretArn": "arn:aws:secretsmanager:sa-east-1:123456789012:secret:secret-elsewhere-{suffix}-AbCdEf"}]),
         why="a secret no layer can read cannot be shown to rotate"),
    case("iam-04-rds-proxy-without-authentication", "IAM-04", "fail", "proxy", proxy(defaultAuthScheme="NONE"),
         not_live="AWS refuses a proxy whose default scheme is NONE without an auth entry",
         why="neither IAM nor a secret"),
    case("iam-04-rds-proxy-auth-without-secret", "IAM-04", "fail", "proxy",
         proxy(defaultAuthScheme="NONE", auths=[{"authScheme": "SECRETS", "iamAuth": "REQUIRED"}]),
         not_live="AWS refuses a SECRETS auth entry that names no secret"),
]

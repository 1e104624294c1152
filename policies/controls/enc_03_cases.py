"""ENC-03 cases: Redis at rest (key in the spellings ElastiCache documents), in transit, AUTH; clusters, serverless.

ElastiCache documents its ``KmsKeyId`` as the key's ID or ARN (an alias ARN is
accepted too); an alias name is not documented, so it is not a case. ElastiCache
has no AWS-managed key of its own (its default is service-owned), so
``alias/aws/elasticache`` names no key and AWS refuses it: a preview/static case.
"""

from controls.cases import case, ref, resource
from controls.enc_01_cases import TAGS, key_cases, key_of

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"
SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
TOKEN = "{id}-case-auth-token-not-a-secret"  # AUTH needs 16+ characters; a fixed value of a test, not a credential
NO_SERVERLESS = "moto 5.2.5 does not implement ElastiCache serverless caches"
NO_CLUSTERS = ("the sandbox has no handler for aws:elasticache/cluster:Cluster and the audit lists replication "
               "groups only (a stand-alone cluster in an account is not audited)")
NO_USER_GROUPS = "moto 5.2.5 answers CreateUserGroup with HTTP 500, so the RBAC user group cannot be created"


def group(key=None, **inputs):
    settings = {"atRestEncryptionEnabled": True, "transitEncryptionEnabled": True, "authToken": TOKEN, "tags": TAGS,
                **({"kmsKeyId": key} if key is not None else {}), **inputs}
    return resource("redis", GROUP, replicationGroupId="redis-{id}-{suffix}", description="ENC-03 case",
                    engine="redis", nodeType="cache.t4g.small", numCacheClusters=1,
                    **{k: v for k, v in settings.items() if v is not None})


def serverless(key, engine="redis", **inputs):
    return resource("cache", SERVERLESS, name="cache-{id}-{suffix}", engine=engine, tags=TAGS,
                    **({"kmsKeyId": key} if key is not None else {}), **inputs)


CMK = key_of("elasticache", "key-arn")
CASES = [
    *key_cases("ENC-03", "enc-03", "elasticache", "redis", lambda key: (group(key),),
               spellings=("alias-arn", "key-id", "key-arn")),
    case("enc-03-aws-managed-alias", "ENC-03", "fail", "redis", group("alias/aws/elasticache"),
         not_live="ElastiCache has no AWS-managed key: alias/aws/elasticache names no key, and AWS refuses it"),
    case("enc-03-at-rest-without-key", "ENC-03", "fail", "redis", group(),
         why="at rest without kmsKeyId uses ElastiCache's default, service-owned key"),
    case("enc-03-not-encrypted-at-rest", "ENC-03", "fail", "redis", group(atRestEncryptionEnabled=False)),
    case("enc-03-not-encrypted-in-transit", "ENC-03", "fail", "redis",
         group(CMK, transitEncryptionEnabled=False, authToken=None, userGroupIds=None),
         why="without TLS there is no AUTH token either (AWS requires transit encryption for one)"),
    case("enc-03-transit-preferred", "ENC-03", "fail", "redis", group(CMK, transitEncryptionMode="preferred"),
         why="preferred still admits plain-text clients"),
    case("enc-03-transit-required", "ENC-03", "pass", "redis", group(CMK, transitEncryptionMode="required")),
    case("enc-03-no-auth", "ENC-03", "fail", "redis", group(CMK, authToken=None)),
    case("enc-03-rbac-user-group", "ENC-03", "pass", "redis",
         resource("user", "aws:elasticache/user:User", userId="user-{id}-{suffix}", userName="default",
                  engine="redis", accessString="on ~* +@all", authenticationMode={"type": "iam"}, tags=TAGS),
         resource("users", "aws:elasticache/userGroup:UserGroup", userGroupId="usergroup-{id}-{suffix}",
                  engine="redis", userIds=[ref("user", "userId")], tags=TAGS),
         group(CMK, authToken=None, userGroupIds=[ref("users", "userGroupId")]),
         not_live=NO_USER_GROUPS),
    case("enc-03-stand-alone-cluster", "ENC-03", "fail", "node",
         resource("node", CLUSTER, clusterId="redis-{id}-{suffix}", engine="redis", nodeType="cache.t4g.small",
                  numCacheNodes=1, tags=TAGS),
         not_live=NO_CLUSTERS),
    case("enc-03-member-of-a-compliant-group", "ENC-03", "pass", "node", group(CMK),
         resource("node", CLUSTER, clusterId="redisnode-{id}-{suffix}", replicationGroupId=ref("redis", "id")),
         why="a member holds the group's data under the group's settings", not_live=NO_CLUSTERS),
    case("enc-03-member-of-a-group-without-auth", "ENC-03", "fail", "node", group(CMK, authToken=None),
         resource("node", CLUSTER, clusterId="redisnode-{id}-{suffix}", replicationGroupId=ref("redis", "id")),
         not_live=NO_CLUSTERS),
    case("enc-03-member-of-an-undeclared-group", "ENC-03", "fail", "node",
         resource("node", CLUSTER, clusterId="redisnode-{id}-{suffix}", replicationGroupId="redis-elsewhere"),
         why="a group the stack does not declare cannot be verified before the deploy", not_live=NO_CLUSTERS),
    case("enc-03-memcached-cluster", "ENC-03", "pass", "node",
         resource("node", CLUSTER, clusterId="memcached-{id}-{suffix}", engine="memcached",
                  nodeType="cache.t4g.small", numCacheNodes=1, tags=TAGS),
         why="memcached is not Redis: nothing ENC-03 requires binds it", not_live=NO_CLUSTERS),
    case("enc-03-serverless-with-key-and-rbac", "ENC-03", "pass", "cache",
         serverless(CMK, userGroupId="usergroup-{id}-{suffix}"), not_live=NO_SERVERLESS),
    case("enc-03-serverless-without-rbac", "ENC-03", "fail", "cache", serverless(CMK), not_live=NO_SERVERLESS),
    case("enc-03-serverless-without-key", "ENC-03", "fail", "cache",
         serverless(None, userGroupId="usergroup-{id}-{suffix}"), not_live=NO_SERVERLESS),
    case("enc-03-serverless-memcached", "ENC-03", "pass", "cache", serverless(CMK, engine="memcached"),
         why="memcached is not Redis", not_live=NO_SERVERLESS),
]

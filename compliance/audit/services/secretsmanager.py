"""Secrets Manager: secrets (with those RDS manages for the stack's clusters); ENC-04, IAM-04 and IAM-05.

IAM-04 judges Aurora clusters but reads their master secret here: ``rds`` is
imported by this module (an RDS-managed secret is in scope with its cluster),
so the check lives where it reads; it also judges every rotating secret's schedule, and each RDS
Proxy's credentials (IAM end to end, or the secrets its ``Auth`` names, read with DescribeSecret). ENC-04
(``controls.enc_04``) judges every secret, and each cluster through the master secret RDS manages for
it, as the pack and the static scan do. IAM-05 judges the secrets
that hold a Redis AUTH token (tagged ``AuthTokenFor=<replication group id>``) and the replication groups
whose token no such secret holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.elasticache import replication_groups
from compliance.audit.services.rds import CLUSTER, PROXY, clusters, proxies
from compliance.findings import ResourceRef
from controls import enc_04, iam_04, iam_05
from controls.values import MISSING, lookup
from controls.verdict import NOT_APPLICABLE

SECRET = "aws:secretsmanager/secret:Secret"


@listing(SECRET)
def secrets(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Secrets of the stack, including those RDS manages for an in-scope cluster's master user."""
    owned_by_clusters = {c.id for c in clusters(inventory, region)}
    for secret in inventory.aws.pages("secretsmanager", region, "ListSecrets", "SecretList"):
        tags = tag_dict(secret.get("Tags"))
        kept = inventory.keep(SECRET, region, secret["Name"], (secret["ARN"],), secret, lambda t=tags: t,
                              resource_id=secret["ARN"])
        rds_owned = tags.get("aws:rds:primaryDBClusterArn") in owned_by_clusters
        if kept or rds_owned:
            ref = ResourceRef(id=secret["ARN"], type=SECRET, name=secret["Name"], region=region)
            yield Resource(ref, secret, tags, managed_by_aws=bool(secret.get("OwningService")))


def describe_secret(ctx: CheckContext, arn: str) -> dict[str, Any]:
    return ctx.inventory.memo.get(("DescribeSecret", arn),
                                  lambda: ctx.call("secretsmanager", "DescribeSecret", SecretId=arn))


@live_check("ENC-04", "enc-04-secret-key", resource_type=SECRET)
def secret_keys(ctx: CheckContext):
    def evaluate(secret: Resource) -> Outcome:
        described = describe_secret(ctx, secret.id)
        evidence: dict[str, Any] = {"secretsmanager:DescribeSecret": pick(described, "KmsKeyId")}
        facts = enc_04.Secret(key_ref(ctx, described.get("KmsKeyId"), evidence))
        return verdict_outcome(secret, enc_04.decide(facts), evidence)

    return ctx.each(secrets(ctx.inventory, ctx.region), evaluate)


@live_check("ENC-04", "enc-04-rds-managed-master-secret-key", resource_type=CLUSTER)
def managed_master_secret_keys(ctx: CheckContext):
    """The cluster's master secret as RDS reports it (``MasterUserSecret``), judged on the cluster like the pack."""
    def evaluate(cluster: Resource) -> Outcome:
        master = cluster.data.get("MasterUserSecret") or {}
        evidence: dict[str, Any] = {"rds:DescribeDBClusters": {"MasterUserSecret": pick(master, "SecretArn",
                                                                                         "KmsKeyId")}}
        facts = enc_04.ManagedMasterSecret(bool(master.get("SecretArn")),
                                           key_ref(ctx, master.get("KmsKeyId"), evidence))
        return verdict_outcome(cluster, enc_04.decide(facts), evidence)

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)


def rotation(described: dict[str, Any], where: str) -> iam_04.Rotation:
    """IAM-04's facts on a secret's rotation, from DescribeSecret."""
    rules = described.get("RotationRules") or {}
    return iam_04.Rotation(where, rules.get("AutomaticallyAfterDays") or MISSING,
                           rules.get("ScheduleExpression") or MISSING, bool(described.get("RotationEnabled")))


@live_check("IAM-04", "iam-04-database-credentials-rotated", resource_type=CLUSTER)
def database_credentials(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRotationDays", 30))

    def evaluate(cluster: Resource) -> Outcome:
        master = cluster.data.get("MasterUserSecret") or {}
        evidence: dict[str, Any] = {"rds:DescribeDBClusters": {"MasterUserSecret": pick(master, "SecretArn",
                                                                                         "SecretStatus")}}
        rotations: tuple[iam_04.Rotation, ...] = ()
        if master.get("SecretArn"):
            described = describe_secret(ctx, master["SecretArn"])
            evidence["secretsmanager:DescribeSecret"] = pick(described, "RotationEnabled", "RotationRules")
            rotations = (rotation(described, "the master secret"),)
        # RDS does not say where an unmanaged password came from: it is a static credential as far as anyone can verify.
        facts = iam_04.Credentials(f"cluster '{cluster.name}'", bool(master.get("SecretArn")), True, rotations)
        return verdict_outcome(cluster, iam_04.decide(facts, maximum), evidence)

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)


@live_check("IAM-04", "iam-04-secret-rotation-schedule", resource_type=SECRET)
def secret_rotations(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRotationDays", 30))

    def evaluate(secret: Resource) -> list[Outcome]:
        described = describe_secret(ctx, secret.id)
        if not described.get("RotationEnabled"):
            return []  # no rotation configured: judged with its database, if it holds a master password
        evidence = {"secretsmanager:DescribeSecret": pick(described, "RotationEnabled", "RotationRules")}
        return [verdict_outcome(secret, iam_04.decide_rotation(rotation(described, "rotation"), maximum), evidence)]

    return ctx.each(secrets(ctx.inventory, ctx.region), evaluate)


def auth_secrets(ctx: CheckContext) -> list[Resource]:
    """The secrets in scope that hold a replication group's AUTH token: tagged ``AuthTokenFor`` (AWS links no other way)."""
    return [s for s in secrets(ctx.inventory, ctx.region) if iam_05.AUTH_TOKEN_TAG in (s.tags or {})]


def secret_rotation(described: dict[str, Any]) -> tuple[iam_05.Rotation, ...]:
    """IAM-05's facts from DescribeSecret: the secret's one rotation, or none when rotation was never configured."""
    rules = described.get("RotationRules") or {}
    if not described.get("RotationEnabled") and not rules:
        return ()
    return (iam_05.Rotation("RotationRules", bool(described.get("RotationEnabled")),
                            described.get("RotationLambdaARN") or MISSING,
                            rules.get("AutomaticallyAfterDays", MISSING), rules.get("ScheduleExpression", MISSING)),)


@live_check("IAM-05", "iam-05-redis-auth-secret-rotates", resource_type=SECRET)
def redis_auth_secret_rotates(ctx: CheckContext):
    """Each AUTH secret's rotation, and each replication group whose token no such secret holds.

    A group whose token a tagged secret holds is judged on that secret (as in the pack,
    it gets no finding of its own); a group without AUTH is not IAM-05's. Where the
    sandbox could not attach a secret's rotation function, the sandbox's gap on
    ``secretsmanager:DescribeSecret`` (fields RotationLambdaARN, LastRotatedDate) makes
    the runner report the secret's finding not_applicable, keeping what was observed.
    """
    maximum = int(ctx.parameters["maxRotationDays"])
    holders = auth_secrets(ctx)
    by_group: dict[str, list[Resource]] = {}
    for secret in holders:
        by_group.setdefault(secret.tags[iam_05.AUTH_TOKEN_TAG].strip().lower(), []).append(secret)

    def secret_outcome(secret: Resource) -> Outcome:
        described = describe_secret(ctx, secret.id)
        evidence: dict[str, Any] = {
            "secretsmanager:DescribeSecret": pick(described, "RotationEnabled", "RotationLambdaARN", "RotationRules"),
            "secretsmanager:ListSecrets": {"Tags": {iam_05.AUTH_TOKEN_TAG: secret.tags[iam_05.AUTH_TOKEN_TAG]}}}
        decided = iam_05.decide_secret(iam_05.AuthSecret(f"secret '{secret.name}'", secret_rotation(described)),
                                       maximum)
        return verdict_outcome(secret, decided, evidence)

    def group_outcomes(group: Resource) -> list[Outcome]:
        group_id = group.data["ReplicationGroupId"]
        tagged = by_group.get(group_id.lower(), [])
        decided = iam_05.decide_group(iam_05.TokenHolder(
            f"replication group '{group_id}'", group_id, bool(group.data.get("AuthTokenEnabled")),
            tuple(iam_05.TokenSource(f"secret '{s.name}'", s.tags[iam_05.AUTH_TOKEN_TAG]) for s in tagged)))
        if decided.status == NOT_APPLICABLE:
            return []
        evidence = {"elasticache:DescribeReplicationGroups": pick(group.data, "AuthTokenEnabled"),
                    "secretsmanager:ListSecrets": {"TaggedFor": [s.name for s in tagged]}}
        return [verdict_outcome(group, decided, evidence)]

    yield from ctx.each(holders, secret_outcome)
    yield from ctx.each(replication_groups(ctx.inventory, ctx.region), group_outcomes)


def proxy_secret(ctx: CheckContext, arn: str, evidence: dict[str, Any]) -> iam_04.ProxySecret:
    """A secret a proxy names, with its rotation from DescribeSecret; unreadable when it does not exist."""
    described = ctx.inventory.memo.get(("DescribeSecret", arn), lambda: ctx.call(
        "secretsmanager", "DescribeSecret", SecretId=arn, absent=("ResourceNotFoundException",)))
    where = f"secret '{arn.rsplit(':', 1)[-1]}'"
    if described is None:
        evidence[arn] = "ResourceNotFoundException"
        return iam_04.ProxySecret(f"{where} (not found)", None)
    evidence[arn] = pick(described, "OwningService", "RotationEnabled", "RotationRules")
    managed = described.get("OwningService") == "rds"
    if not described.get("RotationEnabled") and not managed:
        return iam_04.ProxySecret(where, ())
    return iam_04.ProxySecret(where, (rotation(described, f"the rotation of {where}"),), managed=managed)


@live_check("IAM-04", "iam-04-rds-proxy-credentials", resource_type=PROXY)
def proxy_credentials(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRotationDays", 30))

    def evaluate(proxy: Resource) -> Outcome:
        auths = [a for a in proxy.data.get("Auth") or [] if isinstance(a, dict)]
        evidence: dict[str, Any] = {"rds:DescribeDBProxies": {
            "DefaultAuthScheme": proxy.data.get("DefaultAuthScheme"),
            "Auth": [pick(a, "AuthScheme", "IAMAuth", "SecretArn") for a in auths]}}
        described: dict[str, Any] = {}
        arns = list(dict.fromkeys(a["SecretArn"] for a in auths if a.get("SecretArn")))
        secrets = tuple(proxy_secret(ctx, arn, described) for arn in arns)
        if described:
            evidence["secretsmanager:DescribeSecret"] = described
        facts = iam_04.Proxy(f"proxy '{proxy.name}'", lookup(proxy.data, "DefaultAuthScheme"), secrets,
                             sum(1 for a in auths if not a.get("SecretArn")))
        return verdict_outcome(proxy, iam_04.decide_proxy(facts, maximum), evidence)

    return ctx.each(proxies(ctx.inventory, ctx.region), evaluate)

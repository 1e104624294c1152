"""Secrets Manager: secrets (with those RDS manages for the stack's clusters); ENC-04 and IAM-04.

IAM-04 judges Aurora clusters but reads their master secret here: ``rds`` is
imported by this module (an RDS-managed secret is in scope with its cluster),
so the check lives where it reads. ENC-04 (``controls.enc_04``) judges every
secret, and each cluster through the master secret RDS manages for it, as the
pack and the static scan do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import key_ref, pick, verdict, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing, tag_dict
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.rds import CLUSTER, clusters
from compliance.findings import ResourceRef
from controls import enc_04

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


def rotation_days(described: dict[str, Any]) -> int | None:
    rules = described.get("RotationRules") or {}
    if rules.get("AutomaticallyAfterDays"):
        return int(rules["AutomaticallyAfterDays"])
    match = re.match(r"^rate\((\d+) days?\)$", str(rules.get("ScheduleExpression", "")))
    return int(match.group(1)) if match else None


@live_check("IAM-04", "iam-04-database-credentials-rotated", resource_type=CLUSTER)
def database_credentials(ctx: CheckContext):
    maximum = int(ctx.parameters.get("maxRotationDays", 30))

    def evaluate(cluster: Resource) -> Outcome:
        master = cluster.data.get("MasterUserSecret") or {}
        evidence: dict[str, Any] = {"rds:DescribeDBClusters": {"MasterUserSecret": pick(master, "SecretArn",
                                                                                         "SecretStatus")}}
        if not master.get("SecretArn"):
            return verdict(cluster, ["the master password is not managed in Secrets Manager: set "
                                     "manageMasterUserPassword"], "", evidence)
        described = describe_secret(ctx, master["SecretArn"])
        days = rotation_days(described)
        evidence["secretsmanager:DescribeSecret"] = pick(described, "RotationEnabled", "RotationRules")
        problems = []
        if not described.get("RotationEnabled"):
            problems.append("automatic rotation is off for the master secret: enable it")
        elif days is None or days > maximum:
            problems.append(f"the master secret rotates every {days or 'unknown'} days: rotate every {maximum} "
                            "days or less")
        return verdict(cluster, problems, f"master password in Secrets Manager, rotated every {days} days", evidence)

    return ctx.each(clusters(ctx.inventory, ctx.region), evaluate)

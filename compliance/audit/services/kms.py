"""KMS: the customer-managed keys themselves; KMS-01 (rotation), KMS-02 (one key per service), KMS-03 (policy).

Each decided by its module (``controls.kms_01`` .. ``kms_03``) from the API answers.

The key reads every encryption check shares (DescribeKey, ListAliases) are
``Inventory.key``/``aliases``/``aws_alias_of``. KMS-02 reads the key reference
of every audited resource, so this module imports every service's listing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from compliance.audit.common import pick, statements, verdict_outcome
from compliance.audit.inventory import Inventory, Resource, listing
from compliance.audit.registry import CheckContext, Outcome, live_check
from compliance.audit.services.cloudtrail import trails
from compliance.audit.services.dynamodb import tables
from compliance.audit.services.elasticache import replication_groups
from compliance.audit.services.kinesis import streams
from compliance.audit.services.lambda_ import functions
from compliance.audit.services.logs import log_groups
from compliance.audit.services.rds import cluster_instances, clusters
from compliance.audit.services.s3 import NO_ENCRYPTION, bucket_read, buckets, trail_bucket_names
from compliance.audit.services.secretsmanager import describe_secret, secrets
from compliance.audit.services.sqs import queues
from compliance.findings import ResourceRef
from controls import kms_01, kms_02, kms_03
from controls.values import MISSING

KEY = "aws:kms/key:Key"
PENDING_DELETION = ("PendingDeletion", "PendingReplicaDeletion")


@listing(KEY)
def keys(inventory: Inventory, region: str) -> Iterator[Resource | None]:
    """Customer-managed keys not pending deletion, with their KeyMetadata and own (not alias/aws/*) aliases.

    A key is named by its first own alias, else its Name tag, else its id.
    """
    aliases = inventory.aliases(region)
    for listed in inventory.aws.pages("kms", region, "ListKeys", "Keys"):
        meta = inventory.key(region, listed["KeyArn"])
        if meta.get("KeyManager") != "CUSTOMER" or meta.get("KeyState") in PENDING_DELETION:
            continue
        own = sorted(a for a in aliases.get(meta["KeyId"], []) if not a.startswith("alias/aws/"))

        def read(arn: str = meta["Arn"]) -> dict[str, str]:
            return inventory.tags_of(region, arn)

        tags, gap = inventory.tags(read, meta["Arn"], meta["KeyId"])
        name = (own[0].removeprefix("alias/") if own else (tags or {}).get("Name", meta["KeyId"]))
        ids = (meta["Arn"], meta["KeyId"], *own)
        if inventory.scope.decide(name, ids, tags):
            ref = ResourceRef(id=meta["Arn"], type=KEY, name=name, region=region)
            yield Resource(ref, {**meta, "Aliases": own}, tags, tags_gap=gap, identifiers=ids)


@live_check("KMS-01", "kms-01-key-rotation", resource_type=KEY)
def rotation(ctx: CheckContext):
    def evaluate(key: Resource) -> Outcome:
        status = ctx.call("kms", "GetKeyRotationStatus", KeyId=key.data["KeyId"],
                          absent=("UnsupportedOperationException",))  # keys that cannot rotate
        evidence = {"kms:DescribeKey": pick(key.data, "KeySpec", "Origin", "CustomKeyStoreId"),
                    "kms:GetKeyRotationStatus": pick(status, "KeyRotationEnabled", "RotationPeriodInDays")
                    if status is not None else None}
        facts = kms_01.Key(spec=key.data.get("KeySpec", MISSING),
                           rotation=status.get("KeyRotationEnabled", MISSING) if status is not None else MISSING,
                           origin=key.data.get("Origin", MISSING),
                           custom_key_store=key.data.get("CustomKeyStoreId") or MISSING)
        return verdict_outcome(key, kms_01.decide(facts), evidence)

    return ctx.each(keys(ctx.inventory, ctx.region), evaluate)


def _references(ctx: CheckContext) -> list[tuple[kms_02.Use, str | None]]:
    """(the use, the key reference it holds) for every in-scope resource configured with a key."""
    inv, region = ctx.inventory, ctx.region
    found: list[tuple[kms_02.Use, str | None]] = []
    found += [(kms_02.Use("kinesis", s.name), s.data.get("KeyId")) for s in streams(inv, region)]
    for cluster in clusters(inv, region):
        found += [(kms_02.Use("rds", cluster.name), cluster.data.get("KmsKeyId")),
                  (kms_02.Use("rds", cluster.name), cluster.data.get("PerformanceInsightsKMSKeyId")),
                  (kms_02.Use("secretsmanager", f"{cluster.name} master secret"),
                   (cluster.data.get("MasterUserSecret") or {}).get("KmsKeyId"))]
    found += [(kms_02.Use("rds", i.name), i.data.get("PerformanceInsightsKMSKeyId"))
              for i in cluster_instances(inv, region)]
    found += [(kms_02.Use("elasticache", g.name), g.data.get("KmsKeyId")) for g in replication_groups(inv, region)]
    found += [(kms_02.Use("secretsmanager", s.name), describe_secret(ctx, s.id).get("KmsKeyId"))
              for s in secrets(inv, region)]
    found += [(kms_02.Use("dynamodb", t.name), (t.data.get("SSEDescription") or {}).get("KMSMasterKeyArn"))
              for t in tables(inv, region)]
    found += [(kms_02.Use("logs", g.name), g.data.get("kmsKeyId")) for g in log_groups(inv, region)]
    found += [(kms_02.Use("cloudtrail", t.name), t.data.get("KmsKeyId")) for t in trails(inv, region)]
    found += [(kms_02.Use("lambda", f.name), f.data.get("KMSKeyArn")) for f in functions(inv, region)]
    found += [(kms_02.Use("sqs", q.name), q.data.get("KmsMasterKeyId")) for q in queues(inv, region)]
    delivered = trail_bucket_names(ctx)
    for bucket in buckets(inv, region):
        answer = bucket_read(ctx, "GetBucketEncryption", bucket.name, NO_ENCRYPTION)
        for rule in ((answer or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []:
            found.append((kms_02.Use("s3", bucket.name, bucket.name in delivered),
                          (rule.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")))
    return found


def key_uses(ctx: CheckContext) -> dict[str, list[kms_02.Use]]:
    """Key ARN -> the uses of it by in-scope resources.

    A reference names an audited key by its ARN, id, alias name or alias ARN;
    references to any other key (AWS-managed, another account's, a deleted one)
    are no audited key's uses.
    """
    names: dict[str, str] = {}
    for key in keys(ctx.inventory, ctx.region):
        prefix = key.id.rsplit(":key/", 1)[0]  # arn:<partition>:kms:<region>:<account>
        for alias in key.data.get("Aliases", []):
            names[alias] = names[f"{prefix}:{alias}"] = key.id
        names[key.data["KeyId"]] = names[key.id] = key.id
    uses: dict[str, list[kms_02.Use]] = defaultdict(list)
    for use, reference in _references(ctx):
        if reference in names:
            uses[names[reference]].append(use)
    return uses


@live_check("KMS-02", "kms-02-one-key-per-service", resource_type=KEY)
def one_key_per_service(ctx: CheckContext):
    uses = key_uses(ctx)

    def evaluate(key: Resource) -> Outcome:
        mine = uses.get(key.id, [])
        evidence = {"configuredBy": sorted(f"{kms_02.service(u)}: {u.resource}" for u in mine)}
        return verdict_outcome(key, kms_02.decide(mine), evidence)

    return ctx.each(keys(ctx.inventory, ctx.region), evaluate)


@live_check("KMS-03", "kms-03-key-policy-principals", resource_type=KEY)
def key_policy(ctx: CheckContext):
    low, high = int(ctx.parameters.get("minDeletionWindowDays", 7)), int(ctx.parameters.get("maxDeletionWindowDays", 30))

    def evaluate(key: Resource) -> Outcome:
        answer = ctx.call("kms", "GetKeyPolicy", KeyId=key.data["KeyId"], PolicyName="default")
        try:
            shown: Any = {"Statement": [pick(s, "Sid", "Effect", "Principal", "NotPrincipal", "Condition")
                                        for s in statements(json.loads(answer["Policy"]))]}
        except ValueError:
            shown = {"Policy": answer["Policy"]}
        facts = [kms_03.KeyPolicy("GetKeyPolicy default", answer["Policy"])]
        decided = kms_03.decide(facts, kms_03.NOT_OBSERVABLE, low, high)
        return verdict_outcome(key, decided, {"kms:GetKeyPolicy": shown})

    return ctx.each(keys(ctx.inventory, ctx.region), evaluate)

"""KMS-02 in the pack: for each KMS key of the stack, every resource configured with it (``controls.kms_02``).

A resource uses a key when its key input was computed from the key or one of
its aliases, or names an alias of the stack by its literal name or ARN.
References that resolve to no key of the stack are failed by the encryption
controls on the resource itself (``controls.keys``), not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import kms_02
from rules import types as t
from rules.model import Resource, StackView, physical
from rules.registry import RETIRED, Registry, stack_results
from rules.trail_buckets import trail_buckets
from rules.values import MISSING, UNKNOWN, as_list, lookup

registry = Registry()

# type -> [(the top-level input that carries the key, the dotted path to it inside, the kind of use)]
KEY_SETTINGS: dict[str, list[tuple[str, str, str]]] = {
    t.KINESIS_STREAM: [("kmsKeyId", "", "kinesis")],
    t.RDS_CLUSTER: [("kmsKeyId", "", "rds"), ("performanceInsightsKmsKeyId", "", "rds"),
                    ("masterUserSecretKmsKeyId", "", "secretsmanager")],
    t.RDS_CLUSTER_INSTANCE: [("performanceInsightsKmsKeyId", "", "rds")],
    t.RDS_INSTANCE: [("kmsKeyId", "", "rds"), ("performanceInsightsKmsKeyId", "", "rds"),
                     ("masterUserSecretKmsKeyId", "", "secretsmanager")],
    t.ELASTICACHE_REPLICATION_GROUP: [("kmsKeyId", "", "elasticache")],
    t.ELASTICACHE_SERVERLESS: [("kmsKeyId", "", "elasticache")],
    t.SECRET: [("kmsKeyId", "", "secretsmanager")],
    t.S3_SSE: [("rules", "applyServerSideEncryptionByDefault.kmsMasterKeyId", "s3")],
    t.S3_SSE_V2: [("rules", "applyServerSideEncryptionByDefault.kmsMasterKeyId", "s3")],
    t.S3_BUCKET: [("serverSideEncryptionConfiguration", "rule.applyServerSideEncryptionByDefault.kmsMasterKeyId",
                   "s3")],
    t.DYNAMODB_TABLE: [("serverSideEncryption", "kmsKeyArn", "dynamodb")],
    t.LOG_GROUP: [("kmsKeyId", "", "logs")],
    t.TRAIL: [("kmsKeyId", "", "cloudtrail")],
    t.LAMBDA_FUNCTION: [("kmsKeyArn", "", "lambda")],
    t.SQS_QUEUE: [("kmsMasterKeyId", "", "sqs")],
}


def _values(resource: Resource, prop: str, path: str) -> list[Any]:
    """The key references a setting holds (several for a list of encryption rules)."""
    top = resource.lookup(prop)
    if top is MISSING or not path:
        return [top]
    return [lookup(item, path) for item in as_list(top)] if isinstance(top, list) else [lookup(top, path)]


def _key_of(stack: StackView, found: Resource) -> Resource | None:
    if found.type == t.KMS_KEY:
        return found
    targets = stack.sources(found, "targetKeyId", t.KMS_KEY)
    return targets[0] if targets else None


def _keys_named(stack: StackView, value: Any) -> list[Resource]:
    """Keys whose alias a literal reference names (``alias/x`` or ``arn:...:alias/x``)."""
    if not isinstance(value, str) or "alias/" not in value:
        return []
    aliases = [a for a in stack.of_type(t.KMS_ALIAS) if isinstance(name := a.lookup("name"), str)
               and (value == name or value.endswith(f":{name}"))]
    return [k for k in (_key_of(stack, a) for a in aliases) if k is not None]


def _uses(stack: StackView) -> dict[str, list[kms_02.Use]]:
    """Key URN -> its uses by the stack's resources."""
    log_buckets = trail_buckets(stack)
    uses: dict[str, list[kms_02.Use]] = {}
    for resource in stack.of_type(*KEY_SETTINGS):
        for prop, path, kind in KEY_SETTINGS[resource.type]:
            values = [v for v in _values(resource, prop, path) if v is not MISSING]
            if not values:
                continue
            keys = {k.urn: k for k in (_key_of(stack, r) for r in stack.sources(resource, prop, t.KMS_KEY, t.KMS_ALIAS))
                    if k is not None}
            for value in values:
                keys.update({k.urn: k for k in _keys_named(stack, value) if value is not UNKNOWN})
            use = kms_02.Use(kind, resource.label(), kind == "s3" and _bucket_of(stack, resource) & log_buckets != set())
            for urn in keys:
                uses.setdefault(urn, []).append(use)
    return uses


def _bucket_of(stack: StackView, resource: Resource) -> set[str]:
    """The URNs of the bucket an encryption setting is for (the bucket itself for inline settings)."""
    if resource.type in t.S3_BUCKETS:
        return {resource.urn}
    found = stack.sources(resource, "bucket", *t.S3_BUCKETS) + stack.named("bucket", physical(resource, "bucket"),
                                                                           *t.S3_BUCKETS)
    return {b.urn for b in found}


@registry.stack("KMS-02", "one-key-per-service",
                "No KMS key is shared by two services (a trail's bucket belongs to the trail).", [t.KMS_KEY])
def one_key_per_service(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    uses = _uses(stack)
    for key in stack.of_type(t.KMS_KEY):
        yield from stack_results(kms_02.decide(uses.get(key.urn, [])), key.urn)


@registry.stack("KMS-02", "key-references-resolve-in-stack",
                "Retired: a key reference that resolves to no key of the stack now fails the encryption control of "
                "the setting that holds it (ENC-01..ENC-09, controls/keys.py). Kept, judging nothing, so that "
                "policy pack config files that name it keep working.", [RETIRED])
def key_references_resolve_in_stack(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    return iter(())

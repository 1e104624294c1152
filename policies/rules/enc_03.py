"""ENC-03 in the pack: Redis replication groups, their member clusters, stand-alone clusters, serverless caches.

A stack policy (``controls.enc_03``): only a stack policy sees which ``kms.Key`` or
``kms.Alias`` of the stack a key input was computed from (CrossGuard gives resource
policies no property dependencies) and which replication group a member cluster
joins, as the static scan and the live audit do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_03
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import Resource, StackView
from rules.registry import Registry, stack_results
from rules.values import as_list

registry = Registry()
CACHES = (t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_CLUSTER, t.ELASTICACHE_SERVERLESS)


def _group(group: Resource, stack: StackView) -> enc_03.ReplicationGroup:
    return enc_03.ReplicationGroup(
        group.lookup("engine"), group.lookup("atRestEncryptionEnabled"), key_ref(group, "kmsKeyId", stack=stack),
        group.lookup("transitEncryptionEnabled"), group.lookup("transitEncryptionMode"),
        group.lookup("authToken"), tuple(as_list(group.lookup("userGroupIds"))))


def _facts(cache: Resource, stack: StackView) -> enc_03.Cache:
    if cache.type == t.ELASTICACHE_SERVERLESS:
        return enc_03.ServerlessCache(cache.lookup("engine"), key_ref(cache, "kmsKeyId", stack=stack),
                                      cache.lookup("userGroupId"))
    if cache.type == t.ELASTICACHE_CLUSTER:
        named = cache.lookup("replicationGroupId")
        groups = (stack.sources(cache, "replicationGroupId", t.ELASTICACHE_REPLICATION_GROUP)
                  or stack.named("replicationGroupId", named, t.ELASTICACHE_REPLICATION_GROUP))
        return enc_03.CacheCluster(cache.lookup("engine"), named, _group(groups[0], stack) if groups else None)
    return _group(cache, stack)


@registry.stack("ENC-03", "redis-encryption-and-auth",
                "Redis encrypts at rest with a customer-managed key and in transit, and requires AUTH.", CACHES)
def redis_encryption_and_auth(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for cache in stack.of_type(*CACHES):
        yield from stack_results(enc_03.decide(_facts(cache, stack)), cache.urn)

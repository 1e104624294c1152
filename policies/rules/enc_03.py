"""ENC-03 in the pack: Redis replication groups, serverless caches and cache clusters (``controls.enc_03``).

Replication groups and serverless caches name a KMS key, so they are judged by a
stack policy: only a stack policy sees which ``kms.Key`` or ``kms.Alias`` of the
stack an input was computed from (CrossGuard gives resource policies no property
dependencies), as the static scan and the live audit do. Cache clusters name no
key and are judged by a resource policy, which can report that the control does
not apply to one of them (memcached; a member of a replication group). A stack
policy cannot report that for one resource: a memcached serverless cache, which
the decision leaves out of the control, shows as a pass in the preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_03
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results
from rules.values import MISSING, as_list

registry = Registry()


def _group(group: Resource, stack: StackView) -> enc_03.ReplicationGroup:
    engine = group.lookup("engine")
    return enc_03.ReplicationGroup(
        "redis" if engine is MISSING else engine,  # the provider's default engine
        group.lookup("atRestEncryptionEnabled"), key_ref(group, "kmsKeyId", stack=stack),
        group.lookup("transitEncryptionEnabled"), group.lookup("transitEncryptionMode"),
        group.lookup("authToken"), tuple(as_list(group.lookup("userGroupIds"))))


def _serverless(cache: Resource, stack: StackView) -> enc_03.ServerlessCache:
    return enc_03.ServerlessCache(cache.lookup("engine"), key_ref(cache, "kmsKeyId", stack=stack),
                                  cache.lookup("userGroupId"))


@registry.stack("ENC-03", "redis-encryption-and-auth",
                "Redis replication groups and serverless caches encrypt at rest with a customer-managed key and in "
                "transit, and require AUTH.", [t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_SERVERLESS])
def redis_encryption_and_auth(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for cache in stack.of_type(t.ELASTICACHE_REPLICATION_GROUP, t.ELASTICACHE_SERVERLESS):
        facts = _serverless(cache, stack) if cache.type == t.ELASTICACHE_SERVERLESS else _group(cache, stack)
        yield from stack_results(enc_03.decide(facts), cache.urn)


@registry.resource("ENC-03", "redis-cache-clusters",
                   "A stand-alone Redis cache cluster cannot encrypt at rest: Redis runs in replication groups.",
                   [t.ELASTICACHE_CLUSTER])
def redis_cache_clusters(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(enc_03.decide(enc_03.CacheCluster(r.lookup("engine"), r.lookup("replicationGroupId"))))

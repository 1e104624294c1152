"""ENC-03: ElastiCache Redis encrypts at rest with a customer-managed key and in transit, and requires AUTH.

Judged per kind of cache (Valkey counts as Redis, and so does a cache whose engine
is not set: Redis is the default engine):

* a replication group: ``atRestEncryptionEnabled`` true with a customer-managed
  ``kmsKeyId`` (``controls.keys``; without at-rest encryption there is no key to
  judge); ``transitEncryptionEnabled`` true with ``transitEncryptionMode``
  ``required`` (absent is AWS's default, ``required``; ``preferred`` still admits
  plain text); AUTH through an ``authToken`` or RBAC ``userGroupIds``;
* a cache cluster: a member of a replication group holds the group's data under the
  group's settings, so it gets the group's verdict (a group the layer cannot see
  cannot be verified: fail); a stand-alone Redis cluster cannot encrypt at rest at
  all, so it fails;
* a serverless cache: always encrypted at rest and in transit; its ``kmsKeyId``
  must be customer-managed and AUTH needs an RBAC ``userGroupId``.

A memcached cache is not Redis: nothing this control requires binds it, so it
passes with that reason. (A verdict of not_applicable would be truer to the words,
but the pack judges caches in a stack policy, which CrossGuard lets report only
violations, so every layer says pass.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controls.keys import KeyRef, judge_key
from controls.values import MISSING, UNKNOWN, describe, truthy
from controls.verdict import PASS, Judgement, Verdict

CONTROL = "ENC-03"
KEY = "the ARN of the ElastiCache key"


@dataclass(frozen=True)
class ReplicationGroup:
    """A replication group's settings as written or reported.

    ``auth_token`` is the token as written (any non-empty value, including a
    redacted secret or one unknown until apply, counts as set) or the API's
    ``AuthTokenEnabled``; ``user_groups`` the RBAC user groups named.
    """

    engine: Any
    at_rest: Any
    key: KeyRef
    transit: Any
    transit_mode: Any
    auth_token: Any
    user_groups: Sequence[Any]


@dataclass(frozen=True)
class CacheCluster:
    """A cache cluster: its engine, the replication group it names (``MISSING`` when stand-alone) and that
    group's facts when the layer found the group (None when it did not)."""

    engine: Any
    replication_group: Any
    group: ReplicationGroup | None = None


@dataclass(frozen=True)
class ServerlessCache:
    engine: Any
    key: KeyRef
    user_group: Any


Cache = ReplicationGroup | CacheCluster | ServerlessCache


def decide(cache: Cache) -> Verdict:
    if cache.engine is UNKNOWN:
        judgement = Judgement()
        judgement.unknown("engine")
        return judgement.verdict("")
    if isinstance(cache.engine, str) and cache.engine.lower() == "memcached":
        return Verdict(PASS, "memcached is not Redis: ENC-03 covers Redis and Valkey")
    if isinstance(cache, CacheCluster):
        return _cluster(cache)
    if isinstance(cache, ServerlessCache):
        return _serverless(cache)
    return _replication_group(cache)


def _replication_group(group: ReplicationGroup) -> Verdict:
    judgement = Judgement()
    if _flag(judgement, group.at_rest, "atRestEncryptionEnabled", "set atRestEncryptionEnabled to true."):
        judge_key(judgement, group.key, "kmsKeyId", KEY)
    if _flag(judgement, group.transit, "transitEncryptionEnabled", "set transitEncryptionEnabled to true."):
        mode = group.transit_mode
        if mode is UNKNOWN:
            judgement.unknown("transitEncryptionMode")
        elif mode is not MISSING and str(mode).lower() != "required":
            judgement.fail(f"transitEncryptionMode is {describe(mode)}, so clients may still connect in plain text: "
                           "set transitEncryptionMode to \"required\" (or leave it unset).", "transitEncryptionMode")
    if not _given(group.auth_token) and not any(_given(g) for g in group.user_groups):
        judgement.fail("neither authToken nor userGroupIds is set, so clients connect without AUTH: "
                       "set authToken (from Secrets Manager) or userGroupIds.", "authToken")
    return judgement.verdict("encrypted at rest with a customer-managed key and in transit (required), AUTH on")


def _cluster(cluster: CacheCluster) -> Verdict:
    judgement = Judgement()
    if cluster.group is not None:
        return _replication_group(cluster.group)
    if _given(cluster.replication_group):
        judgement.fail(f"its replication group {describe(cluster.replication_group)} is not declared in this stack, so "
                       "the encryption it inherits cannot be verified: declare the aws.elasticache.ReplicationGroup "
                       "in the program.", "replicationGroupId")
        return judgement.verdict("")
    judgement.fail("a stand-alone Redis cluster cannot encrypt at rest: create an aws.elasticache.ReplicationGroup "
                   "with atRestEncryptionEnabled, kmsKeyId, transitEncryptionEnabled and an authToken instead.",
                   "replicationGroupId")
    return judgement.verdict("")


def _serverless(cache: ServerlessCache) -> Verdict:
    judgement = Judgement()
    judge_key(judgement, cache.key, "kmsKeyId", KEY)
    if not _given(cache.user_group):
        judgement.fail("userGroupId is not set, so clients connect without AUTH: set userGroupId to an RBAC user "
                       "group.", "userGroupId")
    return judgement.verdict("serverless: encrypted with a customer-managed key, AUTH through RBAC")


def _flag(judgement: Judgement, value: Any, path: str, fix: str) -> bool:
    """A setting that must be true; says whether it is (or may be), so that what depends on it is judged."""
    if value is UNKNOWN:
        judgement.unknown(path)
        return True
    if not truthy(value):
        judgement.fail(f"{path} is {describe(value)}: {fix}", path)
        return False
    return True


def _given(value: Any) -> bool:
    """Set to something: true, unknown until apply, or a non-empty value (an empty string is not set)."""
    if value is UNKNOWN or value is True:
        return True
    return value not in (MISSING, None, False, "")

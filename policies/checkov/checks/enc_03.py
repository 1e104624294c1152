"""CKV_IOT_23 (ENC-03): Redis encrypts at rest with a customer-managed key and in transit, and requires AUTH.

Facts from the plan: a replication group's encryption, transit mode, AUTH token
and RBAC user groups; a cache cluster's engine and the group it joins (found by
reference or by its literal id); a serverless cache's key and user group. The decision is ``controls.enc_03``; checkov's CKV_AWS_29
(at rest), CKV_AWS_30 (in transit), CKV_AWS_31 (transit with a token) and
CKV_AWS_191 (a key is set) corroborate.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from enc_plan import setting
from iot_checks_common import as_list, key_ref
from plan_index import PlanIndex

from controls import enc_03
from controls.values import MISSING, UNKNOWN
from controls.verdict import Verdict

GROUP, CLUSTER, SERVERLESS = ("aws_elasticache_replication_group", "aws_elasticache_cluster",
                              "aws_elasticache_serverless_cache")


class RedisEncryptionAndAuth(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(name="ENC-03: Redis encrypted at rest (customer-managed key) and in transit, with AUTH",
                         id="CKV_IOT_23", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=(GROUP, CLUSTER, SERVERLESS))

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        kind, engine = plan.type_of(address), setting(plan, address, "engine")
        if kind == CLUSTER:
            named = plan.values(address).get("replication_group_id")
            groups = plan.references(address, "replication_group_id", (GROUP,)) or [
                g for g in plan.of_type(GROUP) if isinstance(named, str) and plan.values(g).get("replication_group_id") == named]
            return enc_03.decide(enc_03.CacheCluster(engine, setting(plan, address, "replication_group_id"),
                                                     _group(plan, groups[0]) if groups else None))
        if kind == SERVERLESS:
            return enc_03.decide(enc_03.ServerlessCache(engine, key_ref(plan, address, "kms_key_id"),
                                                        setting(plan, address, "user_group_id")))
        return enc_03.decide(_group(plan, address))


def _group(plan: PlanIndex, address: str) -> enc_03.ReplicationGroup:
    groups = setting(plan, address, "user_group_ids")
    return enc_03.ReplicationGroup(
        setting(plan, address, "engine"), setting(plan, address, "at_rest_encryption_enabled"), key_ref(plan, address, "kms_key_id"),
        setting(plan, address, "transit_encryption_enabled"), setting(plan, address, "transit_encryption_mode"),
        setting(plan, address, "auth_token"),
        (UNKNOWN,) if groups is UNKNOWN else tuple(as_list(None if groups is MISSING else groups)))


check = RedisEncryptionAndAuth()

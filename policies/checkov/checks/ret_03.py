"""CKV_IOT_32 (RET-03): buckets are versioned; data buckets tier to Intelligent-Tiering and Glacier.

Facts from the plan: a bucket's inline ``versioning`` and ``lifecycle_rule``, every
``aws_s3_bucket_versioning`` and ``aws_s3_bucket_lifecycle_configuration`` that
names it (by reference or literal name), and whether an ``aws_cloudtrail`` writes
to it; a versioning resource is also judged alone. The decision is
``controls.ret_03``; checkov's CKV_AWS_21 and CKV2_AWS_61 stay as corroborating
evidence.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list, parameters, planned
from plan_index import PlanIndex

from controls import ret_03
from controls.values import MISSING, UNKNOWN, lookup
from controls.verdict import Verdict

BUCKET, VERSIONING = "aws_s3_bucket", "aws_s3_bucket_versioning"
LIFECYCLE, TRAIL = "aws_s3_bucket_lifecycle_configuration", "aws_cloudtrail"


def _one(value: Any) -> Any:
    """A max-one block, however the plan wrote it (an object or a one-element list)."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _linked(plan: PlanIndex, bucket: str, kind: str, attribute: str = "bucket") -> list[str]:
    name = planned(plan, bucket, "bucket")
    found = plan.referrers(bucket, attribute, (kind,))
    return found + [a for a in plan.of_type(kind) if a not in found and isinstance(name, str)
                    and plan.values(a).get(attribute) == name]


def _label(address: str) -> str:
    kind, name = address.split(".", 1)
    return f"{kind} '{name}'"


def _versioning(plan: PlanIndex, address: str, where: str = "versioning_configuration.status") -> ret_03.Versioning:
    configuration = planned(plan, address, "versioning_configuration")
    status = configuration if configuration in (MISSING, UNKNOWN) else lookup(_one(configuration), "status")
    return ret_03.Versioning(where, status)


def _transitions(rule: dict[str, Any]) -> tuple[ret_03.Transition, ...]:
    return tuple(ret_03.Transition(lookup(t, "storage_class"), lookup(t, "days"))
                 for t in as_list(rule.get("transition")) if isinstance(t, dict))


def _lifecycle(plan: PlanIndex, bucket: str) -> Any:
    rules = []
    inline = planned(plan, bucket, "lifecycle_rule")
    if inline is UNKNOWN:
        return UNKNOWN
    for index, rule in enumerate(r for r in as_list(inline) if isinstance(r, dict)):
        tags = rule.get("tags")
        rules.append(ret_03.LifecycleRule(f"lifecycle_rule[{index}]", rule.get("enabled", MISSING),
                                          rule.get("prefix", MISSING), bool(tags), _transitions(rule),
                                          lookup(_one(rule.get("noncurrent_version_expiration")), "days")))
    for configuration in _linked(plan, bucket, LIFECYCLE):
        configured = planned(plan, configuration, "rule")
        if configured is UNKNOWN:
            return UNKNOWN
        for index, rule in enumerate(r for r in as_list(configured) if isinstance(r, dict)):
            selector, both = _one(rule.get("filter")) or {}, {}
            if isinstance(selector, dict):
                both = _one(selector.get("and")) or {}
            else:
                selector = {}
            prefix = next((p for p in (selector.get("prefix"), both.get("prefix"), rule.get("prefix"))
                           if p is not None), MISSING)
            rules.append(ret_03.LifecycleRule(
                f"{_label(configuration)} rule[{index}]", rule.get("status", MISSING), prefix,
                bool(selector.get("tag") or both.get("tags")), _transitions(rule),
                lookup(_one(rule.get("noncurrent_version_expiration")), "noncurrent_days")))
    return tuple(rules)


def _trail_bucket(plan: PlanIndex, bucket: str) -> bool:
    return bool(_linked(plan, bucket, TRAIL, "s3_bucket_name"))


def bucket_facts(plan: PlanIndex, bucket: str) -> ret_03.Bucket:
    inline = planned(plan, bucket, "versioning")
    versioning = [] if inline is MISSING else [ret_03.Versioning(
        "versioning.enabled", inline if inline is UNKNOWN else lookup(_one(inline), "enabled"))]
    versioning += [_versioning(plan, v, f"{_label(v)} versioning_configuration.status")
                   for v in _linked(plan, bucket, VERSIONING)]
    return ret_03.Bucket(tuple(versioning), _lifecycle(plan, bucket), _trail_bucket(plan, bucket))


class BucketVersionedAndArchiveTiered(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="RET-03: S3 buckets are versioned; data buckets tier to Intelligent-Tiering and Glacier in time",
            id="CKV_IOT_32", categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=(BUCKET, VERSIONING),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        if plan.type_of(address) == VERSIONING:
            return ret_03.decide_versioning(_versioning(plan, address))
        return ret_03.decide(bucket_facts(plan, address), int(parameters("RET-03")["glacierAfterDays"]))


check = BucketVersionedAndArchiveTiered()

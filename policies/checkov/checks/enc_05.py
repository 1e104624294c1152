"""CKV_IOT_16 (ENC-05): S3 default encryption under a customer-managed key, and a bucket policy that denies plain HTTP.

Facts from the plan: a bucket's inline ``server_side_encryption_configuration``
and ``policy``, and every ``aws_s3_bucket_server_side_encryption_configuration``
and ``aws_s3_bucket_policy`` that names it (by reference or literal name); those
resources are also judged alone. The decision is ``controls.enc_05``; checkov's
CKV_AWS_19 and CKV_AWS_145 stay as corroborating evidence.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list, key_ref, planned
from plan_index import PlanIndex

from controls import enc_05
from controls.keys import KeyRef
from controls.values import MISSING, UNKNOWN
from controls.verdict import Verdict

BUCKET, SSE, POLICY = "aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_policy"
DEFAULT = "apply_server_side_encryption_by_default"


def _name(plan: PlanIndex, bucket: str) -> Any:
    name = planned(plan, bucket, "bucket")
    return UNKNOWN if name is MISSING else name


def _linked(plan: PlanIndex, bucket: str, kind: str) -> list[str]:
    """The resources of ``kind`` that name the bucket, by reference or by its literal name."""
    name = _name(plan, bucket)
    found = plan.referrers(bucket, "bucket", (kind,))
    found += [a for a in plan.of_type(kind) if a not in found and isinstance(name, str)
              and plan.values(a).get("bucket") == name]
    return found


def _rules(plan: PlanIndex, address: str, attribute: str, rules: Any, paths: list[str]) -> Any:
    if rules is UNKNOWN:
        return UNKNOWN
    facts = []
    for path, rule in zip(paths, rules, strict=True):
        default = rule.get(DEFAULT) if isinstance(rule, dict) else None
        default = default[0] if isinstance(default, list) and default else default
        if not isinstance(default, dict):
            facts.append(enc_05.EncryptionRule(f"{path}.{DEFAULT}", MISSING, KeyRef(MISSING)))
            continue
        value = default.get("kms_master_key_id")
        key = KeyRef(MISSING) if value is None and not plan.references(address, attribute) else \
            key_ref(plan, address, attribute, value)
        facts.append(enc_05.EncryptionRule(f"{path}.{DEFAULT}", default.get("sse_algorithm", MISSING), key))
    return tuple(facts)


def _configuration(plan: PlanIndex, address: str, where: str = "") -> enc_05.Encryption:
    rules = planned(plan, address, "rule")
    listed = UNKNOWN if rules is UNKNOWN else [r for r in as_list(rules) if r is not MISSING]
    paths = [f"rule[{index}]" for index in range(len(listed))] if listed is not UNKNOWN else []
    return enc_05.Encryption(where, _rules(plan, address, "rule", listed, paths))


def _inline_encryption(plan: PlanIndex, bucket: str) -> list[enc_05.Encryption]:
    inline = planned(plan, bucket, "server_side_encryption_configuration")
    if inline is MISSING:
        return []
    block = inline[0] if isinstance(inline, list) and inline else inline
    rule = UNKNOWN if block is UNKNOWN else (block.get("rule") if isinstance(block, dict) else None)
    rules = UNKNOWN if rule is UNKNOWN else [r for r in as_list(rule) if isinstance(r, dict)]
    paths = [] if rules is UNKNOWN else ["server_side_encryption_configuration.rule"] * len(rules)
    return [enc_05.Encryption("", _rules(plan, bucket, "server_side_encryption_configuration", rules, paths))]


def _label(address: str) -> str:
    kind, name = address.split(".", 1)
    return f"{kind} '{name}'"


def bucket_facts(plan: PlanIndex, bucket: str) -> enc_05.Bucket:
    encryption = _inline_encryption(plan, bucket) + [
        _configuration(plan, sse, _label(sse)) for sse in _linked(plan, bucket, SSE)]
    inline = planned(plan, bucket, "policy")
    policies = [enc_05.Policy("policy", inline)] if inline is not MISSING else []
    policies += [enc_05.Policy(f"{_label(p)} policy", planned(plan, p, "policy")) for p in _linked(plan, bucket, POLICY)]
    return enc_05.Bucket(_name(plan, bucket), tuple(encryption), tuple(policies))


def _bucket_of(plan: PlanIndex, address: str) -> Any:
    buckets = plan.references(address, "bucket", (BUCKET,))
    return _name(plan, buckets[0]) if buckets else _name(plan, address)


class BucketEncryptedAndTlsOnly(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="ENC-05: S3 buckets default to SSE-KMS with a customer-managed key; the bucket policy denies non-TLS",
            id="CKV_IOT_16", categories=[CheckCategories.ENCRYPTION], supported_resources=(BUCKET, SSE, POLICY),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        kind = plan.type_of(address)
        if kind == SSE:
            return enc_05.decide_encryption(_configuration(plan, address))
        if kind == POLICY:
            return enc_05.decide_policy(enc_05.Policy("policy", planned(plan, address, "policy")),
                                        _bucket_of(plan, address))
        return enc_05.decide(bucket_facts(plan, address))


check = BucketEncryptedAndTlsOnly()

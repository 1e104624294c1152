"""ENC-05 in the pack: each bucket with every configuration that names it, decided by ``controls.enc_05``.

The bucket is the subject; its encryption-configuration and policy resources
are also judged alone, so that a violation shows where it is written. All three
are stack policies: a key named by its literal alias and the bucket a policy is
for are found through the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_05
from controls.keys import KeyRef
from rules import types as t
from rules.documents import document_input
from rules.keyrefs import key_ref
from rules.model import Resource, StackView, physical
from rules.registry import Registry, stack_results
from rules.values import MISSING, UNKNOWN, as_list, lookup

registry = Registry()

DEFAULT = "applyServerSideEncryptionByDefault"


def _rules(resource: Resource, prop: str, rules: Any, paths: list[str], stack: StackView) -> Any:
    """The encryption rules at ``paths`` as facts (UNKNOWN when the list or a rule is known only at apply)."""
    if rules is UNKNOWN or any(rule is UNKNOWN for rule in as_list(rules)):
        return UNKNOWN
    facts = []
    for path, rule in zip(paths, as_list(rules), strict=True):
        default = lookup(rule, DEFAULT)
        algorithm = default if default in (MISSING, UNKNOWN) else lookup(default, "sseAlgorithm")
        value = lookup(rule, f"{DEFAULT}.kmsMasterKeyId")
        key = KeyRef(MISSING) if value is MISSING else key_ref(resource, prop, value, stack)
        facts.append(enc_05.EncryptionRule(f"{path}.{DEFAULT}", algorithm, key))
    return tuple(facts)


def _configuration(resource: Resource, stack: StackView, where: str = "") -> enc_05.Encryption:
    """A BucketServerSideEncryptionConfiguration resource's rules."""
    rules = resource.lookup("rules")
    paths = [f"rules[{index}]" for index in range(len(as_list(rules)))] if rules is not UNKNOWN else []
    return enc_05.Encryption(where, _rules(resource, "rules", rules, paths, stack))


def _inline_encryption(bucket: Resource, stack: StackView) -> list[enc_05.Encryption]:
    """The bucket's own ``serverSideEncryptionConfiguration`` (one ``rule``), if declared."""
    inline = bucket.lookup("serverSideEncryptionConfiguration")
    if inline is MISSING:
        return []
    rule = UNKNOWN if inline is UNKNOWN else lookup(inline, "rule")
    rules = rule if rule in (MISSING, UNKNOWN) else [rule]
    return [enc_05.Encryption("", () if rules is MISSING else _rules(
        bucket, "serverSideEncryptionConfiguration", rules, ["serverSideEncryptionConfiguration.rule"], stack))]


def _bucket_name(bucket: Resource) -> Any:
    """The bucket's physical name; known only at apply when computed or left to the provider."""
    name = physical(bucket, "bucket")
    return UNKNOWN if name is MISSING else name


def _facts(bucket: Resource, stack: StackView) -> enc_05.Bucket:
    name = physical(bucket, "bucket")
    encryption = _inline_encryption(bucket, stack) + [
        _configuration(c, stack, c.label()) for c in stack.linked(bucket, name, "bucket", *t.S3_SSES)]
    policies = [enc_05.Policy("policy", document_input(bucket.lookup("policy")))] if bucket.has("policy") else []
    policies += [enc_05.Policy(f"{p.label()} policy", document_input(p.lookup("policy")))
                 for p in stack.linked(bucket, name, "bucket", t.S3_BUCKET_POLICY)]
    return enc_05.Bucket(_bucket_name(bucket), tuple(encryption), tuple(policies))


def _bucket_of(resource: Resource, stack: StackView) -> Any:
    """The name of the bucket a configuration resource is for: its bucket's, else its literal ``bucket`` input."""
    buckets = stack.sources(resource, "bucket", *t.S3_BUCKETS)
    if buckets:
        return _bucket_name(buckets[0])
    name = physical(resource, "bucket")
    return UNKNOWN if name is MISSING else name


@registry.stack("ENC-05", "s3-default-encryption-sse-kms",
                "S3 default encryption is SSE-KMS with a customer-managed key.", t.S3_SSES)
def s3_default_encryption_sse_kms(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for resource in stack.of_type(*t.S3_SSES):
        yield from stack_results(enc_05.decide_encryption(_configuration(resource, stack)), resource.urn)


@registry.stack("ENC-05", "s3-bucket-policy-denies-plain-http",
                "S3 bucket policies deny every request made without TLS.", [t.S3_BUCKET_POLICY])
def s3_bucket_policy_denies_plain_http(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for policy in stack.of_type(t.S3_BUCKET_POLICY):
        verdict = enc_05.decide_policy(enc_05.Policy("policy", document_input(policy.lookup("policy"))),
                                       _bucket_of(policy, stack))
        yield from stack_results(verdict, policy.urn)


@registry.stack("ENC-05", "s3-bucket-encrypted-and-tls-only",
                "Every S3 bucket has SSE-KMS default encryption and a bucket policy that denies plain HTTP.",
                t.S3_BUCKETS)
def s3_bucket_encrypted_and_tls_only(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for bucket in stack.of_type(*t.S3_BUCKETS):
        yield from stack_results(enc_05.decide(_facts(bucket, stack)), bucket.urn)
